"""Prometheus metrics of the action server, served on its own port at `GET /metrics`.

rasa-sdk builds its Sanic app itself; its plugin hook (`attach_sanic_app_extensions`, found
through the `rasa_sdk_plugins` package at the repository root) lets us add a route and two
middlewares without patching rasa-sdk. Every action run is counted and timed from the webhook
call Rasa makes, so no action class needs a decorator. `/metrics` needs
`Authorization: Bearer $METRICS_TOKEN` like the gateway's (unset = 403).

| metric | type | labels | what |
|---|---|---|---|
| `actions_runs_total` | counter | action, outcome (`ok`, `rejected`, `unknown_action`, `error`) | webhook calls |
| `actions_run_seconds` | histogram | action | time to run an action (webhook in, events out) |
| `actions_questions_total` | counter | outcome (`answered`, `ambiguous`, `no_procedure`, `fallback`) | procedure questions and their fate; unanswered rate = (`no_procedure` + `fallback`) / all |

Action labels are the registered action names (an unknown name is labelled `unknown`), never a
sender id or message text. One registry per worker process (`ACTION_SERVER_SANIC_WORKERS`=1 by
default): with several workers, each scrape sees one worker.
"""

from __future__ import annotations

import hmac
import os
import re
import time
from typing import Any

import pluggy
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest

hookimpl = pluggy.HookimplMarker("rasa_sdk")

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
_ACTION_NAME = re.compile(r"[a-z][a-z0-9_]{0,79}")
OUTCOMES = {200: "ok", 400: "rejected", 404: "unknown_action"}

RUNS = Counter("actions_runs_total", "Action webhook calls", ["action", "outcome"])
RUN_SECONDS = Histogram(
    "actions_run_seconds", "Time to run an action", ["action"], buckets=LATENCY_BUCKETS
)
QUESTIONS = Counter(
    "actions_questions_total", "Procedure questions by outcome (unanswered: no_procedure, fallback)",
    ["outcome"],
)  # fmt: skip


def count_question(outcome: str) -> None:
    """One procedure question answered, ambiguous, or unanswered (`no_procedure`, `fallback`)."""
    QUESTIONS.labels(outcome).inc()


def action_label(payload: Any) -> str:
    name = payload.get("next_action") if isinstance(payload, dict) else None
    return name if isinstance(name, str) and _ACTION_NAME.fullmatch(name) else "unknown"


def observe(action: str, status: int, seconds: float) -> None:
    # A 404 means no such registered action: never keep a caller-chosen name as a label.
    label = "unknown" if status == 404 else action
    RUNS.labels(label, OUTCOMES.get(status, "error")).inc()
    RUN_SECONDS.labels(label).observe(seconds)


def metrics_token() -> str | None:
    return os.environ.get("METRICS_TOKEN", "").strip() or None


def attach(app: Any) -> None:
    """Add `/metrics` and the webhook timing middlewares to rasa-sdk's Sanic app."""
    from sanic import response

    async def started(request: Any) -> None:
        if request.path == "/webhook":
            request.ctx.metrics_started = time.perf_counter()

    async def finished(request: Any, resp: Any) -> None:
        began = getattr(request.ctx, "metrics_started", None)
        if began is None or resp is None:
            return
        try:
            payload = request.json
        except Exception:  # compressed or unreadable body: still counted
            payload = None
        observe(action_label(payload), resp.status, time.perf_counter() - began)

    async def metrics(request: Any) -> Any:
        token = metrics_token()
        if token is None:
            return response.json({"error": "metrics_disabled"}, status=403)
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return response.json({"error": "unauthorized"}, status=401)
        return response.raw(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)

    app.register_middleware(started, "request")
    app.register_middleware(finished, "response")
    app.add_route(metrics, "/metrics", methods=["GET"], name="prometheus_metrics")


@hookimpl
def attach_sanic_app_extensions(app: Any) -> None:
    attach(app)
