"""The storage interface shared by all processes.

Two kinds of data live here:
- short-lived keys with an optional expiry (dedupe keys, handoff flags, tokens, secrets);
- durable records that staff must keep (feedback, handoff requests), grouped by kind and
  addressed by an id the store assigns in order (`FB-000001`-style references are built on it).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from typing import Any

from pydantic import BaseModel


class Record(BaseModel):
    """A durable record: its kind, its id within the kind, creation time and free-form data."""

    kind: str
    id: int
    created_at: float
    data: dict[str, Any]


class StateStore(ABC):
    """Async key/value store with expiry plus durable records. All methods are coroutine-safe."""

    # -- keys ---------------------------------------------------------------------------------
    @abstractmethod
    async def get(self, key: str) -> str | None:
        """The value of `key`, or None when missing or expired."""

    @abstractmethod
    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        """Store `value` under `key`, expiring after `ttl` seconds when given."""

    @abstractmethod
    async def set_if_absent(self, key: str, value: str, ttl: float | None = None) -> bool:
        """Store `value` only when `key` is missing; True when this call stored it (atomic)."""

    @abstractmethod
    async def delete(self, key: str) -> bool:
        """Remove `key`; True when it existed."""

    # -- maps (a small hash per name: pending work, indexes) -------------------------------------
    @abstractmethod
    async def map_set(self, name: str, field: str, value: str) -> None:
        """Store `value` under `field` of map `name` (created on first use; no expiry)."""

    @abstractmethod
    async def map_items(self, name: str) -> dict[str, str]:
        """Every field of map `name` with its value; empty when the map does not exist."""

    @abstractmethod
    async def map_delete(self, name: str, field: str) -> bool:
        """Remove `field` from map `name`; True when it existed."""

    # -- durable records ----------------------------------------------------------------------
    @abstractmethod
    async def add_record(self, kind: str, data: dict[str, Any]) -> Record:
        """Append a record of `kind`; the store assigns the next id (1, 2, ...) for that kind."""

    @abstractmethod
    async def get_record(self, kind: str, record_id: int) -> Record | None:
        """One record, or None."""

    @abstractmethod
    async def update_record(
        self, kind: str, record_id: int, changes: dict[str, Any]
    ) -> Record | None:
        """Merge `changes` into a record's data; the updated record, or None when unknown."""

    @abstractmethod
    async def list_records(self, kind: str, limit: int = 100, offset: int = 0) -> list[Record]:
        """Records of `kind`, oldest first."""

    async def iter_records(self, kind: str, page: int = 500) -> AsyncIterator[Record]:
        """Every record of `kind`, oldest first, fetched a page at a time (updating a record while
        iterating is fine: ids and order do not change)."""
        offset = 0
        while True:
            records = await self.list_records(kind, limit=page, offset=offset)
            for record in records:
                yield record
            if len(records) < page:
                return
            offset += page

    # -- lifecycle ----------------------------------------------------------------------------
    @abstractmethod
    async def ping(self) -> bool:
        """True when the backend answers."""

    @abstractmethod
    async def close(self) -> None:
        """Release connections."""

    async def __aenter__(self) -> StateStore:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
