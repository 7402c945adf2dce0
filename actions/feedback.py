"""Feedback form (phản ánh, kiến nghị): validate the content, store it, give a reference number."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.state import shared_store
from bot.feedback import content_problem, submit_feedback


class ValidateFeedbackForm(FormValidationAction):
    def name(self) -> str:
        return "validate_feedback_form"

    def validate_feedback_content(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        text = slot_value if isinstance(slot_value, str) else ""
        problem = content_problem(text)
        if problem:
            dispatcher.utter_message(text=problem)
            return {"feedback_content": None}
        return {"feedback_content": " ".join(text.split())}


class ActionSubmitFeedback(Action):
    def name(self) -> str:
        return "action_submit_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        content = tracker.get_slot("feedback_content") or ""
        try:
            feedback = await submit_feedback(shared_store(), content, tracker.sender_id)
        except Exception:  # the store being down must not lose the citizen's words silently
            dispatcher.utter_message(
                text="Dạ, hệ thống chưa lưu được phản ánh của anh/chị. "
                "Anh/chị vui lòng thử lại sau ít phút hoặc gọi đường dây nóng của xã ạ."
            )
            return [SlotSet("feedback_content", None)]
        dispatcher.utter_message(
            text=(
                f"Dạ, em đã ghi nhận phản ánh của anh/chị với mã số {feedback.reference}. "
                "Cán bộ xã sẽ xem xét và xử lý. Anh/chị giữ mã này để hỏi lại tình trạng xử lý ạ."
            )
        )
        return [SlotSet("feedback_content", None)]
