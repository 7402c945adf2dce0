"""The web chat's API beside `POST /api/chat`: history, rate limits, the handoff state.

- `POST /api/history` `{"session": str, "zalo_access_token"?: str}` →
  `{"session": str, "messages": [{"role": "user"|"bot", "text", "buttons", "at"}], "handoff": bool}`;
  only a valid signed session (or a verified Zalo token) reads its own history, anything else is
  401 `invalid_session`. POST, not GET: the session is a bearer secret and must stay out of URLs
  and access logs.
- `POST /api/history/clear` (same body) → `{"cleared": bool}`: the citizen deletes the transcript.
- `/api/chat` turns: per-conversation rate limit before Rasa, transcript and `handoff` after.
- Every `/api/` call: per-client-address rate limit. Over a limit: 429 JSON with a Vietnamese
  message, `retry_after` and a `Retry-After` header.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.gateway import app as gateway
from bot.gateway.rasa_client import ChatMessage
from bot.gateway.sessions import ChatSession
from bot.gateway.web.config import WebSettings
from bot.gateway.web.history import ChatHistory
from bot.gateway.web.ratelimit import RateLimiter
from bot.state.base import StateStore

log = logging.getLogger(__name__)

# Set by the staff handoff flow (another issue) while a staff member handles the conversation.
HANDOFF_KEY_PREFIX = "handoff:"

_dumps = functools.partial(json.dumps, ensure_ascii=False)

WEB_ERRORS: dict[str, str] = {
    "rate_limited": (
        "Dạ, anh/chị gửi yêu cầu hơi nhanh, vui lòng đợi khoảng {seconds} giây rồi thử lại ạ."
    ),
    "invalid_session": (
        "Dạ, phiên trò chuyện không hợp lệ hoặc đã hết hạn, anh/chị vui lòng bắt đầu lại ạ."
    ),
}


def web_error(
    status: int, code: str, headers: dict[str, str] | None = None, **fmt: Any
) -> web.Response:
    """The same error shape as the chat API: machine `error` code, Vietnamese `message`."""
    body: dict[str, Any] = {"error": code, "message": WEB_ERRORS[code].format(**fmt)}
    if code == "rate_limited":
        body["retry_after"] = fmt["seconds"]
    return web.json_response(body, status=status, headers=headers, dumps=_dumps)


def rate_limited(seconds: int) -> web.Response:
    return web_error(429, "rate_limited", headers={"Retry-After": str(seconds)}, seconds=seconds)


@dataclass
class WebChat:
    """Per-app web chat state: the transcript store and the two limiters."""

    settings: WebSettings
    history: ChatHistory
    per_session: RateLimiter
    per_address: RateLimiter
    store: StateStore

    async def handoff_active(self, sender_id: str) -> bool:
        try:
            return bool(await self.store.get(f"{HANDOFF_KEY_PREFIX}{sender_id}"))
        except Exception:  # the flag is a display hint; a store hiccup must not fail the turn
            log.warning("cannot read the handoff flag", exc_info=True)
            return False


WEB_KEY = web.AppKey("web_chat", WebChat)


def client_address(request: web.Request, proxy_hops: int) -> str:
    """The caller's address; behind `proxy_hops` trusted proxies, from X-Forwarded-For."""
    if proxy_hops > 0:
        forwarded = [
            part.strip()
            for header in request.headers.getall("X-Forwarded-For", [])
            for part in header.split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxy_hops:
            return forwarded[-proxy_hops]
    return request.remote or "unknown"


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def limit_addresses(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Counts every API call per client address before any body is read."""
    if request.path.startswith("/api/") and request.method == "POST":
        chat = request.app[WEB_KEY]
        address = client_address(request, chat.settings.proxy_hops)
        wait = chat.per_address.check(f"ip:{address}")
        if wait:
            log.info("rate limit: an address is over %d/min", chat.per_address.per_minute)
            return rate_limited(wait)
    return await handler(request)


# -- hooks called by the /api/chat handler (bot/gateway/app.py) ------------------------------------


async def before_chat(request: web.Request, session: ChatSession) -> web.Response | None:
    """A 429 when the conversation is over its limit, else None (the turn goes ahead)."""
    chat = request.app[WEB_KEY]
    wait = chat.per_session.check(f"s:{session.sender_id}")
    return rate_limited(wait) if wait else None


async def after_chat(
    request: web.Request, session: ChatSession, text: str, messages: Sequence[ChatMessage]
) -> dict[str, Any]:
    """Records the turn in the transcript; extra reply fields (`handoff`)."""
    chat = request.app[WEB_KEY]
    try:
        await chat.history.append_turn(session.sender_id, text, messages)
    except Exception:  # the transcript is a convenience: the citizen still gets the answer
        log.warning("cannot record a chat turn in the history", exc_info=True)
    return {"handoff": await chat.handoff_active(session.sender_id)}


# -- history endpoints --------------------------------------------------------------------------


async def _owner(request: web.Request) -> ChatSession | web.Response:
    """The session whose history the caller may read: never a new one, never someone else's."""
    body = await gateway._read_json_object(request)
    if isinstance(body, web.Response):
        return body
    zalo_token = body.get("zalo_access_token")
    if zalo_token is not None and zalo_token != "":
        return await gateway._session_for(request, {"zalo_access_token": zalo_token})
    session = request.app[gateway.SIGNER_KEY].verify(body.get("session"))
    if session is None:
        return web_error(401, "invalid_session")
    return session


async def history(request: web.Request) -> web.Response:
    """`POST /api/history`: the caller's own transcript and whether staff are handling it."""
    session = await _owner(request)
    if isinstance(session, web.Response):
        return session
    chat = request.app[WEB_KEY]
    entries = await chat.history.read(session.sender_id)
    return web.json_response(
        {
            "session": session.token,
            "messages": ChatHistory.as_json(entries),
            "handoff": await chat.handoff_active(session.sender_id),
        },
        dumps=_dumps,
    )


async def clear_history(request: web.Request) -> web.Response:
    """`POST /api/history/clear`: deletes the caller's own transcript."""
    session = await _owner(request)
    if isinstance(session, web.Response):
        return session
    cleared = await request.app[WEB_KEY].history.clear(session.sender_id)
    return web.json_response({"cleared": cleared}, dumps=_dumps)
