"""`GET /healthz`: whether Rasa, the action server and the state store answer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
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
    rasa_urls: Sequence[str],
    action_server_url: str,
    timeout: float,
) -> dict[str, object]:
    """`{"status": "ok"|"degraded", "parts": {"rasa", "actions", "state"}}`; checks run at once.

    With several Rasa processes, "rasa" is ok while at least one answers (the gateway skips the
    others); `rasa_up` counts them, e.g. "1/2".
    """
    actions, state, *rasa = await asyncio.gather(
        _http_ok(http, f"{action_server_url}/health", timeout),
        _store_ok(store, timeout),
        *(_http_ok(http, f"{url}/", timeout) for url in rasa_urls),
    )
    rasa_state: PartState = "ok" if "ok" in rasa else "down"
    parts: dict[str, PartState] = {"rasa": rasa_state, "actions": actions, "state": state}
    status = "ok" if all(v == "ok" for v in parts.values()) else "degraded"
    return {"status": status, "parts": parts, "rasa_up": f"{rasa.count('ok')}/{len(rasa)}"}
