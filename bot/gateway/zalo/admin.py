"""Staff API for Zalo conversations, guarded by `ADMIN_TOKEN` (closed when it is unset).

- `PUT /zalo/admin/users/{user_id}/handoff` `{"ttl_seconds"?: number, "reason"?: str}`: pause the bot;
- `DELETE /zalo/admin/users/{user_id}/handoff`: give the conversation back to the bot;
- `GET /zalo/admin/users/{user_id}/handoff`: `{"paused": bool, ...}`;
- `POST /zalo/admin/users/{user_id}/messages` `{"text": str, "buttons"?: [{title, payload}]}`:
  a staff reply, sent through the same durable queue (in order, retried) even while paused;
- `GET /zalo/admin/status`: pending work and counters.

`user_id` is the OA-scoped Zalo user id (the Rasa sender id without `zalo-oa:`). The token goes
in `Authorization: Bearer <token>` or `X-Admin-Token`.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from aiohttp import web

from bot import handoff
from bot.gateway.admin import admin_token_ok
from bot.gateway.staff import deliver_staff_message
from bot.gateway.zalo.channel import tag
from bot.gateway.zalo.config import ZaloSettings
from bot.gateway.zalo.events import oa_sender
from bot.gateway.zalo.sender import zalo_button

log = logging.getLogger(__name__)

MAX_STAFF_TEXT = 20_000
_USER_ID = re.compile(r"^[0-9A-Za-z_\-]{1,64}$")


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False))


def _token_ok(settings: ZaloSettings, request: web.Request) -> bool | None:
    """None: admin API disabled; else whether the request carries the token."""
    return admin_token_ok(settings.admin_token, request)


def guard(handler: Any) -> Any:
    async def wrapped(request: web.Request) -> web.StreamResponse:
        from bot.gateway.zalo.webhook import ZALO_KEY  # late: webhook imports this module

        runtime = request.app[ZALO_KEY]
        ok = _token_ok(runtime.settings, request)
        if ok is None:
            return _json({"error": "admin_disabled"}, 403)
        if not ok:
            log.warning("admin call refused: bad or missing token")
            return _json({"error": "unauthorized"}, 401)
        user_id = request.match_info.get("user_id")
        if user_id is not None and not _USER_ID.match(user_id):
            return _json({"error": "invalid_user_id"}, 400)
        return await handler(request, runtime)

    return wrapped


async def _body(request: web.Request) -> dict[str, Any] | None:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return body if isinstance(body, dict) else None


@guard
async def get_handoff(request: web.Request, runtime: Any) -> web.Response:
    user_id = request.match_info["user_id"]
    flag = await handoff.paused(runtime.store, oa_sender(user_id))
    return _json({"paused": flag is not None, **(flag or {})})


@guard
async def put_handoff(request: web.Request, runtime: Any) -> web.Response:
    user_id = request.match_info["user_id"]
    body = await _body(request)
    if body is None:
        return _json({"error": "invalid_json"}, 400)
    ttl = body.get("ttl_seconds", runtime.settings.handoff_ttl)
    if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or not 0 < ttl <= 30 * 86400:
        return _json({"error": "invalid_ttl"}, 400)
    reason = body.get("reason") if isinstance(body.get("reason"), str) else ""
    by = body.get("by") if isinstance(body.get("by"), str) else "admin"
    flag = await handoff.pause(runtime.store, oa_sender(user_id), float(ttl), by, reason)
    log.info("zalo %s: handed to staff for %.0f s", tag(user_id), ttl)
    return _json({"paused": True, **flag})


@guard
async def delete_handoff(request: web.Request, runtime: Any) -> web.Response:
    user_id = request.match_info["user_id"]
    released = await handoff.release(runtime.store, oa_sender(user_id))
    log.info("zalo %s: given back to the bot (was paused: %s)", tag(user_id), released)
    return _json({"paused": False, "released": released})


@guard
async def post_message(request: web.Request, runtime: Any) -> web.Response:
    user_id = request.match_info["user_id"]
    body = await _body(request)
    if body is None:
        return _json({"error": "invalid_json"}, 400)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_STAFF_TEXT:
        return _json({"error": "invalid_text"}, 400)
    buttons = []
    raw_buttons = body.get("buttons") or []
    if not isinstance(raw_buttons, list):
        return _json({"error": "invalid_buttons"}, 400)
    for item in raw_buttons:
        if not isinstance(item, dict) or not isinstance(item.get("title"), str):
            return _json({"error": "invalid_buttons"}, 400)
        payload = item.get("payload")
        button = zalo_button(item["title"], payload if isinstance(payload, str) else None)
        if button is not None:
            buttons.append(button)
    # The same path as `POST /admin/conversations/{sender}/messages` and `handoff reply`.
    delivery = await deliver_staff_message(
        runtime.store,
        oa_sender(user_id),
        text,
        queue=runtime.queue,
        zalo_buttons=buttons,
        by=str(body.get("by", "admin")),
    )
    log.info(
        "zalo %s: staff reply queued (%d message(s))", tag(user_id), delivery.detail["messages"]
    )
    return _json({"queued": True, **delivery.detail}, 202)


@guard
async def status(request: web.Request, runtime: Any) -> web.Response:
    return _json(
        {
            "pending": await runtime.queue.pending(),
            "sent": runtime.channel.sent,
            "dropped": runtime.channel.dropped,
            "given_up": runtime.queue.given_up,
            "token_refreshes": runtime.tokens.refreshes,
        }
    )


def add_admin_routes(app: web.Application) -> None:
    base = "/zalo/admin/users/{user_id}"
    app.router.add_get(f"{base}/handoff", get_handoff)
    app.router.add_put(f"{base}/handoff", put_handoff)
    app.router.add_delete(f"{base}/handoff", delete_handoff)
    app.router.add_post(f"{base}/messages", post_message)
    app.router.add_get("/zalo/admin/status", status)
