"""Verifying a Zalo Mini App user's access token with the Zalo Graph API.

`GET {graph}/v2.0/me?fields=id,name,picture` with headers `access_token` and
`appsecret_proof = hex(HMAC-SHA256(key=app_secret, msg=access_token))`
(docs: zalo-platform-notes §4). Verified tokens are cached briefly in this process so that each
chat turn does not call Zalo.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import time
from dataclasses import dataclass

import aiohttp

log = logging.getLogger(__name__)

_MAX_TOKEN_CHARS = 4096
_USER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_CACHE_MAX_ENTRIES = 4096


@dataclass(frozen=True)
class ZaloUser:
    id: str
    name: str | None = None


class ZaloTokenInvalid(Exception):
    """Zalo did not accept the token (expired, forged, or for another app)."""


class ZaloUnavailable(Exception):
    """Zalo could not be asked (not configured, unreachable, or an unreadable answer)."""


def appsecret_proof(app_secret: str, access_token: str) -> str:
    """The `appsecret_proof` header Zalo expects for a token."""
    return hmac.new(
        app_secret.encode("utf-8"), access_token.encode("utf-8"), hashlib.sha256
    ).hexdigest()


class ZaloVerifier:
    """Verifies Mini App access tokens; remembers successes for `cache_seconds`."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        graph_base: str,
        app_secret: str | None,
        timeout: float = 5.0,
        cache_seconds: float = 300.0,
    ) -> None:
        self._http = http
        self._graph_base = graph_base.rstrip("/")
        self._app_secret = app_secret
        self._timeout = timeout
        self._cache_seconds = cache_seconds
        # sha256(token) -> (user, expires at); tokens themselves are not kept in memory.
        self._cache: dict[str, tuple[ZaloUser, float]] = {}

    def __repr__(self) -> str:
        return f"ZaloVerifier(graph_base={self._graph_base!r})"

    def _cached(self, key: str, now: float) -> ZaloUser | None:
        entry = self._cache.get(key)
        if entry is None:
            return None
        if entry[1] <= now:
            del self._cache[key]
            return None
        return entry[0]

    def _remember(self, key: str, user: ZaloUser, now: float) -> None:
        if self._cache_seconds <= 0:
            return
        if len(self._cache) >= _CACHE_MAX_ENTRIES:
            for stale in [k for k, (_, exp) in self._cache.items() if exp <= now]:
                del self._cache[stale]
            while len(self._cache) >= _CACHE_MAX_ENTRIES:  # dicts keep insertion order
                del self._cache[next(iter(self._cache))]
        self._cache[key] = (user, now + self._cache_seconds)

    async def verify(self, access_token: str) -> ZaloUser:
        """The Zalo user owning `access_token`; raises ZaloTokenInvalid or ZaloUnavailable."""
        if not self._app_secret:
            raise ZaloUnavailable("ZALO_APP_SECRET is not configured")
        token = access_token.strip()
        if not token or len(token) > _MAX_TOKEN_CHARS or not token.isprintable():
            raise ZaloTokenInvalid("malformed token")
        key = hashlib.sha256(token.encode("utf-8")).hexdigest()
        now = time.monotonic()
        cached = self._cached(key, now)
        if cached is not None:
            return cached
        user = await self._ask_zalo(token)
        self._remember(key, user, time.monotonic())
        return user

    async def _ask_zalo(self, token: str) -> ZaloUser:
        assert self._app_secret is not None
        headers = {
            "access_token": token,
            "appsecret_proof": appsecret_proof(self._app_secret, token),
        }
        url = f"{self._graph_base}/v2.0/me"
        try:
            async with self._http.get(
                url,
                params={"fields": "id,name,picture"},
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self._timeout),
            ) as response:
                status = response.status
                body = await response.json(content_type=None)
        except asyncio.TimeoutError as exc:
            raise ZaloUnavailable("Zalo Graph API timed out") from exc
        except (aiohttp.ClientError, ValueError) as exc:
            raise ZaloUnavailable(f"Zalo Graph API failed: {type(exc).__name__}") from exc
        if status >= 500:
            raise ZaloUnavailable(f"Zalo Graph API answered HTTP {status}")
        if not isinstance(body, dict):
            raise ZaloUnavailable("Zalo Graph API answer is not an object")
        # Zalo reports errors with HTTP 200 and a non-zero `error`, or with a 4xx status.
        error = body.get("error", 0)
        user_id = body.get("id")
        if status != 200 or (error not in (0, "0", None)) or user_id is None:
            log.info("Zalo rejected a Mini App token (HTTP %s, error %s)", status, error)
            raise ZaloTokenInvalid("token rejected by Zalo")
        user_id = str(user_id)
        if not _USER_ID.fullmatch(user_id):
            raise ZaloUnavailable("Zalo Graph API returned an unexpected user id")
        name = body.get("name")
        return ZaloUser(id=user_id, name=name if isinstance(name, str) else None)
