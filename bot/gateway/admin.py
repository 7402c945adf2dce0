"""Staff API on the gateway for any conversation, guarded by `ADMIN_TOKEN` (closed when unset).

- `POST /admin/conversations/{sender_id}/messages` `{"text": str, "by"?: str}`: a staff message,
  delivered on the citizen's channel (`bot/gateway/staff.py`): the Zalo OA queue for
  `zalo-oa:<id>`, the stored transcript (shown by the open page within seconds) for web and
  Mini App conversations. 202 `{"delivered": true, "channel": "web"|"zalo", ...}`.
- `GET /admin/conversations/{sender_id}/messages`: a web conversation's transcript (masked),
  so that staff read what the citizen wrote while the bot was paused.

`sender_id` is the Rasa sender id, as `python -m bot handoff list` shows it. The token goes in
`Authorization: Bearer <token>` or `X-Admin-Token`. Errors are JSON `{"error": code, "message":
English text}` for integrators: 403 `admin_disabled`, 401 `unauthorized`, 400 `invalid_json`,
`invalid_sender`, `invalid_text`; 404 `unknown_conversation`; 409 `history_disabled`; 503
`state_unavailable`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from pydantic import SecretStr

from bot.gateway.app import SETTINGS_KEY, STORE_KEY
from bot.gateway.staff import StaffMessageError, channel_of, deliver_staff_message
from bot.gateway.web.api import WEB_KEY
from bot.gateway.web.history import ChatHistory

log = logging.getLogger(__name__)

STATUS_BY_ERROR = {
    "invalid_json": 400,
    "invalid_sender": 400,
    "invalid_text": 400,
    "unknown_conversation": 404,
    "history_disabled": 409,
}


def admin_json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False))


def admin_error(status: int, code: str, message: str) -> web.Response:
    return admin_json({"error": code, "message": message}, status)


def admin_token_ok(token: SecretStr | None, request: web.Request) -> bool | None:
    """None: admin API disabled (no token configured); else whether the request carries it."""
    if token is None:
        return None
    given = request.headers.get("X-Admin-Token", "")
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        given = auth[7:].strip()
    # Hash both sides so that the comparison time does not depend on the lengths either.
    want = hashlib.sha256(token.get_secret_value().encode()).digest()
    return hmac.compare_digest(hashlib.sha256(given.encode()).digest(), want)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def guarded(handler: Handler) -> Handler:
    async def wrapped(request: web.Request) -> web.StreamResponse:
        ok = admin_token_ok(request.app[SETTINGS_KEY].zalo.admin_token, request)
        if ok is None:
            return admin_error(403, "admin_disabled", "the admin API is off: set ADMIN_TOKEN")
        if not ok:
            log.warning("admin call refused: bad or missing token")
            return admin_error(401, "unauthorized", "missing or wrong admin token")
        try:
            return await handler(request)
        except StaffMessageError as exc:
            return admin_error(STATUS_BY_ERROR.get(exc.code, 400), exc.code, str(exc))
        except (ConnectionError, OSError, TimeoutError) as exc:
            log.error("admin call failed, state unavailable: %s", type(exc).__name__)
            return admin_error(503, "state_unavailable", "the shared state cannot be reached")

    return wrapped


async def read_body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    try:
        body = json.loads(raw) if raw.strip() else {}
    except (ValueError, RecursionError):
        raise StaffMessageError("invalid_json", "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise StaffMessageError("invalid_json", "the body must be a JSON object")
    return body


@guarded
async def post_message(request: web.Request) -> web.Response:
    from bot.gateway.zalo.webhook import ZALO_KEY  # late: the Zalo channel imports this package

    sender_id = request.match_info["sender_id"]
    channel_of(sender_id)  # a bad id is refused before the body is read
    body = await read_body(request)
    by = body.get("by") if isinstance(body.get("by"), str) else "admin"
    delivery = await deliver_staff_message(
        request.app[STORE_KEY],
        sender_id,
        body.get("text"),  # type: ignore[arg-type]  # checked by deliver_staff_message
        history=request.app[WEB_KEY].history,
        queue=request.app[ZALO_KEY].queue,
        by=by,
    )
    log.info("staff message delivered on %s", delivery.channel)
    return admin_json(
        {"delivered": True, "channel": delivery.channel, **delivery.detail}, status=202
    )


@guarded
async def get_messages(request: web.Request) -> web.Response:
    sender_id = request.match_info["sender_id"]
    if channel_of(sender_id) != "web":
        raise StaffMessageError(
            "invalid_sender", "only web conversations keep a transcript on the gateway"
        )
    entries = await request.app[WEB_KEY].history.read(sender_id)
    if not entries:
        raise StaffMessageError("unknown_conversation", "no stored web conversation with this id")
    return admin_json({"sender_id": sender_id, "messages": ChatHistory.as_json(entries)})


def add_staff_routes(app: web.Application) -> None:
    app.router.add_post("/admin/conversations/{sender_id}/messages", post_message)
    app.router.add_get("/admin/conversations/{sender_id}/messages", get_messages)
