"""`actions/emergency.py`: the fixed answers of emergency and complaint intents, and when search
overrules the NLU."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.emergency import ActionComplaintProcedure, ActionEmergency


def tracker(text: str, intent: str) -> Tracker:
    return Tracker(
        sender_id="test-user",
        slots={},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9}},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action: Action, text: str, intent: str) -> tuple[list[EventType], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker(text, intent), {})
    return events, dispatcher.messages


def test_a_real_emergency_gets_the_numbers_even_when_search_finds_a_procedure() -> None:
    # search is sure of a procedure for this one, but "cháy" is an emergency word
    events, messages = run(ActionEmergency(), "nhà hàng xóm cháy rồi", "emergency")
    assert events == []
    assert [m["response"] for m in messages] == ["utter_emergency"]


def test_a_procedure_name_taken_for_an_emergency_is_answered() -> None:
    events, messages = run(ActionEmergency(), "công nhận hộ có mức sống trung bình", "emergency")
    assert events == [SlotSet("current_procedure", "1.011609")]
    assert "(mã 1.011609)" in messages[0]["text"]
    assert all(m.get("response") != "utter_emergency" for m in messages)


def test_an_unclear_emergency_without_a_sure_procedure_gets_the_numbers() -> None:
    events, messages = run(ActionEmergency(), "có người bị tai nạn xe máy ở đầu làng", "emergency")
    assert events == []
    assert [m["response"] for m in messages] == ["utter_emergency"]


def test_a_question_about_the_complaint_procedure_gets_its_answer() -> None:
    events, messages = run(
        ActionComplaintProcedure(),
        "gửi đơn khiếu nại công an xã bao lâu thì được trả lời",
        "ask_complaint",
    )
    assert messages[0]["response"] == "utter_complaint_info"
    assert events == [SlotSet("current_procedure", "1.004335")]
    assert "(mã 1.004335)" in messages[1]["text"]
    assert messages[1]["text"].startswith("Dạ, thời gian giải quyết")


def test_a_complaint_about_something_else_gets_the_complaint_information() -> None:
    events, messages = run(
        ActionComplaintProcedure(), "khiếu nại tiền điện tăng cao", "ask_complaint"
    )
    assert events == []
    assert [m["response"] for m in messages] == ["utter_complaint_info"]


def test_a_complaint_names_only_complaint_procedures() -> None:
    # search is sure of a cooperative procedure, but the message is a complaint
    events, messages = run(
        ActionComplaintProcedure(),
        "tôi muốn khiếu nại, giấy chứng nhận đăng ký hợp tác xã bị mất, xin cấp lại mãi không được",
        "ask_complaint",
    )
    assert events == []
    assert [m["response"] for m in messages] == ["utter_complaint_info"]


def test_a_procedure_question_taken_for_a_complaint_is_answered() -> None:
    events, messages = run(
        ActionComplaintProcedure(),
        "xét hộ cận nghèo nộp đơn ở đâu",
        "ask_complaint",
    )
    assert events == [SlotSet("current_procedure", "1.011607")]
    assert all(m.get("response") != "utter_complaint_info" for m in messages)


@pytest.mark.parametrize(
    "text",
    [
        "bố em bị tai nạn lao động ở công trường, làm hồ sơ hưởng chế độ cần giấy tờ gì",
        # most of the message is the accident, little of it a procedure text: still answered
        "di lam ve bi tai nan xe tren duong co duoc tinh la tai nan lao dong khong",
    ],
)
def test_an_accident_message_asking_for_papers_or_rights_gets_the_numbers_then_the_procedure(
    text: str,
) -> None:
    events, messages = run(ActionEmergency(), text, "emergency")
    assert messages[0]["response"] == "utter_emergency"
    assert events == [SlotSet("current_procedure", "1.001632")]
    assert "(mã 1.001632)" in messages[1]["text"]


def test_an_emergency_asking_where_to_call_gets_only_the_numbers() -> None:
    events, messages = run(ActionEmergency(), "nhà hàng xóm cháy rồi, gọi ở đâu", "emergency")
    assert events == []
    assert [m["response"] for m in messages] == ["utter_emergency"]
