"""Satisfaction: helpful / not helpful after a procedure answer, a 1-5 rating at goodbye."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.state import shared_store
from bot.ratings import parse_score, record_helpfulness, record_rating

log = logging.getLogger(__name__)

HELPFUL_INTENT = "answer_helpful"
NOT_HELPFUL_INTENT = "answer_not_helpful"


def helpful_buttons(code: str) -> list[dict[str, str]]:
    """The pair shown under a procedure answer; the payload carries the procedure's code."""
    return [
        {"title": "👍 Hữu ích", "payload": f'/{HELPFUL_INTENT}{{"procedure":"{code}"}}'},
        {"title": "👎 Chưa hữu ích", "payload": f'/{NOT_HELPFUL_INTENT}{{"procedure":"{code}"}}'},
    ]


def _procedure(tracker: Tracker) -> str | None:
    for value in tracker.get_latest_entity_values("procedure"):
        if isinstance(value, str) and value.strip():
            return value.strip()
    current = tracker.get_slot("current_procedure")
    return current if isinstance(current, str) else None


def _intent(tracker: Tracker) -> str:
    message: dict[str, Any] = tracker.latest_message or {}
    return (message.get("intent") or {}).get("name") or ""


class ActionRecordHelpfulness(Action):
    def name(self) -> str:
        return "action_record_helpfulness"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        helpful = _intent(tracker) == HELPFUL_INTENT
        try:
            await record_helpfulness(shared_store(), _procedure(tracker), helpful)
        except Exception:
            log.exception("could not record helpfulness")
        if helpful:
            dispatcher.utter_message(text="Dạ, cảm ơn anh/chị đã đánh giá ạ!")
        else:
            dispatcher.utter_message(
                text="Dạ, em xin lỗi vì thông tin chưa giúp được anh/chị. Anh/chị có thể hỏi lại "
                "cụ thể hơn (giấy tờ, lệ phí, thời gian, nơi nộp), hoặc gặp cán bộ để được hướng "
                "dẫn trực tiếp ạ.",
                buttons=[{"title": "Gặp cán bộ", "payload": "/request_human"}],
            )
        return []


class ActionRecordRating(Action):
    def name(self) -> str:
        return "action_record_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        score = None
        for value in tracker.get_latest_entity_values("rating"):
            score = parse_score(value)
            if score:
                break
        if score is None:
            score = parse_score((tracker.latest_message or {}).get("text") or "")
        if score is None:
            dispatcher.utter_message(
                text="Dạ, anh/chị chấm từ 1 đến 5 điểm giúp em (5 là rất hài lòng) ạ."
            )
            return []
        try:
            await record_rating(shared_store(), score, tracker.get_slot("current_procedure"))
        except Exception:
            log.exception("could not record a rating")
        dispatcher.utter_message(text=f"Dạ, em đã ghi nhận đánh giá {score}/5. Cảm ơn anh/chị ạ!")
        return []
