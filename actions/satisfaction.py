"""Satisfaction: helpful / not helpful after a procedure answer, a 1-5 rating at goodbye."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.procedures import procedure_instead
from actions.state import shared_store
from bot.ratings import (
    HELPFUL_INTENT,
    parse_score,
    record_helpfulness,
    record_rating,
)
from bot.text import says_any

log = logging.getLogger(__name__)

# Folded words by which citizens judge an answer ("hữu ích", "chưa rõ", "cảm ơn", "sai rồi"),
# as phrases where one syllable alone is also a common word ("hay": or, "tế": y tế).
# A message with none of them that search is sure names a procedure ("điều chỉnh thông tin cư
# trú") is a question the NLU took for a judgement: it gets the answer and no vote is stored.
JUDGEMENT_WORDS = (
    "huu ich", "vo ich", "tra loi", "cam on", "ro rang", "de hieu", "khong hieu", "chua hieu",
    "chua ro", "giai dap", "chuan roi", "ok", "oke", "dung roi", "dung y", "sai roi",
    "khong dung", "hay qua", "hay lam", "tot qua", "tot lam", "rat tot", "tuyet", "like",
    "chan qua", "te qua", "khong giup", "chua giup", "vo dung", "lung tung", "lan man",
)  # fmt: skip


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
        answered = procedure_instead(
            dispatcher, tracker, unless=partial(says_any, phrases=JUDGEMENT_WORDS)
        )
        if answered is not None:
            return answered
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
            # No score given: maybe a procedure question the NLU took for a rating ("xin bản
            # sao ... làm sao" has the "sao" of "5 sao").
            answered = procedure_instead(dispatcher, tracker)
            if answered is not None:
                return answered
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
