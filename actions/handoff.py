"""Handing a conversation to a staff member, and the two-stage fallback that leads to it.

"gặp cán bộ" (intent request_human), or a second misunderstanding in a row, tells the office hours
and hotline, records a durable handoff request and pauses the bot for this sender (the gateway
reads the pause flag and stays silent until staff release it or the pause expires).
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.emergency import asks_about_aftermath
from actions.metrics import count_question
from actions.procedures import answer_from_search, procedure_instead
from actions.state import shared_store
from bot.emergency import EMERGENCY_TEXT, is_emergency
from bot.handoff_requests import request_handoff
from bot.knowledge import KnowledgeError, format_hours, get_knowledge
from bot.ratings import record_unanswered
from bot.text import says_any

log = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
REPHRASE = (
    'Dạ, em chưa hiểu rõ ý anh/chị. Anh/chị vui lòng nói cụ thể hơn, ví dụ: "Làm giấy khai sinh '
    'cần giấy tờ gì?", "Tra cứu hồ sơ", "Giờ làm việc của xã" — hoặc chọn một mục dưới đây ạ.'
)
SUGGESTIONS = [
    {"title": "Hỏi thủ tục khai sinh", "payload": '/ask_procedure{"procedure":"1.001193"}'},
    {"title": "Tra cứu hồ sơ đã nộp", "payload": "/ask_dossier_status"},
    {"title": "Giờ làm việc, địa chỉ", "payload": "/ask_office_info"},
    {"title": "Gửi phản ánh, kiến nghị", "payload": "/give_feedback"},
    {"title": "Gặp cán bộ", "payload": "/request_human"},
]


def office_contact_lines() -> list[str]:
    """Office hours of the first receiving point and the hotline, from the commune profile."""
    try:
        profile = get_knowledge().profile
    except KnowledgeError:
        log.exception("knowledge could not be loaded")
        profile = None
    if profile is None:
        return ["• Anh/chị có thể đến trực tiếp UBND xã trong giờ hành chính."]
    point = profile.receiving_points[0]
    lines = [f"• Giờ làm việc ({point.name}):"]
    lines += [f"   {line}" for line in format_hours(point.hours)]
    if profile.hotline:
        lines.append(f"• Đường dây nóng: {profile.hotline}")
    return lines


def handoff_text(reason: str) -> str:
    head = (
        "Dạ, em xin lỗi vì chưa hỗ trợ được anh/chị. "
        if reason == "fallback"
        else "Dạ, em đã chuyển yêu cầu gặp cán bộ. "
    )
    return "\n".join(
        [
            head + "Cán bộ bộ phận một cửa sẽ trả lời anh/chị ngay trong cuộc trò chuyện này "
            "trong giờ làm việc; trong lúc chờ, trợ lý ảo tạm dừng trả lời.",
            *office_contact_lines(),
            "Việc gấp, anh/chị vui lòng gọi đường dây nóng hoặc đến trực tiếp ạ.",
        ]
    )


async def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> None:
    text = (tracker.latest_message or {}).get("text") or ""
    try:
        await request_handoff(shared_store(), tracker.sender_id, reason, text)
    except Exception:  # the store being down: still give the citizen a way to reach a person
        log.exception("could not record the handoff request")
        dispatcher.utter_message(
            text="\n".join(
                [
                    "Dạ, hiện em chưa chuyển được yêu cầu đến cán bộ. Anh/chị vui lòng liên hệ:",
                    *office_contact_lines(),
                ]
            )
        )
        return
    dispatcher.utter_message(text=handoff_text(reason))


# Words by which a message asks for a person (folded). Without any, a message the NLU took
# for a handoff request may be a procedure question ("tôi già rồi xin thôi làm hòa giải viên").
PERSON_WORDS = (
    "gap", "can bo", "nguoi that", "nhan vien", "noi chuyen", "tong dai", "chuyen vien",
    "tu van vien", "nguoi tra loi", "ket noi", "goi lai", "goi dien", "truc tiep", "admin",
    "ad", "nguoi", "lanh dao", "chu tich", "bot", "may",
)  # fmt: skip


class ActionHandoff(Action):
    """Hand the conversation to staff; a procedure's answer instead when the message asks for
    no person at all and search is sure which procedure it names."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answered = procedure_instead(
            dispatcher, tracker, unless=partial(says_any, phrases=PERSON_WORDS)
        )
        if answered is not None:
            return answered
        await hand_off(dispatcher, tracker, "asked")
        return []


def previous_user_intent(tracker: Tracker) -> str | None:
    """The intent of the user message before the latest one, or None."""
    seen_latest = False
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if not seen_latest:
            seen_latest = True
            continue
        data: dict[str, Any] = event.get("parse_data") or {}
        return (data.get("intent") or {}).get("name")
    return None


class ActionFallback(Action):
    """Two-stage fallback: rephrase with suggestions first, then a handoff. Emergencies the NLU
    missed get the emergency numbers before anything else, and then, when the message asks about
    papers or rights after the accident, what search finds (an answer, or close procedures)."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = (tracker.latest_message or {}).get("text") or ""
        if is_emergency(text):
            dispatcher.utter_message(text=EMERGENCY_TEXT)
            # papers or rights after an accident: then what search finds, as for any fallback
            if asks_about_aftermath(text):
                return answer_from_search(dispatcher, tracker, offer=True) or []
            return []
        # The NLU was unsure, but knowledge search may be sure which procedure is meant (new
        # aliases work at once, without retraining): answer rather than ask to rephrase.
        # With a few close procedures instead, ask which one.
        answered = answer_from_search(dispatcher, tracker, offer=True)
        if answered is not None:
            return answered
        count_question("fallback")
        try:
            await record_unanswered(shared_store(), text, "fallback")
        except Exception:
            log.exception("could not record an unanswered question")
        if previous_user_intent(tracker) == FALLBACK_INTENT:
            await hand_off(dispatcher, tracker, "fallback")
            return []
        dispatcher.utter_message(text=REPHRASE, buttons=SUGGESTIONS)
        return []
