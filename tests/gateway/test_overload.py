"""The turn limiter on its own: in-flight bound, bounded wait queue, release on errors."""

from __future__ import annotations

import asyncio

import pytest

from bot.gateway.overload import Overloaded, TurnLimiter


async def _hold(limiter: TurnLimiter, release: asyncio.Event) -> None:
    async with limiter.slot():
        await release.wait()


async def test_turns_beyond_inflight_wait_then_run() -> None:
    limiter = TurnLimiter(max_inflight=2, max_waiting=1, max_wait=5.0)
    release = asyncio.Event()
    holders = [asyncio.create_task(_hold(limiter, release)) for _ in range(2)]
    await asyncio.sleep(0)
    assert limiter.inflight == 2
    waiter = asyncio.create_task(_hold(limiter, asyncio.Event()))
    await asyncio.sleep(0)
    assert limiter.waiting == 1 and limiter.inflight == 2
    release.set()
    await asyncio.gather(*holders)
    await asyncio.sleep(0)
    assert limiter.inflight == 1 and limiter.waiting == 0  # the waiter got a slot
    waiter.cancel()


async def test_full_queue_is_refused_at_once() -> None:
    limiter = TurnLimiter(max_inflight=1, max_waiting=1, max_wait=5.0)
    release = asyncio.Event()
    holder = asyncio.create_task(_hold(limiter, release))
    waiter = asyncio.create_task(_hold(limiter, release))
    await asyncio.sleep(0)
    with pytest.raises(Overloaded) as refused:
        async with limiter.slot():
            pass
    assert refused.value.reason == "queue_full"
    release.set()
    await asyncio.gather(holder, waiter)
    assert limiter.inflight == 0 and limiter.waiting == 0


async def test_wait_is_bounded_in_time() -> None:
    limiter = TurnLimiter(max_inflight=1, max_waiting=5, max_wait=0.05)
    release = asyncio.Event()
    holder = asyncio.create_task(_hold(limiter, release))
    await asyncio.sleep(0)
    with pytest.raises(Overloaded) as refused:
        async with limiter.slot():
            pass
    assert refused.value.reason == "wait_timeout"
    assert limiter.waiting == 0
    release.set()
    await holder
    async with limiter.slot():  # the slot is free again
        assert limiter.inflight == 1


async def test_slot_released_when_the_turn_fails() -> None:
    limiter = TurnLimiter(max_inflight=1, max_waiting=0, max_wait=1.0)
    with pytest.raises(RuntimeError):
        async with limiter.slot():
            raise RuntimeError("rasa broke")
    assert limiter.inflight == 0
    async with limiter.slot():
        pass


def test_bounds_validated() -> None:
    with pytest.raises(ValueError):
        TurnLimiter(0, 1, 1.0)
