"""Both state backends behave the same; Redis tests use the real Redis on 127.0.0.1:6379."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.state import StateStore, open_store
from bot.state.redis_store import RedisStore
from bot.state.sqlite_store import SqliteStore

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(params=["sqlite", "redis"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StateStore]:
    if request.param == "sqlite":
        s: StateStore = SqliteStore(tmp_path / "state.sqlite3")
    else:
        s = RedisStore(REDIS_URL, prefix=f"test-{uuid.uuid4().hex[:8]}")
    yield s
    if isinstance(s, RedisStore):
        keys = [k async for k in s._redis.scan_iter(f"{s.prefix}:*")]
        if keys:
            await s._redis.delete(*keys)
    await s.close()


async def test_get_set_delete(store: StateStore) -> None:
    assert await store.get("a") is None
    await store.set("a", "một")
    assert await store.get("a") == "một"
    assert await store.delete("a") is True
    assert await store.delete("a") is False
    assert await store.get("a") is None


async def test_expiry(store: StateStore) -> None:
    await store.set("short", "x", ttl=0.2)
    assert await store.get("short") == "x"
    await asyncio.sleep(0.35)
    assert await store.get("short") is None


async def test_set_if_absent_is_exclusive_and_respects_expiry(store: StateStore) -> None:
    assert await store.set_if_absent("msg:1", "a", ttl=0.2) is True
    assert await store.set_if_absent("msg:1", "b", ttl=0.2) is False
    assert await store.get("msg:1") == "a"
    await asyncio.sleep(0.35)
    assert await store.set_if_absent("msg:1", "c") is True


async def test_set_if_absent_under_concurrency(store: StateStore) -> None:
    results = await asyncio.gather(*(store.set_if_absent("race", str(i)) for i in range(20)))
    assert sum(results) == 1


async def test_records_get_ids_in_order_and_update(store: StateStore) -> None:
    first = await store.add_record("feedback", {"content": "Đường hỏng", "status": "new"})
    second = await store.add_record("feedback", {"content": "Đèn tắt", "status": "new"})
    other = await store.add_record("handoff", {"sender": "x"})
    assert (first.id, second.id, other.id) == (1, 2, 1)

    updated = await store.update_record("feedback", 2, {"status": "done"})
    assert updated is not None and updated.data == {"content": "Đèn tắt", "status": "done"}
    fetched = await store.get_record("feedback", 2)
    assert fetched is not None and fetched.data["status"] == "done"
    assert await store.update_record("feedback", 99, {"status": "x"}) is None
    assert await store.get_record("feedback", 99) is None

    listed = await store.list_records("feedback")
    assert [r.id for r in listed] == [1, 2]
    assert [r.id for r in await store.list_records("feedback", limit=1, offset=1)] == [2]


async def test_concurrent_records_get_distinct_ids(store: StateStore) -> None:
    records = await asyncio.gather(*(store.add_record("k", {"i": i}) for i in range(25)))
    assert sorted(r.id for r in records) == list(range(1, 26))


async def test_ping(store: StateStore) -> None:
    assert await store.ping() is True


async def test_sqlite_records_survive_reopen(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    async with SqliteStore(path) as s:
        await s.add_record("feedback", {"content": "giữ lại"})
        await s.set("flag", "1")
    async with SqliteStore(path) as s:
        record = await s.get_record("feedback", 1)
        assert record is not None and record.data == {"content": "giữ lại"}
        assert await s.get("flag") == "1"


async def test_redis_ping_false_when_down() -> None:
    s = RedisStore("redis://127.0.0.1:1/0")
    assert await s.ping() is False
    await s.close()


def test_open_store_picks_backend(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert isinstance(open_store(), SqliteStore)
    assert (tmp_path / "state.sqlite3").exists()
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    assert isinstance(open_store(), RedisStore)


async def test_maps_set_list_delete(store: StateStore) -> None:
    assert await store.map_items("jobs:u1") == {}
    await store.map_set("jobs:u1", "b", "hai")
    await store.map_set("jobs:u1", "a", "một")
    await store.map_set("jobs:u1", "a", "một (sửa)")  # overwrite keeps one field
    await store.map_set("jobs:u2", "a", "khác")
    assert await store.map_items("jobs:u1") == {"a": "một (sửa)", "b": "hai"}
    assert await store.map_delete("jobs:u1", "a") is True
    assert await store.map_delete("jobs:u1", "a") is False
    assert await store.map_items("jobs:u1") == {"b": "hai"}
    assert await store.map_items("jobs:u2") == {"a": "khác"}
    # Maps and plain keys are separate namespaces.
    await store.set("jobs:u1", "plain")
    assert await store.map_items("jobs:u1") == {"b": "hai"}


async def test_maps_under_concurrency(store: StateStore) -> None:
    await asyncio.gather(*(store.map_set("m", str(i), str(i * i)) for i in range(30)))
    items = await store.map_items("m")
    assert items == {str(i): str(i * i) for i in range(30)}


async def test_sqlite_maps_survive_reopen(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    async with SqliteStore(path) as s:
        await s.map_set("pending", "job-1", '{"text": "xin chào"}')
    async with SqliteStore(path) as s:
        assert await s.map_items("pending") == {"job-1": '{"text": "xin chào"}'}


async def test_iter_records_pages_through_everything(store: StateStore) -> None:
    for i in range(7):
        await store.add_record("paged", {"i": i})
    seen = [r.data["i"] async for r in store.iter_records("paged", page=3)]
    assert seen == list(range(7))
    assert [r async for r in store.iter_records("empty", page=3)] == []
