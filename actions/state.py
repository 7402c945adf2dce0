"""The action server's handle on the shared state (one per process, created on first use)."""

from __future__ import annotations

from functools import cache

from bot.state import StateStore, open_store


@cache
def shared_store() -> StateStore:
    # A cache, not state: rebuilt from the environment if the process restarts.
    return open_store()
