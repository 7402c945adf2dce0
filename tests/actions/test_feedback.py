from collections.abc import AsyncIterator
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


@pytest.fixture
async def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[SqliteStore]:
    """The actions' shared state, on a fresh SQLite file."""
    state = SqliteStore(tmp_path / "s.sqlite3")
    monkeypatch.setattr(feedback_actions, "shared_store", lambda: state)
    yield state
    await state.close()


async def test_submit_stores_and_gives_reference(store: SqliteStore) -> None:
    dispatcher = CollectingDispatcher()
    content = "Cống thoát nước ở xóm 2 bị tắc"
    events = await ActionSubmitFeedback().run(
        dispatcher, tracker({"feedback_content": content}), {}
    )
    assert SlotSet("feedback_content", None) in events
    assert SlotSet("feedback_phone", None) in events
    assert "PA-000001" in dispatcher.messages[0]["text"]
    record = await store.get_record("feedback", 1)
    assert record is not None and record.data["content"] == content
    assert record.data["sender_id"] == "citizen-1"


async def test_submit_stores_nothing_when_the_form_ended_without_a_report(
    store: SqliteStore,
) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitFeedback().run(dispatcher, tracker({"feedback_content": None}), {})
    assert events == [] and dispatcher.messages == []
    assert await store.get_record("feedback", 1) is None


async def test_submit_says_so_when_the_store_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    class Down:
        async def add_record(self, *_: Any) -> None:
            raise ConnectionError("down")

    monkeypatch.setattr(feedback_actions, "shared_store", lambda: Down())
    dispatcher = CollectingDispatcher()
    await ActionSubmitFeedback().run(dispatcher, tracker({"feedback_content": "x" * 20}), {})
    assert "chưa lưu được" in dispatcher.messages[0]["text"]


DOMAIN: dict[str, Any] = {
    "slots": {
        "feedback_content": {"type": "text", "mappings": [{"type": "from_text"}]},
        "feedback_place": {"type": "text", "mappings": [{"type": "custom"}]},
        "feedback_phone": {"type": "text", "mappings": [{"type": "custom"}]},
    },
    "forms": {
        "feedback_form": {
            "required_slots": ["feedback_content", "feedback_place", "feedback_phone"]
        }
    },
}


def asking(slot: str | None, text: str, intent: str = "inform") -> Tracker:
    return Tracker(
        sender_id="citizen-1",
        slots={"requested_slot": slot, "feedback_content": "Cống xóm 2 bị tắc lâu rồi"},
        latest_message={"text": text, "intent": {"name": intent}},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": "feedback_form"},
        latest_action_name="action_listen",
    )


async def run_form(t: Tracker) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = await ValidateFeedbackForm().run(dispatcher, t, DOMAIN)
    return dispatcher.messages, {e["name"]: e["value"] for e in events}


async def test_skip_words_skip_optional_questions_even_when_read_as_cancel() -> None:
    _, slots = await run_form(asking("feedback_place", "Bỏ qua", "cancel"))
    assert slots == {"feedback_place": "-"}
    _, slots = await run_form(asking("feedback_phone", "không", "deny"))
    assert slots == {"feedback_phone": "-"}


async def test_a_real_cancel_is_left_to_the_rules() -> None:
    _, slots = await run_form(asking("feedback_place", "thôi không gửi nữa", "cancel"))
    assert slots == {}


async def test_place_and_phone_are_validated() -> None:
    _, slots = await run_form(asking("feedback_place", "  thôn 4,  gần trường  "))
    assert slots == {"feedback_place": "thôn 4, gần trường"}
    _, slots = await run_form(asking("feedback_phone", "+84 912 345 678"))
    assert slots == {"feedback_phone": "0912345678"}
    messages, slots = await run_form(asking("feedback_phone", "0912"))
    assert slots == {"feedback_phone": None}
    assert "chưa đúng" in messages[0]["text"]


async def test_submit_keeps_place_and_phone_and_masks_the_phone_in_the_reply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    monkeypatch.setattr(feedback_actions, "shared_store", lambda: store)
    dispatcher = CollectingDispatcher()
    slots = {"feedback_content": "Cống xóm 2 bị tắc", "feedback_place": "xóm 2",
             "feedback_phone": "0912345678"}  # fmt: skip
    await ActionSubmitFeedback().run(dispatcher, tracker(slots), {})
    text = dispatcher.messages[0]["text"]
    assert "0912345678" not in text and "*******678" in text
    record = await store.get_record("feedback", 1)
    assert record is not None
    assert (record.data["place"], record.data["phone"]) == ("xóm 2", "0912345678")
    skipped = {"feedback_content": "Rác đầu ngõ chưa thu", "feedback_place": "-",
               "feedback_phone": "-"}  # fmt: skip
    await ActionSubmitFeedback().run(CollectingDispatcher(), tracker(skipped), {})
    second = await store.get_record("feedback", 2)
    assert second is not None and "place" not in second.data and "phone" not in second.data
    await store.close()


async def test_feedback_status_by_reference_in_a_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from actions.feedback import ASK_REFERENCE, ActionFeedbackStatus
    from bot.feedback import set_status, submit_feedback

    store = SqliteStore(tmp_path / "s.sqlite3")
    monkeypatch.setattr(feedback_actions, "shared_store", lambda: store)
    await submit_feedback(store, "Đèn đường thôn 3 hỏng", "someone", phone="0912345678")
    await set_status(store, "PA-000001", "in_progress", note="Đã báo điện lực")

    async def ask(text: str) -> str:
        dispatcher = CollectingDispatcher()
        t = tracker({})
        t.latest_message = {"text": text, "intent": {"name": "ask_feedback_status"}}
        await ActionFeedbackStatus().run(dispatcher, t, {})
        return dispatcher.messages[0]["text"]

    text = await ask("phản ánh PA-000001 đến đâu rồi")
    assert "đang được cán bộ xử lý" in text and "Đã báo điện lực" in text
    assert "Đèn đường" not in text and "678" not in text  # references are guessable
    assert await ask("phản ánh của tôi sao rồi") == ASK_REFERENCE
    assert "không tìm thấy" in await ask("pa-99")
    await store.close()


def opening_feedback_form(text: str) -> Tracker:
    """The turn the NLU called a report: the form validates the message as its content."""
    t = asking(None, text, "give_feedback")
    t.slots["feedback_content"] = text
    t.events = [
        {"event": "user", "text": text},
        {"event": "slot", "name": "feedback_content", "value": text},
    ]
    return t


@pytest.mark.parametrize(
    "text",
    [
        "đăng ký cai nghiện ma túy tự nguyện",
        "tam nghi kinh doanh vai thang thi lam sao",  # a question cue lowers the bar
    ],
)
async def test_a_procedure_question_taken_for_a_report_is_answered_and_ends_the_form(
    text: str,
) -> None:
    messages, slots = await run_form(opening_feedback_form(text))
    assert any("(mã " in (m.get("text") or "") for m in messages)
    assert slots["requested_slot"] is None
    assert slots["feedback_content"] is None


@pytest.mark.parametrize(
    "text",
    [
        "tôi muốn phản ánh việc cấp sổ đỏ chậm",  # says it is a report
        "đường vào thôn 3 bị ngập nước mấy hôm nay không ai xử lý",  # no procedure fits
        "hàng xóm xả rác ra đường",  # a weak match and no question
    ],
)
async def test_a_report_stays_a_report(text: str) -> None:
    messages, slots = await run_form(opening_feedback_form(text))
    assert not any("(mã " in (m.get("text") or "") for m in messages)
    assert slots["feedback_content"] == " ".join(text.split())
    assert "requested_slot" not in slots
