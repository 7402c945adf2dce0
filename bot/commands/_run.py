"""Run one coroutine against the shared state store from a synchronous CLI command."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.state import StateStore, open_store

T = TypeVar("T")


def with_store(job: Callable[[StateStore], Awaitable[T]]) -> T:
    async def main() -> T:
        async with open_store() as store:
            return await job(store)

    return asyncio.run(main())
