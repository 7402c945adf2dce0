"""Bounded concurrency for web-chat turns: at most K turns in flight, a short bounded wait.

Past the bound the gateway answers 503 with `Retry-After` at once instead of letting requests
pile up until they time out (which would also waste the Rasa work of turns nobody waits for any
more). Only `/api/chat` turns are bounded: the Zalo webhook acknowledges after a durable enqueue
and its worker has its own parallelism limit, so a web-chat surge never delays a Zalo ack.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Overloaded(Exception):
    """No turn slot within the bounds; `reason` is `queue_full` or `wait_timeout`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TurnLimiter:
    """`max_inflight` concurrent turns; up to `max_waiting` more wait up to `max_wait` s each."""

    def __init__(self, max_inflight: int, max_waiting: int, max_wait: float) -> None:
        if max_inflight < 1 or max_waiting < 0 or max_wait < 0:
            raise ValueError("max_inflight >= 1, max_waiting >= 0, max_wait >= 0")
        self.max_inflight = max_inflight
        self.max_waiting = max_waiting
        self.max_wait = max_wait
        self._slots = asyncio.Semaphore(max_inflight)
        self.inflight = 0
        self.waiting = 0

    async def _acquire(self) -> None:
        if not self._slots.locked():
            await self._slots.acquire()  # a free slot: returns without yielding
            return
        if self.waiting >= self.max_waiting or self.max_wait == 0:
            raise Overloaded("queue_full")
        self.waiting += 1
        try:
            await asyncio.wait_for(self._slots.acquire(), self.max_wait)
        except asyncio.TimeoutError:
            raise Overloaded("wait_timeout") from None
        finally:
            self.waiting -= 1

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one turn slot for the body; raises `Overloaded` when none is available in time."""
        await self._acquire()
        self.inflight += 1
        try:
            yield
        finally:
            self.inflight -= 1
            self._slots.release()
