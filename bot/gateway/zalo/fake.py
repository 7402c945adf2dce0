"""A contract-faithful fake of Zalo for tests, the benchmark and local development.

It serves the OA send API (`POST /v3.0/oa/message/cs`) and the OAuth refresh endpoint
(`POST /v4/oa/access_token`) and checks headers and bodies as docs/zalo-platform-notes.md says:
the bare `access_token` header, JSON bodies with `recipient.user_id` and `message`, texts of at
most 2,000 characters, template buttons with the documented types and payloads; a form-encoded
refresh with the `secret_key` header, whose refresh token is single-use. Errors are answered
the way Zalo does, with HTTP 200 and a non-zero `error`. Every request is recorded.

It also builds signed webhook events, as Zalo would send them.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.gateway.zalo.signature import SIGNATURE_HEADER, signature_header

BUTTON_TYPES = {"oa.open.url", "oa.query.show", "oa.query.hide", "oa.open.phone", "oa.open.sms"}


@dataclass
class Sent:
    user_id: str
    message: dict[str, Any]
    at: float
    message_id: str


@dataclass
class FakeZalo:
    app_id: str = "fake-app-id"
    app_secret: str = "fake-app-secret"
    access_token: str = "fake-access-1"
    refresh_token: str = "fake-refresh-1"
    max_buttons: int = 5
    sends: list[Sent] = field(default_factory=list)
    # Every send request, accepted or not: (user id, error code).
    attempts: list[tuple[str, int]] = field(default_factory=list)
    refreshes: list[dict[str, str]] = field(default_factory=list)
    # Error codes to answer for the next sends (any user), in order.
    scripted_errors: list[int] = field(default_factory=list)
    # Users whose every send fails with this code (-213 not following, -230 inactive, ...).
    user_errors: dict[str, int] = field(default_factory=dict)
    # Answer HTTP 503 to sends (Zalo unreachable).
    down: bool = False
    # Last invalid request seen (what was wrong), for test failure messages.
    problems: list[str] = field(default_factory=list)
    # Called with each accepted send, in the server's event loop (the benchmark listens here).
    listeners: list[Callable[[Sent], None]] = field(default_factory=list)
    _valid: set[str] = field(default_factory=set)
    _expired: set[str] = field(default_factory=set)
    _spent: set[str] = field(default_factory=set)
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self._valid.add(self.access_token)

    # -- control ------------------------------------------------------------------------------
    def expire_access_tokens(self) -> None:
        """Every access token issued so far now answers -220 (token expired)."""
        self._expired |= self._valid
        self._valid.clear()

    def sends_to(self, user_id: str) -> list[Sent]:
        return [s for s in list(self.sends) if s.user_id == user_id]

    def texts_to(self, user_id: str) -> list[str]:
        return [s.message.get("text", "") for s in self.sends_to(user_id)]

    # -- server -------------------------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self._send)
        app.router.add_post("/v4/oa/access_token", self._refresh)
        return app

    def _problem(self, text: str) -> web.Response:
        self.problems.append(text)
        return web.json_response({"error": -201, "message": f"Invalid parameter: {text}"})

    async def _send(self, request: web.Request) -> web.Response:
        if self.down:
            return web.Response(status=503, text="Service Unavailable")
        if request.content_type != "application/json":
            return self._problem(f"content type {request.content_type}")
        if "Authorization" in request.headers:
            return self._problem("Authorization header (Zalo wants a bare access_token header)")
        token = request.headers.get("access_token", "")
        try:
            body = json.loads(await request.read())
        except ValueError:
            return self._problem("body is not JSON")
        user_id = _user_of(body)
        if token in self._expired:
            self.attempts.append((user_id or "", -220))
            return web.json_response({"error": -220, "message": "Access token has expired"})
        if token not in self._valid:
            self.attempts.append((user_id or "", -216))
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        problem = _check_send_body(body, self.max_buttons)
        if problem:
            self.attempts.append((user_id or "", -201))
            return self._problem(problem)
        assert user_id is not None
        code = self.user_errors.get(user_id)
        if code is None and self.scripted_errors:
            code = self.scripted_errors.pop(0)
        if code:
            self.attempts.append((user_id, code))
            return web.json_response({"error": code, "message": f"error {code}"})
        message_id = f"msg{next(self._counter)}"
        self.attempts.append((user_id, 0))
        sent = Sent(user_id, body["message"], time.time(), message_id)
        self.sends.append(sent)
        for listener in self.listeners:
            listener(sent)
        return web.json_response(
            {
                "error": 0,
                "message": "Success",
                "data": {"message_id": message_id, "user_id": user_id},
            }
        )

    async def _refresh(self, request: web.Request) -> web.Response:
        if request.content_type != "application/x-www-form-urlencoded":
            return web.json_response(
                {"error": -14002, "error_description": f"content type {request.content_type}"}
            )
        form = await request.post()
        record = {k: str(v) for k, v in form.items()}
        record["secret_key_ok"] = str(request.headers.get("secret_key") == self.app_secret)
        self.refreshes.append(record)
        if request.headers.get("secret_key") != self.app_secret:
            return web.json_response({"error": -14001, "error_description": "invalid secret_key"})
        if form.get("app_id") != self.app_id or form.get("grant_type") != "refresh_token":
            return web.json_response({"error": -14003, "error_description": "invalid request"})
        given = form.get("refresh_token")
        if given != self.refresh_token or given in self._spent:
            return web.json_response(
                {"error": -14014, "error_description": "Invalid refresh token"}
            )
        self._spent.add(str(given))  # single-use
        n = len(self.refreshes) + 1
        self.access_token = f"fake-access-{n}-{uuid.uuid4().hex[:6]}"
        self.refresh_token = f"fake-refresh-{n}-{uuid.uuid4().hex[:6]}"
        self._valid.add(self.access_token)
        return web.json_response(
            {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_in": "90000",
            }
        )


def _user_of(body: Any) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("recipient"), dict):
        user = body["recipient"].get("user_id")
        return user if isinstance(user, str) and user else None
    return None


def _check_button(button: Any) -> str | None:
    if not isinstance(button, dict):
        return "button is not an object"
    title, kind, payload = button.get("title"), button.get("type"), button.get("payload")
    if not isinstance(title, str) or not title or len(title) > 100:
        return "button title missing or over 100 characters"
    if kind not in BUTTON_TYPES:
        return f"button type {kind!r}"
    if kind == "oa.open.url":
        ok = isinstance(payload, dict) and str(payload.get("url", "")).startswith("http")
        return None if ok else "oa.open.url payload must be {url}"
    if kind == "oa.open.phone":
        ok = isinstance(payload, dict) and bool(payload.get("phone_code"))
        return None if ok else "oa.open.phone payload must be {phone_code}"
    if kind in ("oa.query.show", "oa.query.hide"):
        ok = isinstance(payload, str) and 0 < len(payload) <= 1000
        return None if ok else "query payload must be a string of 1-1000 characters"
    return None


def _check_send_body(body: Any, max_buttons: int) -> str | None:
    if not isinstance(body, dict) or set(body) != {"recipient", "message"}:
        return "body must have exactly recipient and message"
    if _user_of(body) is None:
        return "recipient.user_id missing"
    message = body["message"]
    if not isinstance(message, dict):
        return "message is not an object"
    text = message.get("text")
    if not isinstance(text, str) or not text.strip():
        return "message.text missing"
    if len(text) > 2000:
        return f"message.text is {len(text)} characters (max 2000)"
    if set(message) - {"text", "attachment"}:
        return f"unexpected message fields {sorted(set(message) - {'text', 'attachment'})}"
    attachment = message.get("attachment")
    if attachment is None:
        return None
    if not isinstance(attachment, dict) or attachment.get("type") != "template":
        return "attachment.type must be template"
    payload = attachment.get("payload")
    if not isinstance(payload, dict) or not isinstance(payload.get("buttons"), list):
        return "attachment.payload.buttons missing"
    buttons = payload["buttons"]
    if not buttons or len(buttons) > max_buttons:
        return f"{len(buttons)} buttons (1-{max_buttons} allowed)"
    for button in buttons:
        problem = _check_button(button)
        if problem:
            return problem
    return None


# -- webhook events as Zalo sends them ------------------------------------------------------------
def now_ms() -> str:
    return str(int(time.time() * 1000))


def text_event(
    app_id: str, user_id: str, text: str, msg_id: str | None = None, timestamp: str | None = None
) -> dict[str, Any]:
    return {
        "app_id": app_id,
        "user_id_by_app": f"app-{user_id}",
        "event_name": "user_send_text",
        "timestamp": timestamp or now_ms(),
        "sender": {"id": user_id},
        "recipient": {"id": "fake-oa-id"},
        "message": {"text": text, "msg_id": msg_id or uuid.uuid4().hex},
    }


def media_event(
    app_id: str, user_id: str, kind: str = "image", timestamp: str | None = None
) -> dict[str, Any]:
    attachment: dict[str, Any] = {
        "type": kind,
        "payload": {"url": "https://example.invalid/a.jpg", "thumbnail": "", "name": "", "size": 1},
    }
    message: dict[str, Any] = {"msg_id": uuid.uuid4().hex, "attachments": [attachment]}
    if kind == "location":
        attachment["payload"] = {"coordinates": {"latitude": "20.86", "longitude": "106.68"}}
    return {
        "app_id": app_id,
        "user_id_by_app": f"app-{user_id}",
        "event_name": f"user_send_{kind}",
        "timestamp": timestamp or now_ms(),
        "sender": {"id": user_id},
        "recipient": {"id": "fake-oa-id"},
        "message": message,
    }


def follow_event(app_id: str, user_id: str, timestamp: str | None = None) -> dict[str, Any]:
    return {
        "app_id": app_id,
        "oa_id": "fake-oa-id",
        "user_id_by_app": f"app-{user_id}",
        "event_name": "follow",
        "timestamp": timestamp or now_ms(),
        "source": "testing",
        "follower": {"id": user_id},
    }


def signed(event: dict[str, Any], oa_secret_key: str) -> tuple[bytes, dict[str, str]]:
    """The raw body and headers of a webhook delivery, signed like Zalo does."""
    raw = json.dumps(event, ensure_ascii=False).encode()
    header = signature_header(str(event["app_id"]), raw, str(event["timestamp"]), oa_secret_key)
    return raw, {"Content-Type": "application/json", SIGNATURE_HEADER: header}


class FakeZaloThread:
    """The fake on a port of its own, served from a background thread (for sync callers)."""

    def __init__(self, fake: FakeZalo, host: str = "127.0.0.1", port: int = 0) -> None:
        self.fake = fake
        self.host = host
        self.port = port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> FakeZaloThread:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    async def _start(self) -> None:
        self._runner = web.AppRunner(self.fake.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def __enter__(self) -> FakeZaloThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
