"""AtomicRedisLockStore under contention, against the real Redis (Rasa env: `make test-nlu`)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator

import pytest

pytest.importorskip("rasa")  # the lock store runs inside Rasa; the app env skips this module

import redis
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_lock_store import AtomicRedisLockStore

pytestmark = pytest.mark.rasa


@pytest.fixture
def prefix() -> Iterator[str]:
    prefix = f"lt{uuid.uuid4().hex[:10]}"
    yield prefix
    client = redis.Redis(host="127.0.0.1", port=6379, db=0)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def make_store(prefix: str) -> AtomicRedisLockStore:
    # One store per thread, as each Rasa process has its own.
    config = EndpointConfig(url="127.0.0.1", port=6379, db=0, key_prefix=prefix)
    return AtomicRedisLockStore(endpoint_config=config)


def run_threads(count: int, target) -> None:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        barrier.wait()
        try:
            target(n)
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_simultaneous_tickets_are_all_different(prefix: str) -> None:
    numbers: list[int] = []
    stores = [make_store(prefix) for _ in range(8)]

    def take(n: int) -> None:
        for _ in range(25):
            numbers.append(stores[n].issue_ticket("citizen", 60))

    run_threads(8, take)
    assert sorted(numbers) == list(range(200))


def test_one_turn_at_a_time_per_conversation_and_no_key_left(prefix: str) -> None:
    inside = 0
    most_inside = 0
    served: list[int] = []
    guard = threading.Lock()
    stores = [make_store(prefix) for _ in range(6)]

    async def turns(n: int) -> None:
        nonlocal inside, most_inside
        for i in range(10):
            async with stores[n].lock("citizen", 30):
                with guard:
                    inside += 1
                    most_inside = max(most_inside, inside)
                await asyncio.sleep(0.002)
                with guard:
                    inside -= 1
                    served.append(n * 100 + i)

    run_threads(6, lambda n: asyncio.run(turns(n)))
    assert most_inside == 1
    assert len(served) == 60
    assert stores[0].get_lock("citizen") is None  # released: no key left in Redis


def test_a_ticket_left_by_a_killed_process_expires(prefix: str) -> None:
    store = make_store(prefix)
    store.issue_ticket("citizen", 0.3)  # taken, never given back (the process died)

    async def next_turn() -> float:
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with store.lock("citizen", 30):
            return loop.time() - started

    waited = asyncio.run(next_turn())
    assert 0.2 < waited < 2.0


def test_a_queue_longer_than_the_ticket_lifetime_is_still_served_in_full(prefix: str) -> None:
    served: list[int] = []
    stores = [make_store(prefix) for _ in range(4)]

    async def turn(n: int) -> None:
        async with stores[n].lock("citizen", 0.5):  # each turn 0.3 s: the queue lasts 1.2 s
            await asyncio.sleep(0.3)
            served.append(n)

    run_threads(4, lambda n: asyncio.run(turn(n)))
    assert sorted(served) == [0, 1, 2, 3]
