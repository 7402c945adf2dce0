from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.handoff as handoff_actions
from actions.handoff import REPHRASE, ActionFallback, ActionHandoff
from bot.handoff import paused
from bot.handoff_requests import list_requests
from bot.state.sqlite_store import SqliteStore


def tracker(text: str, intents: list[str]) -> Tracker:
    events = [
        {"event": "user", "text": "…", "parse_data": {"intent": {"name": name}}} for name in intents
    ]
    return Tracker(
        sender_id="citizen-1",
        slots={},
        latest_message={"text": text, "intent": {"name": intents[-1]}},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    s = SqliteStore(tmp_path / "s.sqlite3")
    monkeypatch.setattr(handoff_actions, "shared_store", lambda: s)
    return s


async def run(action: Any, t: Tracker) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, t, {})
    return dispatcher.messages


async def test_asking_for_a_person_tells_hours_and_hotline_and_pauses(store: Any) -> None:
    [message] = await run(ActionHandoff(), tracker("cho gặp cán bộ", ["request_human"]))
    assert "Thứ Hai – Thứ Sáu" in message["text"] and "Đường dây nóng" in message["text"]
    assert await paused(store, "citizen-1") is not None
    [request] = await list_requests(store)
    assert (request.sender_id, request.reason) == ("citizen-1", "asked")


async def test_first_fallback_rephrases_second_hands_over(store: Any) -> None:
    [first] = await run(ActionFallback(), tracker("xyz abc", ["greet", "nlu_fallback"]))
    assert first["text"] == REPHRASE and 1 <= len(first["buttons"]) <= 5
    assert await paused(store, "citizen-1") is None
    [second] = await run(ActionFallback(), tracker("qwe", ["nlu_fallback", "nlu_fallback"]))
    assert "xin lỗi" in second["text"] and "Đường dây nóng" in second["text"]
    assert await paused(store, "citizen-1") is not None
    assert [r.reason for r in await list_requests(store)] == ["fallback"]
    unanswered = await store.list_records("unanswered")
    assert [r.data["text"] for r in unanswered] == ["xyz abc", "qwe"]


async def test_emergency_missed_by_the_nlu_gets_the_numbers_first(store: Any) -> None:
    [message] = await run(ActionFallback(), tracker("nha toi bi chay", ["nlu_fallback"] * 2))
    assert "114" in message["text"] and "115" in message["text"] and "113" in message["text"]
    assert await paused(store, "citizen-1") is None


async def test_an_accident_aftermath_question_gets_the_numbers_then_the_procedure(
    store: Any,
) -> None:
    text = "anh tôi đi chữa cháy rừng bị chết, chưa đóng bhxh, làm hồ sơ hưởng chế độ cần gì"
    first, second, *alternatives = await run(ActionFallback(), tracker(text, ["nlu_fallback"]))
    assert "114" in first["text"]
    assert "(mã " in second["text"]
    assert all(message.get("buttons") for message in alternatives)


async def test_store_down_still_gives_contacts(monkeypatch: pytest.MonkeyPatch) -> None:
    class Down:
        async def map_items(self, name: str) -> None:
            raise ConnectionError("down")

    monkeypatch.setattr(handoff_actions, "shared_store", lambda: Down())
    [message] = await run(ActionHandoff(), tracker("gặp cán bộ", ["request_human"]))
    assert "chưa chuyển được" in message["text"] and "Đường dây nóng" in message["text"]


async def test_fallback_offers_close_procedures_instead_of_asking_to_rephrase(
    store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from bot.knowledge.loader import DEFAULT_DIR

    shutil.copytree(DEFAULT_DIR, tmp_path / "knowledge")
    monkeypatch.setenv("KNOWLEDGE_DIR", str(tmp_path / "knowledge"))
    [first] = await run(ActionFallback(), tracker("đăng ký", ["greet", "nlu_fallback"]))
    assert first["text"] != REPHRASE
    assert len(first["buttons"]) >= 2
    assert all(b["payload"].startswith("/ask_procedure") for b in first["buttons"])
    assert await store.list_records("unanswered") == []  # understood in part: not unanswered


async def test_a_procedure_question_taken_for_a_handoff_request_is_answered(store: Any) -> None:
    text = "ông nội mất rồi, muốn xóa đăng ký thường trú cho ông cần giấy tờ gì"
    messages = await run(ActionHandoff(), tracker(text, ["request_human"]))
    assert "(mã 1.003197)" in messages[0]["text"]
    assert await paused(store, "citizen-1") is None
    assert await list_requests(store) == []


async def test_asking_for_a_person_about_a_procedure_still_hands_over(store: Any) -> None:
    text = "cho tôi gặp cán bộ hỏi về xóa đăng ký thường trú"
    [message] = await run(ActionHandoff(), tracker(text, ["request_human"]))
    assert "Đường dây nóng" in message["text"]
    assert await paused(store, "citizen-1") is not None
