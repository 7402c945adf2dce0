"""Feedback and handoff requests survive a restart (a new store object on the same data), in
both state backends; the Redis tracker of a citizen is deleted on request."""

import os
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.feedback import get_feedback, submit_feedback
from bot.handoff import paused
from bot.handoff_requests import list_requests, request_handoff
from bot.privacy import delete_user_data
from bot.state.base import StateStore
from bot.state.redis_store import RedisStore
from bot.state.sqlite_store import SqliteStore

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(params=["sqlite", "redis"])
async def reopen(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Callable[[], StateStore]]:
    prefix = f"test{uuid.uuid4().hex[:8]}"
    opened: list[StateStore] = []

    def make() -> StateStore:
        s: StateStore = (
            SqliteStore(tmp_path / "state.sqlite3")
            if request.param == "sqlite"
            else RedisStore(REDIS_URL, prefix=prefix)
        )
        opened.append(s)
        return s

    yield make
    client = aioredis.Redis.from_url(REDIS_URL)
    keys = [k async for k in client.scan_iter(f"{prefix}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
    for s in opened:
        await s.close()


async def test_feedback_and_handoff_survive_a_restart(
    reopen: Callable[[], StateStore],
) -> None:
    first = reopen()
    feedback = await submit_feedback(
        first, "Cống xóm 2 bị tắc lâu rồi", "zalo:9", phone="0912345678"
    )
    await request_handoff(first, "zalo:9", "asked", "gặp cán bộ")
    await first.close()
    second = reopen()  # every process restarted
    again = await get_feedback(second, feedback.reference)
    assert again is not None and again.phone == "0912345678"
    assert [r.sender_id for r in await list_requests(second)] == ["zalo:9"]
    assert await paused(second, "zalo:9") is not None


async def test_redis_tracker_is_deleted(monkeypatch: pytest.MonkeyPatch) -> None:
    prefix = f"test{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.setenv("STATE_PREFIX", prefix)
    client = aioredis.Redis.from_url(REDIS_URL)
    await client.set(f"{prefix}:tracker:me", "{}")
    await client.set(f"{prefix}:tracker:other", "{}")
    store = RedisStore(REDIS_URL, prefix=prefix)
    try:
        result = await delete_user_data(store, "me")
        assert result["tracker"] == 1
        assert await client.exists(f"{prefix}:tracker:me") == 0
        assert await client.exists(f"{prefix}:tracker:other") == 1
    finally:
        keys = [k async for k in client.scan_iter(f"{prefix}:*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
        await store.close()
