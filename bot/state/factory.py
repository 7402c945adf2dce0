"""Choose the state backend from the environment (architecture: State)."""

from __future__ import annotations

import os
from pathlib import Path

from bot.state.base import StateStore

REPO_ROOT = Path(__file__).resolve().parents[2]


def var_dir() -> Path:
    """Where the embedded backend keeps its files (`VAR_DIR`, default `<repo>/var`)."""
    return Path(os.environ.get("VAR_DIR", REPO_ROOT / "var"))


def open_store(redis_url: str | None = None, prefix: str | None = None) -> StateStore:
    """Redis when `REDIS_URL` (or `redis_url`) is set, else SQLite at `var/state.sqlite3`."""
    url = redis_url if redis_url is not None else os.environ.get("REDIS_URL", "")
    prefix = prefix or os.environ.get("STATE_PREFIX", "commune")
    if url:
        from bot.state.redis_store import RedisStore

        return RedisStore(url, prefix=prefix)
    from bot.state.sqlite_store import SqliteStore

    return SqliteStore(var_dir() / "state.sqlite3")
