"""The handoff pause: while a conversation is with a staff member the bot stays silent.

The flag is a key in the shared state named after the Rasa sender id (`handoff:<sender>`), so
that the handoff action in the action server (which knows `tracker.sender_id`) and the admin API
set the same flag. It always has an expiry, so a forgotten handoff cannot silence the bot for
good. Pure functions on the store; no web framework here, so actions can import them.
"""

from __future__ import annotations

import json
import time
from typing import Any

from bot.state.base import StateStore
from bot.state.keys import HANDOFF_PREFIX

DEFAULT_TTL = 8 * 3600.0


def handoff_key(sender: str) -> str:
    return f"{HANDOFF_PREFIX}{sender}"


async def pause(
    store: StateStore, sender: str, ttl: float = DEFAULT_TTL, by: str = "", reason: str = ""
) -> dict[str, Any]:
    """Hand `sender` to staff for `ttl` seconds (an existing pause is replaced)."""
    now = time.time()
    flag = {"since": now, "until": now + ttl, "by": by[:100], "reason": reason[:500]}
    await store.set(handoff_key(sender), json.dumps(flag, ensure_ascii=False), ttl=ttl)
    return flag


async def release(store: StateStore, sender: str) -> bool:
    """Give the conversation back to the bot; True when it was paused."""
    return await store.delete(handoff_key(sender))


async def paused(store: StateStore, sender: str) -> dict[str, Any] | None:
    """The pause for `sender`, or None when the bot answers."""
    raw = await store.get(handoff_key(sender))
    if raw is None:
        return None
    try:
        flag = json.loads(raw)
    except ValueError:
        flag = None
    # Any value counts as paused (another writer may store a plain "1").
    return flag if isinstance(flag, dict) else {"since": None, "until": None}
