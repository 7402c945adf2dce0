"""OA access tokens kept in the shared state (docs: zalo-platform-notes.md section 3).

The refresh token is single-use: each refresh returns a new pair. So the pair lives in the
shared store (one JSON value, written in one `set`), a refresh happens under a lock in the store
so that two workers or two gateways never spend the same refresh token, and the new pair is
stored before the new access token is used.

The environment's `ZALO_ACCESS_TOKEN` / `ZALO_REFRESH_TOKEN` seed the store once; a fingerprint
of the seed is kept so that an operator who puts a new pair in the environment (after
re-authorising the OA) replaces the stored one, while a restart with the old, already spent
environment values keeps the stored pair.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
import uuid
from typing import Any

import aiohttp

from bot.state.base import StateStore

log = logging.getLogger(__name__)

TOKENS_KEY = "zalo:tokens"
LOCK_KEY = "zalo:tokens:lock"
REFRESH_PATH = "/v4/oa/access_token"
# Refresh this long before the recorded expiry rather than after a failed send.
EARLY_REFRESH_SECONDS = 300.0


def _fingerprint(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()[:16]


class TokenManager:
    def __init__(
        self,
        store: StateStore,
        http: aiohttp.ClientSession,
        oauth_base: str,
        app_id: str | None,
        app_secret: str | None,
        timeout: float = 10.0,
        lock_ttl: float = 30.0,
    ) -> None:
        self.store = store
        self.http = http
        self.url = f"{oauth_base}{REFRESH_PATH}"
        self.app_id = app_id
        self.app_secret = app_secret
        self.timeout = timeout
        self.lock_ttl = lock_ttl
        self._local = asyncio.Lock()  # one refresh attempt at a time within this process
        self.refreshes = 0  # successful refreshes by this process (metrics, tests)

    async def seed(self, access_token: str | None, refresh_token: str | None) -> None:
        """Store the environment's pair unless the store already holds a pair from that seed."""
        if not access_token and not refresh_token:
            return
        mark = _fingerprint(refresh_token or access_token or "")
        current = await self._load()
        if current is not None and current.get("seed") == mark:
            return
        if current is not None:
            log.warning("Zalo tokens in the environment changed: replacing the stored pair")
        await self._save(
            {
                "access_token": access_token,
                "refresh_token": refresh_token,
                "expires_at": None,
                "seed": mark,
            }
        )

    async def _load(self) -> dict[str, Any] | None:
        raw = await self.store.get(TOKENS_KEY)
        if not raw:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            log.error("stored Zalo tokens are unreadable")
            return None
        return value if isinstance(value, dict) else None

    async def _save(self, pair: dict[str, Any]) -> None:
        await self.store.set(TOKENS_KEY, json.dumps(pair))

    async def access_token(self) -> str | None:
        """The current access token (refreshed first when it is about to expire)."""
        pair = await self._load()
        if pair is None:
            return None
        token = pair.get("access_token")
        expires_at = pair.get("expires_at")
        if (
            isinstance(expires_at, (int, float))
            and expires_at - time.time() < EARLY_REFRESH_SECONDS
            and pair.get("refresh_token")
        ):
            return await self.refresh(stale=token) or token
        return token if isinstance(token, str) and token else None

    async def refresh(self, stale: str | None) -> str | None:
        """A fresh access token replacing `stale`; None when no refresh could be made.

        When another worker already replaced `stale`, its token is returned without spending
        the refresh token again.
        """
        async with self._local:
            pair = await self._load()
            if pair is not None and pair.get("access_token") != stale and pair.get("access_token"):
                return str(pair["access_token"])
            owner = uuid.uuid4().hex
            if not await self._acquire(owner, stale):
                pair = await self._load()
                current = pair.get("access_token") if pair else None
                return str(current) if current and current != stale else None
            try:
                pair = await self._load()
                if pair is not None and pair.get("access_token") not in (stale, None):
                    return str(pair["access_token"])
                if pair is None or not pair.get("refresh_token"):
                    log.error("Zalo access token rejected and no refresh token is configured")
                    return None
                fresh = await self._call_oauth(str(pair["refresh_token"]))
                if fresh is None:
                    return None
                fresh["seed"] = pair.get("seed")
                # Stored before use: the old refresh token is spent from this moment.
                await self._save(fresh)
                self.refreshes += 1
                log.info("Zalo access token refreshed (valid for %.0f s)", fresh["ttl"])
                return str(fresh["access_token"])
            finally:
                if await self.store.get(LOCK_KEY) == owner:
                    await self.store.delete(LOCK_KEY)

    async def _acquire(self, owner: str, stale: str | None) -> bool:
        """Take the store's refresh lock, or return False once another holder has refreshed."""
        deadline = time.monotonic() + self.lock_ttl + 5
        while time.monotonic() < deadline:
            if await self.store.set_if_absent(LOCK_KEY, owner, ttl=self.lock_ttl):
                return True
            await asyncio.sleep(0.05)
            pair = await self._load()
            if pair is not None and pair.get("access_token") not in (stale, None):
                return False
        return False

    async def _call_oauth(self, refresh_token: str) -> dict[str, Any] | None:
        if not self.app_id or not self.app_secret:
            log.error("cannot refresh the Zalo token: ZALO_APP_ID or ZALO_APP_SECRET is not set")
            return None
        form = {
            "refresh_token": refresh_token,
            "app_id": self.app_id,
            "grant_type": "refresh_token",
        }
        try:
            async with self.http.post(
                self.url,
                data=form,  # aiohttp sends application/x-www-form-urlencoded
                headers={"secret_key": self.app_secret},
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                body = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            log.warning("Zalo token refresh failed: %s", type(exc).__name__)
            return None
        if not isinstance(body, dict) or not body.get("access_token"):
            error = body.get("error") if isinstance(body, dict) else None
            text = (
                body.get("error_description") or body.get("message")
                if isinstance(body, dict)
                else ""
            )
            log.error(
                "Zalo token refresh refused (HTTP %s, error %s: %s); if the refresh token is "
                "invalid, re-authorise the OA and set ZALO_REFRESH_TOKEN",
                status,
                error,
                str(text)[:200],
            )
            return None
        try:
            ttl = float(body.get("expires_in") or 90000)
        except (TypeError, ValueError):
            ttl = 90000.0
        new_refresh = body.get("refresh_token") or refresh_token
        return {
            "access_token": str(body["access_token"]),
            "refresh_token": str(new_refresh),
            "expires_at": time.time() + ttl,
            "refreshed_at": time.time(),
            "ttl": ttl,
        }
