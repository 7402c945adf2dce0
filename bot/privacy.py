"""Personal data (Decree 13/2023/NĐ-CP): masking, deletion on request, retention.

`delete_user_data` removes one citizen's conversation and personal data:
- the Rasa tracker through the tracker store's own storage: the Redis key
  `<STATE_PREFIX>:tracker:<sender>` when `REDIS_URL` is set, else the sender's rows of the
  `events` table in `var/rasa-tracker.sqlite3`;
- the web chat transcript (`webchat:history:<sender>`) and the web chat's small markers
  (`bot.state.keys.WEB_MARKER_PREFIXES`) in the shared state;
- phone numbers in the citizen's feedback records (the feedback itself stays: staff must keep it,
  and it holds no identity once the phone is gone) and the last message of handoff requests.

Rasa saves the turn in progress after the action returns (Redis: it writes the whole in-memory
session back), so the action calls `delete_user_data` once at once and schedules a second pass a
few seconds later (`schedule_second_pass`); the pending deletion is also kept in the shared state
so that `python -m bot privacy purge` finishes it if the action server stopped meanwhile.

Retention: `DATA_RETENTION_DAYS` (default 30) bounds how long phone numbers in records, handoff
messages and SQLite tracker events are kept; `purge_expired` (CLI `privacy purge`) applies it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from bot.state.base import StateStore
from bot.state.factory import var_dir
from bot.state.keys import HISTORY_KEY_PREFIX, WEB_MARKER_PREFIXES
from bot.text.masking import mask_personal_numbers

log = logging.getLogger(__name__)

PENDING_MAP = "privacy:pending_delete"  # sender -> time of the request
SECOND_PASS_DELAY = 8.0  # seconds: long enough for Rasa to save the confirmation turn
DEFAULT_RETENTION_DAYS = 30
_background: set[asyncio.Task[Any]] = set()


def mask_personal_data(text: str) -> str:
    """Phone and ID numbers (10-12 digit runs) masked except their last 3 digits."""
    return mask_personal_numbers(text or "")


def retention_days() -> int:
    try:
        return max(1, int(os.environ.get("DATA_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)))
    except ValueError:
        return DEFAULT_RETENTION_DAYS


def tracker_sqlite_path() -> Path:
    return var_dir() / "rasa-tracker.sqlite3"


def _delete_sqlite_tracker(path: Path, sender: str) -> int:
    if not path.exists():
        return 0
    conn = sqlite3.connect(path, timeout=10)
    try:
        with conn:
            cursor = conn.execute("DELETE FROM events WHERE sender_id = ?", (sender,))
        return cursor.rowcount
    except sqlite3.OperationalError:  # no events table yet
        return 0
    finally:
        conn.close()


async def delete_tracker(sender: str, redis_url: str | None = None) -> int:
    """Delete the Rasa conversation of `sender`; the number of keys/rows removed."""
    url = redis_url if redis_url is not None else os.environ.get("REDIS_URL", "")
    if url:
        import redis.asyncio as aioredis

        prefix = os.environ.get("STATE_PREFIX", "commune")
        client = aioredis.Redis.from_url(url)
        try:
            return int(await client.delete(f"{prefix}:tracker:{sender}"))
        finally:
            await client.aclose()
    return await asyncio.to_thread(_delete_sqlite_tracker, tracker_sqlite_path(), sender)


async def scrub_records(store: StateStore, sender: str) -> dict[str, int]:
    """Drop phone numbers from `sender`'s feedback and messages from their handoff requests."""
    counts = {"feedback": 0, "handoff": 0}
    for kind, fields in (("feedback", ("phone",)), ("handoff", ("message",))):
        async for record in store.iter_records(kind):
            if record.data.get("sender_id") != sender:
                continue
            changes = {f: None for f in fields if record.data.get(f)}
            changes["sender_id"] = "(đã xóa)"  # no link back to the person
            await store.update_record(kind, record.id, changes)
            counts[kind] += 1
    return counts


async def delete_user_data(store: StateStore, sender: str) -> dict[str, int]:
    """Delete the conversation and personal data of `sender` (see the module docstring)."""
    result: dict[str, int] = {}
    try:
        result["tracker"] = await delete_tracker(sender)
    except Exception:  # keep going: the rest must still be deleted, the purge retries this
        log.exception("could not delete a tracker")
        result["tracker"] = -1
    result["history"] = int(await store.delete(f"{HISTORY_KEY_PREFIX}{sender}"))
    for prefix in WEB_MARKER_PREFIXES:
        await store.delete(f"{prefix}{sender}")
    result.update(await scrub_records(store, sender))
    return result


async def mark_pending(store: StateStore, sender: str) -> None:
    await store.map_set(PENDING_MAP, sender, str(time.time()))


async def finish_pending(store: StateStore, older_than: float = 0.0) -> list[str]:
    """Run the second pass for every pending deletion requested `older_than` seconds ago."""
    done: list[str] = []
    now = time.time()
    for sender, at in (await store.map_items(PENDING_MAP)).items():
        try:
            requested = float(at)
        except ValueError:
            requested = 0.0
        if now - requested < older_than:
            continue
        await delete_user_data(store, sender)
        await store.map_delete(PENDING_MAP, sender)
        done.append(sender)
    return done


def schedule_second_pass(store: StateStore, sender: str, delay: float = SECOND_PASS_DELAY) -> bool:
    """Delete again after Rasa has saved the current turn; False when no event loop runs."""

    async def later() -> None:
        await asyncio.sleep(delay)
        try:
            await delete_user_data(store, sender)
            await store.map_delete(PENDING_MAP, sender)
        except Exception:
            log.exception("second deletion pass failed; `python -m bot privacy purge` retries")

    try:
        task = asyncio.get_running_loop().create_task(later())
    except RuntimeError:
        return False
    _background.add(task)
    task.add_done_callback(_background.discard)
    return True


def _purge_sqlite_events(path: Path, before: float) -> int:
    if not path.exists():
        return 0
    conn = sqlite3.connect(path, timeout=10)
    try:
        with conn:
            cursor = conn.execute("DELETE FROM events WHERE timestamp < ?", (before,))
        return cursor.rowcount
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


async def purge_expired(store: StateStore, days: int | None = None) -> dict[str, int]:
    """Apply the retention period: drop phone numbers and handoff messages in records older than
    `days`, and SQLite tracker events older than that (Redis trackers expire by themselves)."""
    days = days or retention_days()
    before = time.time() - days * 86400
    counts = {"feedback": 0, "handoff": 0, "tracker_events": 0}
    for kind, field in (("feedback", "phone"), ("handoff", "message")):
        async for record in store.iter_records(kind):
            if record.created_at < before and record.data.get(field):
                await store.update_record(kind, record.id, {field: None})
                counts[kind] += 1
    if not os.environ.get("REDIS_URL"):
        counts["tracker_events"] = await asyncio.to_thread(
            _purge_sqlite_events, tracker_sqlite_path(), before
        )
    return counts
