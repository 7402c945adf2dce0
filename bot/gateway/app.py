"""The gateway application: `POST /api/chat` and `GET /healthz` (docs: architecture)."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web

from bot.gateway import metrics
from bot.gateway.health import check_health
from bot.gateway.overload import Overloaded, TurnLimiter
from bot.gateway.rasa_client import RasaUnavailable, RasaUpstreams, map_rasa_messages
from bot.gateway.sessions import ChatSession, SessionSigner, resolve_session_secret
from bot.gateway.settings import GatewaySettings
from bot.gateway.zalo_identity import ZaloTokenInvalid, ZaloUnavailable, ZaloVerifier
from bot.logging_setup import REQUEST_ID, REQUEST_ID_HEADER, accept_request_id
from bot.state.base import StateStore

log = logging.getLogger(__name__)

SETTINGS_KEY = web.AppKey("settings", GatewaySettings)
STORE_KEY = web.AppKey("store", StateStore)
HTTP_KEY = web.AppKey("http", aiohttp.ClientSession)
SIGNER_KEY = web.AppKey("session_signer", SessionSigner)
ZALO_KEY = web.AppKey("zalo_verifier", ZaloVerifier)
RASA_KEY = web.AppKey("rasa_upstreams", RasaUpstreams)
LIMITER_KEY = web.AppKey("turn_limiter", TurnLimiter)

# Vietnamese stays readable in responses (the body is UTF-8 either way).
_dumps = functools.partial(json.dumps, ensure_ascii=False)

# A chat request is a short JSON object; anything far larger is refused before parsing.
MAX_BODY_BYTES = 64 * 1024

# Citizen-facing error texts (Vietnamese, polite), keyed by the machine-readable error code.
ERROR_MESSAGES: dict[str, str] = {
    "invalid_json": "Dạ, yêu cầu gửi lên không đúng định dạng, anh/chị vui lòng thử lại ạ.",
    "invalid_body": "Dạ, yêu cầu gửi lên không đúng định dạng, anh/chị vui lòng thử lại ạ.",
    "invalid_text": "Dạ, anh/chị vui lòng nhập nội dung cần hỏi ạ.",
    "text_too_long": (
        "Dạ, tin nhắn dài quá {limit} ký tự, anh/chị vui lòng rút gọn hoặc chia thành "
        "nhiều tin giúp em ạ."
    ),
    "body_too_large": "Dạ, dữ liệu gửi lên quá lớn, anh/chị vui lòng rút gọn tin nhắn ạ.",
    "invalid_zalo_token": (
        "Dạ, em chưa xác thực được tài khoản Zalo của anh/chị, anh/chị vui lòng mở lại "
        "ứng dụng rồi thử lại ạ."
    ),
    "zalo_unavailable": (
        "Dạ, hiện chưa xác thực được tài khoản Zalo, anh/chị vui lòng thử lại sau ít phút ạ."
    ),
    "rasa_unavailable": "Dạ, hệ thống đang bận, anh/chị vui lòng thử lại sau ít phút ạ.",
    "overloaded": (
        "Dạ, hiện có nhiều người hỏi cùng lúc, anh/chị vui lòng gửi lại sau ít giây giúp em ạ."
    ),
    "not_found": "Dạ, địa chỉ này không tồn tại ạ.",
    "method_not_allowed": "Dạ, yêu cầu này không được hỗ trợ ạ.",
    "internal_error": "Dạ, hệ thống gặp sự cố, anh/chị vui lòng thử lại sau ít phút ạ.",
}


def error_response(status: int, code: str, **extra: Any) -> web.Response:
    """A JSON error with a machine `error` code and a Vietnamese `message` for citizens."""
    message = ERROR_MESSAGES[code].format(**extra.pop("fmt", {}))
    return web.json_response(
        {"error": code, "message": message, **extra}, status=status, dumps=_dumps
    )


def retry_later(code: str, retry_after: int, **extra: Any) -> web.Response:
    """A 503 the client may retry: `Retry-After` header and `retry_after` field (seconds)."""
    response = error_response(503, code, retry_after=retry_after, **extra)
    response.headers["Retry-After"] = str(retry_after)
    return response


@web.middleware
async def request_ids(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Every request gets an id (a sane incoming `X-Request-ID`, else a new one): on each log
    line written while serving it, in the response header and on the call to Rasa."""
    request_id = accept_request_id(request.headers.get(REQUEST_ID_HEADER))
    token = REQUEST_ID.set(request_id)
    try:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            exc.headers[REQUEST_ID_HEADER] = request_id
            raise
        response.headers[REQUEST_ID_HEADER] = request_id
        return response
    finally:
        REQUEST_ID.reset(token)


async def _forward_request_id(
    session: aiohttp.ClientSession, context: Any, params: aiohttp.TraceRequestStartParams
) -> None:
    """Outgoing calls made while serving a request carry its id (Rasa's access log shows it)."""
    request_id = REQUEST_ID.get()
    if request_id != "-" and REQUEST_ID_HEADER not in params.headers:
        params.headers[REQUEST_ID_HEADER] = request_id


def _pseudonym(sender: str) -> str:
    """A short stable tag for logs that does not reveal the sender id."""
    return hashlib.sha256(sender.encode("utf-8")).hexdigest()[:10]


@web.middleware
async def api_errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Under /api/, routing errors and unexpected failures answer JSON, never a trace."""
    if not request.path.startswith("/api/"):
        return await handler(request)
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return error_response(404, "not_found")
    except web.HTTPMethodNotAllowed:
        return error_response(405, "method_not_allowed")
    except web.HTTPRequestEntityTooLarge:
        return error_response(413, "body_too_large")
    except web.HTTPException:
        raise
    except Exception:
        log.exception("unexpected error in %s %s", request.method, request.path)
        metrics.CHAT_ERRORS.labels("internal_error").inc()
        return error_response(500, "internal_error")


async def _read_json_object(request: web.Request) -> dict[str, Any] | web.Response:
    raw = await request.read()  # raises HTTPRequestEntityTooLarge past client_max_size
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # bad JSON, bad UTF-8, absurd nesting
        return error_response(400, "invalid_json")
    if not isinstance(body, dict):
        return error_response(400, "invalid_body")
    return body


async def _session_for(request: web.Request, body: dict[str, Any]) -> ChatSession | web.Response:
    """The caller's session: from a verified Zalo token, a valid signed token, or a new one."""
    signer = request.app[SIGNER_KEY]
    zalo_token = body.get("zalo_access_token")
    if zalo_token is not None and zalo_token != "":
        if not isinstance(zalo_token, str):
            return error_response(401, "invalid_zalo_token")
        try:
            user = await request.app[ZALO_KEY].verify(zalo_token)
        except ZaloTokenInvalid:
            return error_response(401, "invalid_zalo_token")
        except ZaloUnavailable as exc:
            log.warning("cannot verify a Zalo Mini App token: %s", exc)
            return error_response(503, "zalo_unavailable")
        return signer.zalo_session(user.id)
    session = signer.verify(body.get("session"))
    if session is None:
        session = signer.new_web_session()
    return session


async def chat(request: web.Request) -> web.Response:
    """`POST /api/chat`: one citizen message in, the assistant's messages out."""
    settings = request.app[SETTINGS_KEY]
    body = await _read_json_object(request)
    if isinstance(body, web.Response):
        return body
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        return error_response(400, "invalid_text")
    text = text.strip()
    if len(text) > settings.max_text_chars:
        return error_response(413, "text_too_long", fmt={"limit": settings.max_text_chars})
    session = await _session_for(request, body)
    if isinstance(session, web.Response):
        return session
    from bot.gateway.web import api as web_api  # late: bot.gateway.web imports this module

    # Per-conversation rate limit; a conversation handed to staff is answered here.
    limited = await web_api.before_chat(request, session, text)
    if limited is not None:
        return limited

    started = time.monotonic()
    try:
        async with request.app[LIMITER_KEY].slot():
            utterances = await _call_rasa(request, settings, session.sender_id, text)
    except Overloaded as exc:
        metrics.CHAT_REJECTED.labels(exc.reason).inc()
        log.warning("chat %s: refused, overloaded (%s)", _pseudonym(session.sender_id), exc.reason)
        return retry_later("overloaded", settings.retry_after_seconds, session=session.token)
    except RasaUnavailable as exc:
        log.warning("chat %s: %s", _pseudonym(session.sender_id), exc)
        metrics.CHAT_ERRORS.labels("rasa_unavailable").inc()
        return retry_later("rasa_unavailable", settings.retry_after_seconds, session=session.token)
    messages = map_rasa_messages(utterances)
    extra = await web_api.after_chat(request, session, text, messages)  # history, handoff
    log.info(
        "chat %s (%s): %d message(s) in %.0f ms",
        _pseudonym(session.sender_id),
        session.kind,
        len(messages),
        (time.monotonic() - started) * 1000,
    )
    metrics.CHAT_TURN_SECONDS.observe(time.monotonic() - started)
    return web.json_response(
        {"session": session.token, "messages": [m.model_dump() for m in messages], **extra},
        dumps=_dumps,
    )


async def _call_rasa(
    request: web.Request, settings: GatewaySettings, sender_id: str, text: str
) -> list[Any]:
    """Rasa's utterances for one turn, timed for `gateway_rasa_call_seconds`."""
    started = time.perf_counter()
    outcome = "error"
    try:
        utterances = await request.app[RASA_KEY].send(
            request.app[HTTP_KEY], sender_id, text, settings.rasa_timeout
        )
        outcome = "ok"
        return utterances
    finally:
        metrics.RASA_CALL_SECONDS.labels(outcome).observe(time.perf_counter() - started)


async def healthz(request: web.Request) -> web.Response:
    """`GET /healthz`: 200 when Rasa, the action server and the state store all answer."""
    settings = request.app[SETTINGS_KEY]
    report = await check_health(
        request.app[HTTP_KEY],
        request.app[STORE_KEY],
        settings.rasa_upstreams,
        settings.action_server_url,
        settings.health_timeout,
    )
    return web.json_response(report, status=200 if report["status"] == "ok" else 503, dumps=_dumps)


def _open_default_store() -> StateStore:
    from bot.state import open_store  # imported late: tests pass their own store

    return open_store()


def _resources(
    settings: GatewaySettings, given_store: StateStore | None
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def resources(app: web.Application) -> AsyncIterator[None]:
        store = given_store if given_store is not None else _open_default_store()
        tracing = aiohttp.TraceConfig()
        tracing.on_request_start.append(_forward_request_id)
        http = aiohttp.ClientSession(trace_configs=[tracing])
        try:
            configured = (
                settings.session_secret.get_secret_value() if settings.session_secret else None
            )
            secret = await resolve_session_secret(configured, store)
            app[STORE_KEY] = store
            app[HTTP_KEY] = http
            app[SIGNER_KEY] = SessionSigner(secret)
            app[ZALO_KEY] = ZaloVerifier(
                http,
                settings.zalo_graph_base,
                settings.zalo_app_secret.get_secret_value() if settings.zalo_app_secret else None,
                timeout=settings.zalo_timeout,
                cache_seconds=settings.zalo_token_cache_seconds,
            )
            yield
        finally:
            await http.close()
            if given_store is None:  # close only what this app opened
                await store.close()

    return resources


def create_app(
    settings: GatewaySettings | None = None, store: StateStore | None = None
) -> web.Application:
    """The gateway app. Without `store`, the shared store is opened at startup (`open_store`)."""
    settings = settings if settings is not None else GatewaySettings.from_env()
    app = web.Application(
        middlewares=[request_ids, metrics.observe_requests, api_errors],
        client_max_size=MAX_BODY_BYTES,
    )
    app[SETTINGS_KEY] = settings
    app[RASA_KEY] = RasaUpstreams(settings.rasa_upstreams)
    app[LIMITER_KEY] = TurnLimiter(
        settings.web_max_inflight, settings.web_max_queue, settings.web_queue_timeout
    )
    app.cleanup_ctx.append(_resources(settings, store))
    app.router.add_post("/api/chat", chat)
    app.router.add_get("/healthz", healthz)
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    app.router.add_get("/metrics", metrics.metrics_handler(token))
    from bot.gateway.web.routes import setup_web  # late: bot.gateway.web imports this module

    setup_web(app, settings.web, STORE_KEY, settings.max_text_chars)
    from bot.gateway.zalo.webhook import setup_zalo  # late: it imports this module's app keys

    setup_zalo(app)
    from bot.gateway.admin import add_staff_routes  # late: it imports this module's app keys

    add_staff_routes(app)
    return app
