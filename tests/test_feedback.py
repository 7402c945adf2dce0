from pathlib import Path

from bot.feedback import content_problem, parse_reference, reference_for, submit_feedback
from bot.state.sqlite_store import SqliteStore


def test_reference_round_trip() -> None:
    assert reference_for(42) == "PA-000042"
    assert parse_reference("PA-000042") == 42
    assert parse_reference(" pa 42 ") == 42
    assert parse_reference("PA-") is None
    assert parse_reference("mã PA-1") is None


def test_content_problem() -> None:
    assert content_problem("đường hỏng") is not None  # too short to act on
    assert content_problem("   ") is not None
    assert content_problem("x" * 2001) is not None
    assert content_problem("Đèn đường thôn 3 hỏng từ tuần trước") is None


async def test_submit_feedback_is_durable(tmp_path: Path) -> None:
    async with SqliteStore(tmp_path / "s.sqlite3") as store:
        first = await submit_feedback(store, "  Rác   ở đầu ngõ 5 chưa được thu  ", "user-1")
        second = await submit_feedback(store, "Cống thoát nước bị tắc ở xóm 2", "user-2")
    assert (first.reference, second.reference) == ("PA-000001", "PA-000002")
    async with SqliteStore(tmp_path / "s.sqlite3") as store:
        record = await store.get_record("feedback", 1)
    assert record is not None
    assert record.data == {
        "content": "Rác ở đầu ngõ 5 chưa được thu",
        "sender_id": "user-1",
        "status": "new",
    }
