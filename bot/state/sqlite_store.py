"""SQLite backend: the embedded default for one machine (no server), durable across restarts.

sqlite3 is synchronous, so every call runs in a worker thread; one connection per store with a lock,
WAL mode so that several processes (gateway, action server, CLI) can share the file.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from bot.state.base import Record, StateStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    expires_at REAL
);
CREATE TABLE IF NOT EXISTS maps (
    name TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (name, field)
);
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    id INTEGER NOT NULL,
    created_at REAL NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
"""


class SqliteStore(StateStore):
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(
            self.path, check_same_thread=False, timeout=10, isolation_level=None
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)

    async def _run(self, fn: Any, *args: Any) -> Any:
        def locked() -> Any:
            with self._lock:
                return fn(*args)

        return await asyncio.to_thread(locked)

    # -- keys ---------------------------------------------------------------------------------
    def _get(self, key: str) -> str | None:
        row = self._conn.execute(
            "SELECT value FROM kv WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)",
            (key, time.time()),
        ).fetchone()
        return row[0] if row else None

    async def get(self, key: str) -> str | None:
        return await self._run(self._get, key)

    def _set(self, key: str, value: str, ttl: float | None) -> None:
        expires = time.time() + ttl if ttl else None
        self._conn.execute(
            "INSERT INTO kv(key, value, expires_at) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
            (key, value, expires),
        )

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        await self._run(self._set, key, value, ttl)

    def _set_if_absent(self, key: str, value: str, ttl: float | None) -> bool:
        now = time.time()
        expires = now + ttl if ttl else None
        # BEGIN IMMEDIATE takes the write lock, so the check and the write are atomic across processes.
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            self._conn.execute(
                "DELETE FROM kv WHERE key = ? AND expires_at IS NOT NULL AND expires_at <= ?",
                (key, now),
            )
            cur = self._conn.execute(
                "INSERT OR IGNORE INTO kv(key, value, expires_at) VALUES (?, ?, ?)",
                (key, value, expires),
            )
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return cur.rowcount == 1

    async def set_if_absent(self, key: str, value: str, ttl: float | None = None) -> bool:
        return await self._run(self._set_if_absent, key, value, ttl)

    def _delete(self, key: str) -> bool:
        now = time.time()
        cur = self._conn.execute(
            "DELETE FROM kv WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)", (key, now)
        )
        return cur.rowcount == 1

    async def delete(self, key: str) -> bool:
        return await self._run(self._delete, key)

    # -- maps ---------------------------------------------------------------------------------
    def _map_set(self, name: str, field: str, value: str) -> None:
        self._conn.execute(
            "INSERT INTO maps(name, field, value) VALUES (?, ?, ?) "
            "ON CONFLICT(name, field) DO UPDATE SET value = excluded.value",
            (name, field, value),
        )

    async def map_set(self, name: str, field: str, value: str) -> None:
        await self._run(self._map_set, name, field, value)

    def _map_items(self, name: str) -> dict[str, str]:
        rows = self._conn.execute("SELECT field, value FROM maps WHERE name = ?", (name,))
        return dict(rows.fetchall())

    async def map_items(self, name: str) -> dict[str, str]:
        return await self._run(self._map_items, name)

    def _map_delete(self, name: str, field: str) -> bool:
        cur = self._conn.execute("DELETE FROM maps WHERE name = ? AND field = ?", (name, field))
        return cur.rowcount == 1

    async def map_delete(self, name: str, field: str) -> bool:
        return await self._run(self._map_delete, name, field)

    # -- durable records ----------------------------------------------------------------------
    def _add_record(self, kind: str, data: dict[str, Any]) -> Record:
        created = time.time()
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            (last,) = self._conn.execute(
                "SELECT COALESCE(MAX(id), 0) FROM records WHERE kind = ?", (kind,)
            ).fetchone()
            self._conn.execute(
                "INSERT INTO records(kind, id, created_at, data) VALUES (?, ?, ?, ?)",
                (kind, last + 1, created, json.dumps(data, ensure_ascii=False)),
            )
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return Record(kind=kind, id=last + 1, created_at=created, data=data)

    async def add_record(self, kind: str, data: dict[str, Any]) -> Record:
        return await self._run(self._add_record, kind, data)

    def _get_record(self, kind: str, record_id: int) -> Record | None:
        row = self._conn.execute(
            "SELECT id, created_at, data FROM records WHERE kind = ? AND id = ?", (kind, record_id)
        ).fetchone()
        if row is None:
            return None
        return Record(kind=kind, id=row[0], created_at=row[1], data=json.loads(row[2]))

    async def get_record(self, kind: str, record_id: int) -> Record | None:
        return await self._run(self._get_record, kind, record_id)

    def _update_record(self, kind: str, record_id: int, changes: dict[str, Any]) -> Record | None:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            record = self._get_record(kind, record_id)
            if record is not None:
                record.data.update(changes)
                self._conn.execute(
                    "UPDATE records SET data = ? WHERE kind = ? AND id = ?",
                    (json.dumps(record.data, ensure_ascii=False), kind, record_id),
                )
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return record

    async def update_record(
        self, kind: str, record_id: int, changes: dict[str, Any]
    ) -> Record | None:
        return await self._run(self._update_record, kind, record_id, changes)

    def _list_records(self, kind: str, limit: int, offset: int) -> list[Record]:
        rows = self._conn.execute(
            "SELECT id, created_at, data FROM records WHERE kind = ? ORDER BY id LIMIT ? OFFSET ?",
            (kind, limit, offset),
        ).fetchall()
        return [Record(kind=kind, id=i, created_at=c, data=json.loads(d)) for i, c, d in rows]

    async def list_records(self, kind: str, limit: int = 100, offset: int = 0) -> list[Record]:
        return await self._run(self._list_records, kind, limit, offset)

    # -- lifecycle ----------------------------------------------------------------------------
    async def ping(self) -> bool:
        try:
            await self._run(lambda: self._conn.execute("SELECT 1").fetchone())
        except sqlite3.Error:
            return False
        return True

    async def close(self) -> None:
        await self._run(self._conn.close)
