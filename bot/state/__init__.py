"""Shared state for the gateway, the action server and the CLI (see docs: architecture, State).

`open_store()` picks the backend from the environment: Redis when `REDIS_URL` is set, otherwise a
SQLite file under `var/`.
"""

from bot.state.base import Record, StateStore
from bot.state.factory import open_store

__all__ = ["Record", "StateStore", "open_store"]
