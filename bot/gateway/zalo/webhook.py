"""`POST /zalo/webhook`: check, acknowledge, store; the queue does the rest asynchronously.

Order of checks: URL-verification probe (200, nothing processed) -> signature over the raw body
(401) -> replay window on `timestamp` (401) -> events that need no work (200) -> dedupe by
`msg_id` in the shared state (200, nothing more) -> job stored durably -> 200. Only storing
work can fail with 503, so that Zalo delivers the event again later.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from bot.gateway.app import HTTP_KEY, RASA_KEY, SETTINGS_KEY, STORE_KEY
from bot.gateway.zalo.admin import add_admin_routes
from bot.gateway.zalo.channel import ZaloChannel, job_for_event, tag
from bot.gateway.zalo.config import ZaloSettings
from bot.gateway.zalo.events import EventKind, parse_event
from bot.gateway.zalo.queue import WorkQueue
from bot.gateway.zalo.sender import ZaloClient
from bot.gateway.zalo.signature import SIGNATURE_HEADER, verify_signature
from bot.gateway.zalo.tokens import TokenManager
from bot.state.base import StateStore

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/zalo/webhook"
SEEN_PREFIX = "zalo:seen:"
# Zalo's clock and ours may differ a little; a timestamp this far in the future still passes.
FUTURE_SKEW_SECONDS = 300.0
DEV_SWITCH_WARNING = (
    "ZALO_DEV_SKIP_SIGNATURE is on: Zalo webhook signatures are NOT checked. Anyone who can reach "
    "this gateway can talk as any Zalo user. For local development only; never in production."
)


@dataclass
class ZaloRuntime:
    settings: ZaloSettings
    store: StateStore
    tokens: TokenManager
    client: ZaloClient
    channel: ZaloChannel
    queue: WorkQueue


ZALO_KEY = web.AppKey("zalo_channel", ZaloRuntime)


def _ok() -> web.Response:
    return web.json_response({"status": "ok"})


def _refused(status: int, error: str) -> web.Response:
    return web.json_response({"error": error}, status=status)


async def probe(request: web.Request) -> web.Response:
    """Zalo (and operators) check the URL answers; nothing is processed."""
    return _ok()


async def webhook(request: web.Request) -> web.Response:
    runtime = request.app[ZALO_KEY]
    settings = runtime.settings
    raw = await request.read()
    if not raw.strip():
        return _ok()  # URL-verification probe without a body
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        return _refused(400, "invalid_json")
    if not isinstance(body, dict):
        return _refused(400, "invalid_body")
    header = request.headers.get(SIGNATURE_HEADER)
    if "event_name" not in body and header is None:
        return _ok()  # a verification probe carries no event: nothing to do
    if not settings.webhook_enabled:
        log.error("Zalo webhook called but ZALO_OA_SECRET_KEY is not set: event refused")
        return _refused(503, "not_configured")
    if settings.dev_skip_signature:
        log.warning("accepting a Zalo webhook without checking its signature (dev switch on)")
    elif not verify_signature(
        raw, header, body, settings.oa_secret_key.get_secret_value(), settings.app_id
    ):
        log.warning("Zalo webhook refused: %s signature", "missing" if not header else "bad")
        return _refused(401, "invalid_signature")

    event = parse_event(body)
    now_ms = time.time() * 1000
    ts = event.timestamp_ms
    if (
        ts is None
        or now_ms - ts > settings.replay_window * 1000
        or ts - now_ms > FUTURE_SKEW_SECONDS * 1000
    ):
        log.warning("Zalo webhook refused: timestamp outside the replay window (%s)", event.name)
        return _refused(401, "stale_timestamp")

    job = job_for_event(event)
    if job is None:
        level = logging.DEBUG if event.kind is EventKind.RECEIPT else logging.INFO
        log.log(level, "Zalo event %r acknowledged, nothing to do", event.name or "?")
        return _ok()

    seen = f"{SEEN_PREFIX}{event.dedupe_key()}"
    try:
        first = await runtime.store.set_if_absent(seen, job.id, ttl=settings.dedupe_ttl)
    except Exception as exc:
        log.error(
            "Zalo event not stored (state unavailable: %s); Zalo will retry", type(exc).__name__
        )
        return _refused(503, "state_unavailable")
    if not first:
        log.info("zalo %s: duplicate delivery of %s ignored", tag(job.user), event.name)
        return _ok()
    try:
        await runtime.queue.enqueue(job)
    except Exception as exc:
        log.error("Zalo event not stored (%s); Zalo will retry", type(exc).__name__)
        with contextlib.suppress(Exception):
            await runtime.store.delete(seen)  # let the retry through
        return _refused(503, "state_unavailable")
    log.info("zalo %s: %s queued", tag(job.user), event.name)
    return _ok()


async def _zalo_context(app: web.Application) -> AsyncIterator[None]:
    gateway = app[SETTINGS_KEY]
    settings = gateway.zalo
    store = app[STORE_KEY]
    http = app[HTTP_KEY]
    tokens = TokenManager(
        store,
        http,
        settings.oauth_base,
        settings.app_id,
        settings.app_secret.get_secret_value() if settings.app_secret else None,
        timeout=settings.send_timeout,
    )
    client = ZaloClient(http, settings.api_base, tokens, settings.send_timeout)
    channel = ZaloChannel(store, http, client, app[RASA_KEY], gateway.rasa_timeout)
    queue = WorkQueue(
        store,
        channel.handle,
        lease_seconds=settings.lease_seconds,
        sweep_interval=settings.sweep_interval,
        max_parallel=settings.max_parallel,
        max_delay=settings.retry_max_delay,
        max_age=settings.retry_max_age,
        max_attempts=settings.retry_max_attempts,
    )
    channel.queue = queue
    app[ZALO_KEY] = ZaloRuntime(settings, store, tokens, client, channel, queue)
    active = settings.webhook_enabled or settings.access_token is not None
    if active:
        if settings.dev_skip_signature:
            for _ in range(3):  # loud on purpose
                log.warning(DEV_SWITCH_WARNING)
        if settings.access_token is None and settings.refresh_token is None:
            log.error("Zalo channel: ZALO_ACCESS_TOKEN is not set, replies cannot be sent")
        await tokens.seed(
            settings.access_token.get_secret_value() if settings.access_token else None,
            settings.refresh_token.get_secret_value() if settings.refresh_token else None,
        )
        queue.start()  # also resumes work left by a previous run
        log.info("Zalo OA channel on %s", WEBHOOK_PATH)
    try:
        yield
    finally:
        await queue.stop()


def setup_zalo(app: web.Application) -> None:
    """Add the webhook, the admin API and the queue's lifecycle to the gateway app.

    Call after the gateway's own resources are registered (it uses the store and HTTP client).
    """
    app.router.add_get(WEBHOOK_PATH, probe)
    app.router.add_post(WEBHOOK_PATH, webhook)
    add_admin_routes(app)
    app.cleanup_ctx.append(_zalo_context)
