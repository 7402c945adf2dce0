"""Redis backend: production and multi-process/multi-host deployments.

Keys live under one prefix so that several installations (or tests) can share a Redis database.
Records are a hash per kind (id -> JSON) plus a counter, so ids are assigned atomically.
"""

from __future__ import annotations

import json
import time
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from bot.state.base import Record, StateStore

# Merge into a record atomically: read, update, write back within one script.
_UPDATE_SCRIPT = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return false end
local rec = cjson.decode(raw)
local changes = cjson.decode(ARGV[2])
for k, v in pairs(changes) do rec['data'][k] = v end
local out = cjson.encode(rec)
redis.call('HSET', KEYS[1], ARGV[1], out)
return out
"""


class RedisStore(StateStore):
    def __init__(self, url: str, prefix: str = "commune") -> None:
        self.prefix = prefix
        self._redis = aioredis.Redis.from_url(url, decode_responses=True)
        self._update = self._redis.register_script(_UPDATE_SCRIPT)

    def _k(self, key: str) -> str:
        return f"{self.prefix}:kv:{key}"

    async def get(self, key: str) -> str | None:
        return await self._redis.get(self._k(key))

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        await self._redis.set(self._k(key), value, px=int(ttl * 1000) if ttl else None)

    async def set_if_absent(self, key: str, value: str, ttl: float | None = None) -> bool:
        done = await self._redis.set(
            self._k(key), value, nx=True, px=int(ttl * 1000) if ttl else None
        )
        return bool(done)

    async def delete(self, key: str) -> bool:
        return bool(await self._redis.delete(self._k(key)))

    # -- maps ---------------------------------------------------------------------------------
    def _m(self, name: str) -> str:
        return f"{self.prefix}:map:{name}"

    async def map_set(self, name: str, field: str, value: str) -> None:
        await self._redis.hset(self._m(name), field, value)

    async def map_items(self, name: str) -> dict[str, str]:
        return await self._redis.hgetall(self._m(name))

    async def map_delete(self, name: str, field: str) -> bool:
        return bool(await self._redis.hdel(self._m(name), field))

    # -- durable records ----------------------------------------------------------------------
    def _records_key(self, kind: str) -> str:
        return f"{self.prefix}:records:{kind}"

    async def add_record(self, kind: str, data: dict[str, Any]) -> Record:
        record_id = await self._redis.incr(f"{self.prefix}:records-seq:{kind}")
        record = Record(kind=kind, id=record_id, created_at=time.time(), data=data)
        await self._redis.hset(self._records_key(kind), str(record_id), _dump(record))
        return record

    async def get_record(self, kind: str, record_id: int) -> Record | None:
        raw = await self._redis.hget(self._records_key(kind), str(record_id))
        return Record.model_validate_json(raw) if raw else None

    async def update_record(
        self, kind: str, record_id: int, changes: dict[str, Any]
    ) -> Record | None:
        raw = await self._update(
            keys=[self._records_key(kind)],
            args=[str(record_id), json.dumps(changes, ensure_ascii=False)],
        )
        return Record.model_validate_json(raw) if raw else None

    async def list_records(self, kind: str, limit: int = 100, offset: int = 0) -> list[Record]:
        ids = sorted(int(i) for i in await self._redis.hkeys(self._records_key(kind)))
        page = [str(i) for i in ids[offset : offset + limit]]
        if not page:
            return []
        raws = await self._redis.hmget(self._records_key(kind), page)
        return [Record.model_validate_json(r) for r in raws if r]

    # -- lifecycle ----------------------------------------------------------------------------
    async def ping(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except (RedisError, OSError):
            return False

    async def close(self) -> None:
        await self._redis.aclose()


def _dump(record: Record) -> str:
    # ensure_ascii=False keeps Vietnamese readable in redis-cli; cjson decodes UTF-8 fine.
    return json.dumps(record.model_dump(), ensure_ascii=False)
