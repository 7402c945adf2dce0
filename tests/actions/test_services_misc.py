"""Satisfaction, personal data and merger actions."""

from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import AllSlotsReset, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import actions.privacy as privacy_actions
import actions.satisfaction as satisfaction_actions
from actions.admin_units import ASK_NAME, ActionAdminUnit
from actions.privacy import ActionConfirmDeleteData, ActionDeleteMyData
from actions.procedures import ActionAnswerProcedure
from actions.satisfaction import ActionRecordHelpfulness, ActionRecordRating
from bot.ratings import helpful_buttons
from bot.state.sqlite_store import SqliteStore


def tracker(
    text: str, intent: str, entities: list[dict[str, Any]] | None = None, **slots: Any
) -> Tracker:
    return Tracker(
        sender_id="citizen-1",
        slots=slots,
        latest_message={"text": text, "intent": {"name": intent}, "entities": entities or []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    s = SqliteStore(tmp_path / "s.sqlite3")
    monkeypatch.setattr(satisfaction_actions, "shared_store", lambda: s)
    monkeypatch.setattr(privacy_actions, "shared_store", lambda: s)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.delenv("REDIS_URL", raising=False)
    return s


def test_procedure_answer_carries_the_helpful_pair_within_five_buttons() -> None:
    dispatcher = CollectingDispatcher()
    ActionAnswerProcedure().run(
        dispatcher, tracker("khai sinh cần gì", "ask_procedure_documents"), {}
    )
    buttons = dispatcher.messages[0]["buttons"]
    assert len(buttons) <= 5 and buttons[-2:] == helpful_buttons("1.001193")


async def test_helpfulness_is_stored_with_the_procedure(store: Any) -> None:
    yes = tracker("", "answer_helpful", [{"entity": "procedure", "value": "1.001193"}])
    no = tracker("", "answer_not_helpful", current_procedure="1.000894")
    for t in (yes, no):
        await ActionRecordHelpfulness().run(CollectingDispatcher(), t, {})
    records = [r.data for r in await store.list_records("helpfulness")]
    assert records == [
        {"procedure": "1.001193", "helpful": True},
        {"procedure": "1.000894", "helpful": False},
    ]


async def test_a_procedure_question_taken_for_a_judgement_is_answered(store: Any) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker("điều chỉnh thông tin cư trú bị sai", "answer_helpful")
    events = await ActionRecordHelpfulness().run(dispatcher, t, {})
    assert "(mã " in dispatcher.messages[0]["text"]
    assert SlotSet("current_procedure", "1.010039") in events
    assert await store.list_records("helpfulness") == []  # no vote was cast


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("thông tin hữu ích lắm, cảm ơn ad", "answer_helpful"),
        ("tra loi chua dung y em hoi ve khai sinh", "answer_not_helpful"),
        ('/answer_helpful{"procedure":"1.001193"}', "answer_helpful"),
    ],
)
async def test_judgements_are_recorded(store: Any, text: str, intent: str) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker(text, intent, current_procedure="1.001193")
    await ActionRecordHelpfulness().run(dispatcher, t, {})
    assert "(mã " not in dispatcher.messages[0]["text"]
    assert len(await store.list_records("helpfulness")) == 1


async def test_rating(store: Any) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker(
        "", "rate_service", [{"entity": "rating", "value": "4"}], current_procedure="1.001193"
    )
    await ActionRecordRating().run(dispatcher, t, {})
    assert "4/5" in dispatcher.messages[0]["text"]
    dispatcher = CollectingDispatcher()
    await ActionRecordRating().run(dispatcher, tracker("tuyệt vời", "rate_service"), {})
    assert "1 đến 5" in dispatcher.messages[0]["text"]
    assert [r.data for r in await store.list_records("rating")] == [
        {"score": 4, "procedure": "1.001193"}
    ]


async def test_a_procedure_question_taken_for_a_rating_gets_the_answer(store: Any) -> None:
    dispatcher = CollectingDispatcher()
    text = "mất giấy khai sinh, xin cấp bản sao giấy khai sinh thì làm sao"
    events = await ActionRecordRating().run(dispatcher, tracker(text, "rate_service"), {})
    assert "(mã " in dispatcher.messages[0]["text"]
    assert events and events[0].get("name") == "current_procedure"
    assert await store.list_records("rating") == []


async def test_delete_my_data(store: Any) -> None:
    await store.set("webchat:history:citizen-1", "[]")
    dispatcher = CollectingDispatcher()
    events = await ActionDeleteMyData().run(dispatcher, tracker("có", "affirm"), {})
    assert events == [AllSlotsReset()]
    assert "đã xóa" in dispatcher.messages[0]["text"]
    assert await store.get("webchat:history:citizen-1") is None
    assert "citizen-1" in await store.map_items("privacy:pending_delete")  # second pass pending


@pytest.mark.parametrize(
    "text", ["xóa lịch sử chat của tôi", "xoa du lieu cua toi", "tôi muốn xóa hết dữ liệu"]
)
def test_a_deletion_request_is_confirmed_first(text: str) -> None:
    dispatcher = CollectingDispatcher()
    events = ActionConfirmDeleteData().run(dispatcher, tracker(text, "delete_my_data"), {})
    assert events == [SlotSet("delete_requested", True)]
    assert dispatcher.messages[0]["response"] == "utter_confirm_delete_data"


def test_a_procedure_question_taken_for_a_deletion_request_is_answered() -> None:
    dispatcher = CollectingDispatcher()
    text = "ông nội mất rồi, muốn xóa đăng ký thường trú cho ông thì cần giấy tờ gì"
    events = ActionConfirmDeleteData().run(dispatcher, tracker(text, "delete_my_data"), {})
    assert SlotSet("delete_requested", False) in events
    assert SlotSet("current_procedure", "1.003197") in events
    assert "(mã 1.003197)" in dispatcher.messages[0]["text"]


def test_merger_answer_points_to_this_commune() -> None:
    dispatcher = CollectingDispatcher()
    ActionAdminUnit().run(
        dispatcher, tracker("xã Đoàn Lập cũ giờ thuộc xã nào", "ask_admin_unit"), {}
    )
    text = dispatcher.messages[0]["text"]
    assert "Xã Đoàn Lập" in text and "nay thuộc Xã Tân Minh" in text
    assert "nơi tiếp nhận hồ sơ" in text  # Tân Minh is the sample commune
    dispatcher = CollectingDispatcher()
    ActionAdminUnit().run(dispatcher, tracker("xã cũ của tôi giờ thuộc đâu", "ask_admin_unit"), {})
    assert dispatcher.messages[0]["text"] == ASK_NAME


def test_a_procedure_question_taken_for_a_merger_question_is_answered() -> None:
    dispatcher = CollectingDispatcher()
    text = "ông nội mất rồi, muốn xóa đăng ký thường trú cho ông cần giấy tờ gì"
    events = ActionAdminUnit().run(dispatcher, tracker(text, "ask_admin_unit"), {})
    assert SlotSet("current_procedure", "1.003197") in events
    assert "(mã 1.003197)" in dispatcher.messages[0]["text"]
