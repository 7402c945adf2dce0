from pathlib import Path

import pytest

from bot.handoff import paused
from bot.handoff_requests import list_requests, release_handoff, request_handoff
from bot.state.sqlite_store import SqliteStore


async def test_request_pauses_records_and_survives_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HANDOFF_TTL_SECONDS", "600")
    path = tmp_path / "s.sqlite3"
    async with SqliteStore(path) as store:
        first = await request_handoff(store, "zalo:1", "asked", "gặp cán bộ, sđt 0912345678")
        again = await request_handoff(store, "zalo:1", "fallback", "vẫn chưa hiểu")
        other = await request_handoff(store, "web:2", "fallback", "???")
        flag = await paused(store, "zalo:1")
    assert first.id == again.id != other.id  # one open request per citizen
    assert "0912345678" not in first.message and first.message.endswith("678")
    assert flag is not None and flag["until"] - flag["since"] == pytest.approx(600)
    async with SqliteStore(path) as store:  # a restart of every process
        open_ = await list_requests(store)
        assert [(r.sender_id, r.reason) for r in open_] == [
            ("zalo:1", "fallback"),
            ("web:2", "fallback"),
        ]
        result = await release_handoff(store, "zalo:1", by="chị Lan")
        assert result == {"was_paused": True, "closed": [first.id]}
        assert await paused(store, "zalo:1") is None
        assert [r.sender_id for r in await list_requests(store)] == ["web:2"]
        released = [r for r in await list_requests(store, None) if r.status == "released"]
        assert released[0].released_by == "chị Lan"
        # a new request after the release opens a new record
        later = await request_handoff(store, "zalo:1", "asked", "")
        assert later.id not in (first.id, other.id)
        assert await release_handoff(store, "nobody") == {"was_paused": False, "closed": []}
