from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import actions.feedback as feedback_actions
from actions.feedback import ActionSubmitFeedback, ValidateFeedbackForm
from bot.state.sqlite_store import SqliteStore


def tracker(slots: dict[str, Any]) -> Tracker:
    return Tracker(
        sender_id="citizen-1",
        slots=slots,
        latest_message={"text": "", "intent": {"name": "give_feedback"}},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": "feedback_form"},
        latest_action_name=None,
    )


def test_validate_rejects_short_content_with_a_hint() -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateFeedbackForm().validate_feedback_content("hỏng", dispatcher, tracker({}), {})
    assert result == {"feedback_content": None}
    assert "ngắn" in dispatcher.messages[0]["text"]


def test_validate_accepts_and_tidies_content() -> None:
    dispatcher = CollectingDispatcher()
    text = "Đèn   đường thôn 3 hỏng từ tuần trước"
    result = ValidateFeedbackForm().validate_feedback_content(text, dispatcher, tracker({}), {})
    assert result == {"feedback_content": "Đèn đường thôn 3 hỏng từ tuần trước"}
    assert dispatcher.messages == []


async def test_submit_stores_and_gives_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    monkeypatch.setattr(feedback_actions, "shared_store", lambda: store)
    dispatcher = CollectingDispatcher()
    content = "Cống thoát nước ở xóm 2 bị tắc"
    events = await ActionSubmitFeedback().run(
        dispatcher, tracker({"feedback_content": content}), {}
    )
    assert events == [SlotSet("feedback_content", None)]
    assert "PA-000001" in dispatcher.messages[0]["text"]
    record = await store.get_record("feedback", 1)
    assert record is not None and record.data["content"] == content
    assert record.data["sender_id"] == "citizen-1"
    await store.close()


async def test_submit_says_so_when_the_store_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    class Down:
        async def add_record(self, *_: Any) -> None:
            raise ConnectionError("down")

    monkeypatch.setattr(feedback_actions, "shared_store", lambda: Down())
    dispatcher = CollectingDispatcher()
    await ActionSubmitFeedback().run(dispatcher, tracker({"feedback_content": "x" * 20}), {})
    assert "chưa lưu được" in dispatcher.messages[0]["text"]
