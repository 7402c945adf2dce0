"""The durable queue on both state backends: order, parallel users, several gateways."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.gateway.zalo.queue import DONE, USERS_MAP, Job, Outcome, WorkQueue, order_key, retry
from bot.state.base import StateStore
from bot.state.redis_store import RedisStore
from bot.state.sqlite_store import SqliteStore

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(params=["sqlite", "redis"])
async def state(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StateStore]:
    if request.param == "sqlite":
        s: StateStore = SqliteStore(tmp_path / "q.sqlite3")
    else:
        s = RedisStore(REDIS_URL, prefix=f"testq-{uuid.uuid4().hex[:8]}")
    yield s
    if isinstance(s, RedisStore):
        keys = [k async for k in s._redis.scan_iter(f"{s.prefix}:*")]
        if keys:
            await s._redis.delete(*keys)
    await s.close()


def queue(store: StateStore, handler, **kw) -> WorkQueue:
    kw.setdefault("max_delay", 0.05)
    return WorkQueue(store, handler, lease_seconds=2.0, sweep_interval=0.05, **kw)


async def _until(check, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timeout")


async def test_two_gateways_share_the_work_once_and_in_order(state: StateStore) -> None:
    done: list[tuple[str, str, str]] = []
    running: set[str] = set()

    def handler_for(name: str):
        async def handle(job: Job) -> Outcome:
            assert job.user not in running, "two workers on one user at once"
            running.add(job.user)
            await asyncio.sleep(0.005)
            running.discard(job.user)
            done.append((name, job.user, job.text or ""))
            return DONE

        return handle

    a = queue(state, handler_for("a"))
    b = queue(state, handler_for("b"))
    a.start()
    b.start()
    try:
        for n in range(8):
            for user in ("u1", "u2", "u3"):
                target = a if (n + len(user)) % 2 else b
                await target.enqueue(
                    Job(id=order_key(1000 + n), user=user, kind="text", text=str(n))
                )
        await _until(lambda: len(done) == 24)
        # The index entry goes when a worker next finds the user's queue empty, just after its
        # last job; stopping before that would (harmlessly) leave it for the next sweep.
        for _ in range(250):
            if not await state.map_items(USERS_MAP):
                break
            await asyncio.sleep(0.02)
    finally:
        await a.stop()
        await b.stop()
    for user in ("u1", "u2", "u3"):
        assert [t for _, u, t in done if u == user] == [str(n) for n in range(8)]
    assert await state.map_items(USERS_MAP) == {}


async def test_failures_back_off_then_succeed_and_hold_later_work(state: StateStore) -> None:
    calls: list[str] = []

    async def handle(job: Job) -> Outcome:
        calls.append(job.text or "")
        if job.text == "first" and calls.count("first") < 3:
            return retry("Rasa down")
        return DONE

    q = queue(state, handle)
    q.start()
    try:
        await q.enqueue(Job(id=order_key(1), user="u", kind="text", text="first"))
        await q.enqueue(Job(id=order_key(2), user="u", kind="text", text="second"))
        await _until(lambda: "second" in calls)
    finally:
        await q.stop()
    assert calls == ["first", "first", "first", "second"]


async def test_gives_up_after_max_attempts(
    state: StateStore, caplog: pytest.LogCaptureFixture
) -> None:
    async def handle(job: Job) -> Outcome:
        return retry("always failing")

    q = queue(state, handle, max_attempts=3)
    q.start()
    try:
        await q.enqueue(Job(user="u", kind="text", text="x"))
        await _until(lambda: q.given_up == 1)
    finally:
        await q.stop()
    assert await q.pending() == 0
    assert "given up" in caplog.text


async def test_stored_work_is_resumed_by_a_new_queue(state: StateStore) -> None:
    handled: list[str] = []

    async def never(job: Job) -> Outcome:
        return retry("down")

    first = queue(state, never, max_delay=10.0)
    first.start()
    await first.enqueue(Job(user="u9", kind="text", text="giữ lại"))
    await asyncio.sleep(0.1)
    await first.stop()
    assert await first.pending() == 1

    async def ok(job: Job) -> Outcome:
        handled.append(job.text or "")
        return DONE

    second = queue(state, ok)
    second.start()
    try:
        # The stored job waits for its backoff (<= 10 s); shorten it as an operator could.
        jobs = await state.map_items("zalo:jobs:u9")
        job = Job.model_validate_json(next(iter(jobs.values())))
        job.not_before = 0
        await second.save(job)
        await _until(lambda: handled == ["giữ lại"])
    finally:
        await second.stop()
