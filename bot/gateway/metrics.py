"""Prometheus metrics of the gateway, served on `GET /metrics` (Bearer `METRICS_TOKEN`).

Labels never carry personal data: routes are the route *templates* (`/zalo/admin/users/{user}`),
never a sender id, session or message text. Metrics live in prometheus_client's default
registry, one set per process: with several gateway processes, scrape each one.

| metric | type | labels | what |
|---|---|---|---|
| `gateway_http_requests_total` | counter | route, method, status | every HTTP request |
| `gateway_http_request_duration_seconds` | histogram | route | time to answer a request |
| `gateway_chat_turn_seconds` | histogram | | a web-chat turn, from request to answer, waiting included |
| `gateway_rasa_call_seconds` | histogram | outcome (`ok`, `error`) | the call to Rasa of a web-chat turn |
| `gateway_chat_errors_total` | counter | reason (`rasa_unavailable`, `internal_error`) | turns answered with an error |
| `gateway_chat_rejected_total` | counter | reason (`queue_full`, `wait_timeout`) | turns refused with 503 by the overload bound |
| `gateway_chat_inflight` / `gateway_chat_waiting` | gauge | | turns being answered / waiting for a slot |
| `gateway_zalo_queue_pending` | gauge | | Zalo messages stored and not yet answered (read at scrape time) |

The unanswered-question rate is counted where it is known, on the action server
(`actions_procedure_questions_total{outcome}`, see `actions/metrics.py`).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

log = logging.getLogger(__name__)

# Chat turns take tens of milliseconds to seconds; buckets cover 10 ms .. 30 s (Rasa timeout).
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "gateway_http_requests_total", "HTTP requests by route, method and status",
    ["route", "method", "status"],
)  # fmt: skip
REQUEST_SECONDS = Histogram(
    "gateway_http_request_duration_seconds", "Time to answer an HTTP request", ["route"],
    buckets=LATENCY_BUCKETS,
)  # fmt: skip
CHAT_TURN_SECONDS = Histogram(
    "gateway_chat_turn_seconds", "Web-chat turn, request to answer", buckets=LATENCY_BUCKETS
)
RASA_CALL_SECONDS = Histogram(
    "gateway_rasa_call_seconds", "Call to Rasa of a web-chat turn", ["outcome"],
    buckets=LATENCY_BUCKETS,
)  # fmt: skip
CHAT_ERRORS = Counter(
    "gateway_chat_errors_total", "Web-chat turns answered with an error", ["reason"]
)
CHAT_REJECTED = Counter(
    "gateway_chat_rejected_total", "Web-chat turns refused with 503 (overload)", ["reason"]
)
CHAT_INFLIGHT = Gauge("gateway_chat_inflight", "Web-chat turns being answered")
CHAT_WAITING = Gauge("gateway_chat_waiting", "Web-chat turns waiting for a slot")
ZALO_PENDING = Gauge("gateway_zalo_queue_pending", "Zalo messages stored, not yet answered")

ZALO_PENDING_TIMEOUT = 2.0  # a slow store must not hang the scrape

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def route_label(request: web.Request) -> str:
    """The matched route's template (no ids), or `unmatched`."""
    route = request.match_info.route
    resource = getattr(route, "resource", None)
    canonical = getattr(resource, "canonical", None)
    return canonical if canonical else "unmatched"


@web.middleware
async def observe_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Counts and times every request by route template and status."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        route = route_label(request)
        REQUESTS.labels(route, request.method, str(status)).inc()
        REQUEST_SECONDS.labels(route).observe(time.perf_counter() - started)


def authorised(request: web.Request, token: str | None) -> bool:
    if token is None:
        return False
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


async def refresh_gauges(app: web.Application) -> None:
    """Set the gauges read at scrape time (turn limiter, Zalo queue depth)."""
    from bot.gateway.app import LIMITER_KEY  # late: app imports this module
    from bot.gateway.zalo.webhook import ZALO_KEY

    limiter = app.get(LIMITER_KEY)
    if limiter is not None:
        CHAT_INFLIGHT.set(limiter.inflight)
        CHAT_WAITING.set(limiter.waiting)
    runtime = app.get(ZALO_KEY)
    if runtime is not None:
        try:
            pending = await asyncio.wait_for(runtime.queue.pending(), ZALO_PENDING_TIMEOUT)
        except Exception:  # the last value stays; a store hiccup must not fail the scrape
            log.warning("cannot read the Zalo queue depth for /metrics", exc_info=True)
        else:
            ZALO_PENDING.set(pending)


def metrics_handler(token: str | None) -> Handler:
    async def metrics(request: web.Request) -> web.Response:
        """`GET /metrics`: Prometheus text format, for a scraper holding `METRICS_TOKEN`."""
        if token is None:
            return web.json_response(
                {"error": "metrics_disabled", "message": "set METRICS_TOKEN to enable /metrics"},
                status=403,
            )
        if not authorised(request, token):
            return web.json_response(
                {"error": "unauthorized", "message": "Authorization: Bearer <METRICS_TOKEN>"},
                status=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        await refresh_gauges(request.app)
        return web.Response(
            body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    return metrics
