"""`GET /healthz`: whether Rasa, the action server and the state store answer."""

from __future__ import annotations

import asyncio
import logging
from typing import Literal

import aiohttp

from bot.state.base import StateStore

log = logging.getLogger(__name__)

PartState = Literal["ok", "down"]


async def _http_ok(http: aiohttp.ClientSession, url: str, timeout: float) -> PartState:
    try:
        async with http.get(url, timeout=aiohttp.ClientTimeout(total=timeout)) as response:
            await response.read()
            return "ok" if response.status == 200 else "down"
    except (asyncio.TimeoutError, aiohttp.ClientError, OSError) as exc:
        log.debug("health check %s failed: %s", url, type(exc).__name__)
        return "down"


async def _store_ok(store: StateStore, timeout: float) -> PartState:
    try:
        return "ok" if await asyncio.wait_for(store.ping(), timeout) else "down"
    except Exception as exc:  # any backend failure means "down", never a crash
        log.debug("state store ping failed: %s", type(exc).__name__)
        return "down"


async def check_health(
    http: aiohttp.ClientSession,
    store: StateStore,
    rasa_url: str,
    action_server_url: str,
    timeout: float,
) -> dict[str, object]:
    """`{"status": "ok"|"degraded", "parts": {"rasa", "actions", "state"}}`; checks run at once."""
    rasa, actions, state = await asyncio.gather(
        _http_ok(http, f"{rasa_url}/", timeout),
        _http_ok(http, f"{action_server_url}/health", timeout),
        _store_ok(store, timeout),
    )
    parts: dict[str, PartState] = {"rasa": rasa, "actions": actions, "state": state}
    status = "ok" if all(v == "ok" for v in parts.values()) else "degraded"
    return {"status": status, "parts": parts}
