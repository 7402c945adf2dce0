"""Feedback form (phản ánh, kiến nghị): content, optional place and contact phone, stored with a
reference number the citizen can later ask about ("phản ánh PA-000012 đến đâu rồi")."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.state import shared_store
from bot.emergency import EMERGENCY_TEXT, is_emergency
from bot.feedback import (
    REFERENCE_PREFIX,
    content_problem,
    find_reference,
    get_feedback,
    is_skip,
    mask_phone,
    normalize_phone,
    place_problem,
    status_text,
    submit_feedback,
)
from bot.text import says_any

log = logging.getLogger(__name__)

SKIPPED = "-"  # slot value of an optional question the citizen declined
PHONE_HINT = (
    "Dạ, số điện thoại chưa đúng ạ (số di động 10 chữ số, ví dụ 0912 345 678, hoặc số máy bàn "
    'có mã vùng). Anh/chị nhập lại, hoặc gõ "bỏ qua" nếu không muốn để lại số.'
)
ASK_REFERENCE = (
    f"Dạ, anh/chị cho em xin mã phản ánh (dạng {REFERENCE_PREFIX}-000012, có trong tin nhắn "
    "xác nhận khi gửi) để em tra cứu ạ."
)


# Messages with these intents are questions or commands, not answers to an optional question.
DIGRESSION_INTENTS = frozenset(
    {
        "cancel", "bot_challenge", "emergency", "request_human", "ask_procedure",
        "ask_procedure_documents", "ask_procedure_fee", "ask_procedure_time",
        "ask_procedure_place", "ask_procedure_steps", "ask_procedure_conditions",
        "ask_procedure_legal",
    }
)  # fmt: skip


def _optional_answer(tracker: Tracker, slot: str) -> dict[str, Any]:
    """Custom slot mapping of the optional questions: "bỏ qua" skips them even though the NLU
    reads it as `cancel`; other digressions leave the form to the rules."""
    if tracker.get_slot("requested_slot") != slot:
        return {}
    message: dict[str, Any] = tracker.latest_message or {}
    text = message.get("text") or ""
    if is_skip(text):
        return {slot: SKIPPED}
    if ((message.get("intent") or {}).get("name") or "") in DIGRESSION_INTENTS:
        return {}
    return {slot: text}


def checked_content(value: Any, dispatcher: CollectingDispatcher) -> str | None:
    """The report text as stored, or None (with the reason told) when it cannot be taken."""
    text = value if isinstance(value, str) else ""
    if is_emergency(text):  # safety net: the numbers first, the report is still taken
        dispatcher.utter_message(text=EMERGENCY_TEXT)
    problem = content_problem(text)
    if problem:
        dispatcher.utter_message(text=problem)
        return None
    return " ".join(text.split())


class ValidateFeedbackForm(FormValidationAction):
    def name(self) -> str:
        return "validate_feedback_form"

    async def extract_feedback_place(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return _optional_answer(tracker, "feedback_place")

    async def extract_feedback_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return _optional_answer(tracker, "feedback_phone")

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # The message that opened the form is its content; when it is really a procedure
        # question the NLU took for a report, answer it and end the form before it asks more.
        if (
            tracker.get_slot("requested_slot") is None
            and _latest_intent(tracker) == "give_feedback"
        ):
            # imported here: actions.procedures imports this module
            from actions.procedures import REPORT_CUES, procedure_instead

            answered = procedure_instead(
                dispatcher, tracker, unless=partial(says_any, phrases=REPORT_CUES)
            )
            if answered is not None:
                return [
                    *answered,
                    SlotSet("feedback_content", None),
                    SlotSet("requested_slot", None),
                ]
        return await super().run(dispatcher, tracker, domain)

    def validate_feedback_content(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return {"feedback_content": checked_content(slot_value, dispatcher)}

    def validate_feedback_place(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        text = slot_value if isinstance(slot_value, str) else ""
        if text == SKIPPED or is_skip(text):
            return {"feedback_place": SKIPPED}
        problem = place_problem(text)
        if problem:
            dispatcher.utter_message(text=problem)
            return {"feedback_place": None}
        return {"feedback_place": " ".join(text.split())}

    def validate_feedback_phone(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        text = slot_value if isinstance(slot_value, str) else ""
        if text == SKIPPED or is_skip(text):
            return {"feedback_phone": SKIPPED}
        phone = normalize_phone(text)
        if phone is None:
            dispatcher.utter_message(text=PHONE_HINT)
            return {"feedback_phone": None}
        return {"feedback_phone": phone}


def _latest_intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def _optional(value: Any) -> str | None:
    return value if isinstance(value, str) and value and value != SKIPPED else None


class ActionSubmitFeedback(Action):
    def name(self) -> str:
        return "action_submit_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        content = tracker.get_slot("feedback_content") or ""
        if not content:  # the form ended without a report (a procedure question was answered)
            return []
        place = _optional(tracker.get_slot("feedback_place"))
        phone = _optional(tracker.get_slot("feedback_phone"))
        reset: list[EventType] = [
            SlotSet("feedback_content", None),
            SlotSet("feedback_place", None),
            SlotSet("feedback_phone", None),
        ]
        try:
            feedback = await submit_feedback(
                shared_store(), content, tracker.sender_id, place=place, phone=phone
            )
        except Exception:  # the store being down must not lose the citizen's words silently
            log.exception("could not store feedback (phone %s)", mask_phone(phone))
            dispatcher.utter_message(
                text="Dạ, hệ thống chưa lưu được phản ánh của anh/chị. "
                "Anh/chị vui lòng thử lại sau ít phút hoặc gọi đường dây nóng của xã ạ."
            )
            return reset
        log.info("feedback %s stored (phone %s)", feedback.reference, mask_phone(phone) or "-")
        callback = f" Cán bộ có thể gọi lại số {mask_phone(phone)} khi cần làm rõ." if phone else ""
        dispatcher.utter_message(
            text=(
                f"Dạ, em đã ghi nhận phản ánh của anh/chị với mã số {feedback.reference}. "
                f"Cán bộ xã sẽ xem xét và xử lý.{callback} Anh/chị giữ mã này để hỏi lại tình "
                f'trạng xử lý, ví dụ: "phản ánh {feedback.reference} đến đâu rồi" ạ.'
            )
        )
        return reset


class ActionFeedbackStatus(Action):
    def name(self) -> str:
        return "action_feedback_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        record_id = find_reference((tracker.latest_message or {}).get("text") or "")
        if record_id is None:
            dispatcher.utter_message(text=ASK_REFERENCE)
            return []
        try:
            feedback = await get_feedback(shared_store(), record_id)
        except Exception:
            log.exception("could not read feedback")
            dispatcher.utter_message(
                text="Dạ, hệ thống tra cứu phản ánh đang gián đoạn, anh/chị thử lại sau ít phút ạ."
            )
            return []
        if feedback is None:
            dispatcher.utter_message(
                text="Dạ, em không tìm thấy phản ánh với mã này. Anh/chị kiểm tra lại mã trong "
                "tin nhắn xác nhận giúp em ạ."
            )
            return []
        dispatcher.utter_message(text=status_text(feedback))
        return []
