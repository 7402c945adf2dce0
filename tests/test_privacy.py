import json
import sqlite3
import time
from pathlib import Path

import pytest

from bot.feedback import submit_feedback
from bot.handoff_requests import request_handoff
from bot.privacy import (
    PENDING_MAP,
    delete_user_data,
    finish_pending,
    mark_pending,
    mask_personal_data,
    purge_expired,
    tracker_sqlite_path,
)
from bot.state.keys import WEB_MARKER_PREFIXES
from bot.state.sqlite_store import SqliteStore


def make_tracker_db(path: Path, rows: list[tuple[str, float]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
        "timestamp REAL, intent_name TEXT, action_name TEXT, data TEXT)"
    )
    conn.executemany(
        "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, '{}')",
        rows,
    )
    conn.commit()
    conn.close()


def senders(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    out = [r[0] for r in conn.execute("SELECT sender_id FROM events ORDER BY id")]
    conn.close()
    return out


async def test_delete_user_data_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.delenv("REDIS_URL", raising=False)
    now = time.time()
    make_tracker_db(tracker_sqlite_path(), [("me", now), ("other", now), ("me", now)])
    async with SqliteStore(tmp_path / "state.sqlite3") as store:
        await store.set("webchat:history:me", json.dumps([{"role": "user"}]))
        await store.set("webchat:history:other", "[]")
        for prefix in WEB_MARKER_PREFIXES:
            await store.set(f"{prefix}me", "1")
            await store.set(f"{prefix}other", "1")
        await submit_feedback(store, "Cống xóm 2 bị tắc", "me", phone="0912345678")
        await submit_feedback(store, "Rác đầu ngõ chưa thu", "other", phone="0987654321")
        await request_handoff(store, "me", "asked", "số tôi 0912345678")
        result = await delete_user_data(store, "me")
        assert result == {"tracker": 2, "history": 1, "feedback": 1, "handoff": 1}
        assert senders(tracker_sqlite_path()) == ["other"]
        assert await store.get("webchat:history:me") is None
        assert await store.get("webchat:history:other") == "[]"
        for prefix in WEB_MARKER_PREFIXES:
            assert await store.get(f"{prefix}me") is None
            assert await store.get(f"{prefix}other") == "1"
        mine, theirs = await store.list_records("feedback")
        assert mine.data["phone"] is None and mine.data["sender_id"] != "me"
        assert mine.data["content"] == "Cống xóm 2 bị tắc"  # staff still handle the report
        assert theirs.data["phone"] == "0987654321"
        [handoff] = await store.list_records("handoff")
        assert handoff.data["message"] is None


async def test_pending_deletion_is_finished_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.delenv("REDIS_URL", raising=False)
    async with SqliteStore(tmp_path / "state.sqlite3") as store:
        await mark_pending(store, "me")
        # Rasa saved the confirmation turn after the first pass
        make_tracker_db(tracker_sqlite_path(), [("me", time.time())])
        assert await finish_pending(store, older_than=60) == []  # too recent
        assert await finish_pending(store) == ["me"]
        assert senders(tracker_sqlite_path()) == []
        assert await store.map_items(PENDING_MAP) == {}


async def test_retention_purge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.delenv("REDIS_URL", raising=False)
    old = time.time() - 40 * 86400
    make_tracker_db(tracker_sqlite_path(), [("a", old), ("b", time.time())])
    async with SqliteStore(tmp_path / "state.sqlite3") as store:
        await submit_feedback(store, "Cống xóm 2 bị tắc", "a", phone="0912345678")
        await store._run(lambda: store._conn.execute("UPDATE records SET created_at = ?", (old,)))
        await submit_feedback(store, "Rác đầu ngõ chưa thu", "b", phone="0987654321")
        monkeypatch.setenv("DATA_RETENTION_DAYS", "30")
        counts = await purge_expired(store)
        assert counts == {"feedback": 1, "handoff": 0, "tracker_events": 1}
        first, second = await store.list_records("feedback")
        assert first.data["phone"] is None and second.data["phone"] == "0987654321"
    assert senders(tracker_sqlite_path()) == ["b"]


def test_masking() -> None:
    assert mask_personal_data("gọi 0912 345 678 nhé") == "gọi **** *** 678 nhé"
    assert mask_personal_data("CCCD 001203004567") == "CCCD *********567"
    assert mask_personal_data("mã 1.001193, phí 50.000 đồng") == "mã 1.001193, phí 50.000 đồng"
