"""The web chat's API beside `POST /api/chat`: history, rate limits, the handoff state.

- `POST /api/history` `{"session": str, "zalo_access_token"?: str}` →
  `{"session": str, "messages": [{"role": "user"|"bot", "text", "buttons", "at"}], "handoff": bool}`;
  only a valid signed session (or a verified Zalo token) reads its own history, anything else is
  401 `invalid_session`. POST, not GET: the session is a bearer secret and must stay out of URLs
  and access logs.
- `POST /api/history/clear` (same body) → `{"cleared": bool}`: the citizen deletes the transcript.
- `POST /api/updates` `{"session", "since": float}` → `{"messages": [staff entries newer than
  since], "handoff": bool, "rating_due": bool}`: the page polls it every few seconds while open;
  nearly every poll costs two small key reads (see `ChatHistory.staff_since`).
- `POST /api/rating/idle` `{"session"}` → `{"messages": [the 1-5 rating prompt] or []}`: the page
  asks after `RATING_IDLE_MINUTES` without messages; the gateway decides (`web/rating.py`).
- `/api/chat` turns: per-conversation rate limit before Rasa, transcript, `handoff` and
  `rating_due` after. While the conversation is handed to staff the message is not sent to Rasa:
  it is kept in the transcript for staff, acknowledged once, and an emergency still gets the
  emergency numbers at once.
- Every `/api/` call but the poll: per-client-address rate limit. Over a limit: 429 JSON with a
  Vietnamese message, `retry_after` and a `Retry-After` header.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.emergency import EMERGENCY_TEXT, is_emergency
from bot.gateway import app as gateway
from bot.gateway.rasa_client import ChatMessage
from bot.gateway.sessions import ChatSession
from bot.gateway.web.config import WebSettings
from bot.gateway.web.history import ChatHistory
from bot.gateway.web.ratelimit import RateLimiter
from bot.gateway.web.rating import IdleRating
from bot.handoff import paused
from bot.state.base import StateStore
from bot.state.keys import HANDOFF_ACK_PREFIX

log = logging.getLogger(__name__)

# Set by the staff handoff flow (bot/handoff.py) while a staff member handles the conversation.
HANDOFF_KEY_PREFIX = "handoff:"
# One acknowledgement per handoff pause for messages the bot does not answer (expires with it).
HANDOFF_ACK_TEXT = (
    "Dạ, cuộc trò chuyện đang được chuyển cho cán bộ xã. Cán bộ sẽ trả lời anh/chị ngay tại "
    "đây; anh/chị vui lòng chờ trong giây lát ạ."
)
POLL_PATH = "/api/updates"

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
    rating: IdleRating

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
    # Polls are not counted: one open page polls every few seconds, and many citizens share a
    # carrier address; a poll costs less than the limiter's own bookkeeping would protect.
    if request.path.startswith("/api/") and request.method == "POST" and request.path != POLL_PATH:
        chat = request.app[WEB_KEY]
        address = client_address(request, chat.settings.proxy_hops)
        wait = chat.per_address.check(f"ip:{address}")
        if wait:
            log.info("rate limit: an address is over %d/min", chat.per_address.per_minute)
            return rate_limited(wait)
    return await handler(request)


# -- hooks called by the /api/chat handler (bot/gateway/app.py) ------------------------------------


async def before_chat(
    request: web.Request, session: ChatSession, text: str = ""
) -> web.Response | None:
    """A 429 when the conversation is over its limit, the answer of a paused conversation
    (handed to staff), else None (the turn goes to Rasa)."""
    chat = request.app[WEB_KEY]
    wait = chat.per_session.check(f"s:{session.sender_id}")
    if wait:
        return rate_limited(wait)
    try:
        flag = await paused(chat.store, session.sender_id)
    except Exception:  # the store is down: let the turn go ahead rather than lose it
        log.warning("cannot read the handoff flag", exc_info=True)
        return None
    if flag is None:
        return None
    return await _paused_turn(chat, session, text, flag)


async def _paused_turn(
    chat: WebChat, session: ChatSession, text: str, flag: dict[str, Any]
) -> web.Response:
    """Staff have the conversation: keep the message for them, stay quiet but for safety."""
    replies: list[ChatMessage] = []
    if is_emergency(text):
        replies.append(ChatMessage(text=EMERGENCY_TEXT))
    until = flag.get("until")
    ttl = max(60.0, float(until) - time.time()) if isinstance(until, (int, float)) else 3600.0
    if await chat.store.set_if_absent(f"{HANDOFF_ACK_PREFIX}{session.sender_id}", "1", ttl):
        replies.append(ChatMessage(text=HANDOFF_ACK_TEXT))
    try:
        await chat.history.append_turn(session.sender_id, text, replies)
    except Exception:
        log.warning("cannot record a paused turn in the history", exc_info=True)
    return web.json_response(
        {
            "session": session.token,
            "messages": [m.model_dump() for m in replies],
            "handoff": True,
            "rating_due": False,
        },
        dumps=_dumps,
    )


async def after_chat(
    request: web.Request, session: ChatSession, text: str, messages: Sequence[ChatMessage]
) -> dict[str, Any]:
    """Records the turn in the transcript; extra reply fields (`handoff`, `rating_due`)."""
    chat = request.app[WEB_KEY]
    try:
        await chat.history.append_turn(session.sender_id, text, messages)
    except Exception:  # the transcript is a convenience: the citizen still gets the answer
        log.warning("cannot record a chat turn in the history", exc_info=True)
    handoff = await chat.handoff_active(session.sender_id)
    if not handoff:  # a new pause starts with a fresh acknowledgement
        await _quietly(chat.store.delete(f"{HANDOFF_ACK_PREFIX}{session.sender_id}"))
    await _quietly(chat.rating.observe(session.sender_id, text, messages))
    return {"handoff": handoff, "rating_due": await _rating_due(chat, session.sender_id, handoff)}


async def _quietly(work: Awaitable[Any]) -> None:
    """Bookkeeping that must never fail a citizen's turn."""
    try:
        await work
    except Exception:
        log.warning("web chat bookkeeping failed", exc_info=True)


async def _rating_due(chat: WebChat, sender_id: str, handoff: bool) -> bool:
    if handoff or chat.settings.rating_idle_minutes <= 0:
        return False
    try:
        return await chat.rating.due(sender_id)
    except Exception:
        log.warning("cannot read the rating state", exc_info=True)
        return False


# -- history endpoints --------------------------------------------------------------------------


async def _owner(
    request: web.Request, body: dict[str, Any] | None = None
) -> ChatSession | web.Response:
    """The session whose history the caller may read: never a new one, never someone else's."""
    if body is None:
        read = await gateway._read_json_object(request)
        if isinstance(read, web.Response):
            return read
        body = read
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
    handoff = await chat.handoff_active(session.sender_id)
    return web.json_response(
        {
            "session": session.token,
            "messages": ChatHistory.as_json(entries),
            "handoff": handoff,
            "rating_due": await _rating_due(chat, session.sender_id, handoff),
        },
        dumps=_dumps,
    )


async def updates(request: web.Request) -> web.Response:
    """`POST /api/updates`: staff messages newer than `since`, and the handoff state."""
    body = await gateway._read_json_object(request)
    if isinstance(body, web.Response):
        return body
    session = await _owner(request, body)
    if isinstance(session, web.Response):
        return session
    since = body.get("since", 0)
    if isinstance(since, bool) or not isinstance(since, (int, float)):
        since = 0.0
    chat = request.app[WEB_KEY]
    news = await chat.history.staff_since(session.sender_id, float(since))
    handoff = await chat.handoff_active(session.sender_id)
    return web.json_response(
        {
            "messages": ChatHistory.as_json(news or []),
            "handoff": handoff,
            "rating_due": await _rating_due(chat, session.sender_id, handoff),
        },
        dumps=_dumps,
    )


async def idle_rating(request: web.Request) -> web.Response:
    """`POST /api/rating/idle`: the 1-5 prompt once, when the conversation is due one."""
    session = await _owner(request)
    if isinstance(session, web.Response):
        return session
    chat = request.app[WEB_KEY]
    offered = None
    if await _rating_due(chat, session.sender_id, await chat.handoff_active(session.sender_id)):
        offered = await chat.rating.offer(session.sender_id)
    messages = [offered] if offered is not None else []
    if messages:
        await _quietly(chat.history.append_turn(session.sender_id, None, messages))
    return web.json_response(
        {"messages": [m.model_dump() for m in messages]},
        dumps=_dumps,
    )


async def clear_history(request: web.Request) -> web.Response:
    """`POST /api/history/clear`: deletes the caller's own transcript."""
    session = await _owner(request)
    if isinstance(session, web.Response):
        return session
    chat = request.app[WEB_KEY]
    cleared = await chat.history.clear(session.sender_id)
    await _quietly(chat.rating.forget(session.sender_id))
    return web.json_response({"cleared": cleared}, dumps=_dumps)
