"""Durable handoff requests: the staff-facing record of "this citizen wants a person".

The pause itself (the bot staying silent) is the flag of `bot.handoff`; this module
keeps what staff must see and keep (who, why, the last message, open/released), durable in both
state backends, and sets/clears the flag together with the record.
"""

from __future__ import annotations

import os
import time
from typing import Any

from pydantic import BaseModel

from bot.handoff import DEFAULT_TTL, pause, paused, release
from bot.privacy import mask_personal_data
from bot.state.base import Record, StateStore

KIND = "handoff"
OPEN_MAP = "handoff:open"  # sender -> id of its open request (one open request per sender)
MAX_MESSAGE_CHARS = 500


class HandoffRequest(BaseModel):
    id: int
    sender_id: str
    reason: str
    message: str = ""
    status: str = "open"
    created_at: float
    released_at: float | None = None
    released_by: str | None = None

    @classmethod
    def from_record(cls, record: Record) -> HandoffRequest:
        data = record.data
        return cls(
            id=record.id,
            sender_id=str(data.get("sender_id", "")),
            reason=str(data.get("reason", "")),
            message=str(data.get("message", "")),
            status=str(data.get("status", "open")),
            created_at=record.created_at,
            released_at=data.get("released_at"),
            released_by=data.get("released_by"),
        )


def handoff_ttl() -> float:
    """How long the bot stays paused unless staff release it (`HANDOFF_TTL_SECONDS`)."""
    try:
        return max(60.0, float(os.environ.get("HANDOFF_TTL_SECONDS", DEFAULT_TTL)))
    except ValueError:
        return DEFAULT_TTL


async def request_handoff(
    store: StateStore, sender: str, reason: str, message: str = ""
) -> HandoffRequest:
    """Record (or refresh) the open request of `sender` and pause the bot for them.

    `reason` is "asked" (the citizen asked for a person) or "fallback" (the bot failed twice).
    The citizen's last message is stored with phone and ID numbers masked.
    """
    text = mask_personal_data(" ".join(message.split()))[:MAX_MESSAGE_CHARS]
    existing = (await store.map_items(OPEN_MAP)).get(sender)
    record: Record | None = None
    if existing is not None and existing.isdigit():
        record = await store.update_record(
            KIND, int(existing), {"reason": reason, "message": text, "updated_at": time.time()}
        )
    if record is None or record.data.get("status") != "open":
        record = await store.add_record(
            KIND, {"sender_id": sender, "reason": reason, "message": text, "status": "open"}
        )
        await store.map_set(OPEN_MAP, sender, str(record.id))
    await pause(store, sender, ttl=handoff_ttl(), by="bot", reason=reason)
    return HandoffRequest.from_record(record)


async def list_requests(store: StateStore, status: str | None = "open") -> list[HandoffRequest]:
    """Requests oldest first; `status=None` for all."""
    out = [HandoffRequest.from_record(r) async for r in store.iter_records(KIND)]
    return [r for r in out if status is None or r.status == status]


async def is_paused(store: StateStore, sender: str) -> bool:
    return await paused(store, sender) is not None


async def release_handoff(store: StateStore, sender: str, by: str = "staff") -> dict[str, Any]:
    """Give `sender` back to the bot and close their open request(s)."""
    was_paused = await release(store, sender)
    closed: list[int] = []
    for request in await list_requests(store, "open"):
        if request.sender_id == sender:
            await store.update_record(
                KIND, request.id, {"status": "released", "released_at": time.time(),
                                   "released_by": by[:100]},
            )  # fmt: skip
            closed.append(request.id)
    await store.map_delete(OPEN_MAP, sender)
    return {"was_paused": was_paused, "closed": closed}
