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


async def test_status_changes_and_csv_export(tmp_path: Path) -> None:
    import csv
    import io

    import pytest

    from bot.feedback import export_csv, get_feedback, list_feedback, set_status

    async with SqliteStore(tmp_path / "s.sqlite3") as store:
        await submit_feedback(store, "Rác ở đầu ngõ 5 chưa được thu", "u1", phone="0912345678")
        await submit_feedback(store, "Cống thoát nước bị tắc ở xóm 2", "u2", place="xóm 2")
        changed = await set_status(store, "PA-000002", "done", note="Đã nạo vét")
        assert changed is not None and (changed.status, changed.note) == ("done", "Đã nạo vét")
        assert await set_status(store, "PA-000009", "done") is None
        with pytest.raises(ValueError):
            await set_status(store, "PA-000001", "finished")
        assert [f.reference for f in await list_feedback(store, "new")] == ["PA-000001"]
        everything = await list_feedback(store)
        first = await get_feedback(store, "1")
    assert first is not None and first.phone == "0912345678"
    rows = list(csv.DictReader(io.StringIO(export_csv(everything))))
    assert [r["reference"] for r in rows] == ["PA-000001", "PA-000002"]
    assert rows[0]["phone"] == "*******678" and rows[1]["place"] == "xóm 2"
    unmasked = list(csv.DictReader(io.StringIO(export_csv(everything, with_phone=True))))
    assert unmasked[0]["phone"] == "0912345678"


def test_phone_and_reference_parsing() -> None:
    from bot.feedback import find_reference, is_skip, mask_phone, normalize_phone

    assert find_reference("phản ánh PA-000012 đến đâu rồi") == 12
    assert find_reference("mã pa 7 ạ") == 7
    assert find_reference("tôi gửi hôm qua") is None
    assert normalize_phone("0912.345.678") == "0912345678"
    assert normalize_phone("+84 912 345 678") == "0912345678"
    assert normalize_phone("0225 3123456") == "02253123456"
    for bad in ("0912", "1234567890", "số tôi là 0912345678", "0112345678"):
        assert normalize_phone(bad) is None
    assert mask_phone("0912345678") == "*******678" and mask_phone(None) == ""
    assert is_skip(" Bỏ qua. ") and not is_skip("thôn 3")
