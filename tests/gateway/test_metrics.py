"""`GET /metrics`: token-guarded Prometheus text; counters move with traffic; no personal data."""

from __future__ import annotations

import asyncio
import json

from prometheus_client import REGISTRY
from pydantic import SecretStr

from tests.gateway.conftest import FakeRasa

TOKEN = "metrics-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_metrics_closed_without_token_and_refused_with_a_wrong_one(make_client) -> None:
    closed = await make_client()
    assert (await closed.get("/metrics")).status == 403
    client = await make_client(metrics_token=SecretStr(TOKEN))
    assert (await client.get("/metrics")).status == 401
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status == 401
    ok = await client.get("/metrics", headers=AUTH)
    assert ok.status == 200
    assert ok.headers["Content-Type"].startswith("text/plain")


async def test_chat_traffic_moves_the_counters(make_client, fake_rasa: FakeRasa) -> None:
    client = await make_client(metrics_token=SecretStr(TOKEN), rasa_timeout=0.2)
    route = {"route": "/api/chat", "method": "POST", "status": "200"}
    before_ok = sample("gateway_http_requests_total", **route)
    before_turns = sample("gateway_chat_turn_seconds_count")
    before_rasa = sample("gateway_rasa_call_seconds_count", outcome="ok")
    before_err = sample("gateway_chat_errors_total", reason="rasa_unavailable")
    phone = "0912345678"
    for _ in range(3):
        response = await client.post("/api/chat", data=json.dumps({"text": f"gọi {phone}"}))
        assert response.status == 200
    fake_rasa.delay = 1.0
    assert (await client.post("/api/chat", data=json.dumps({"text": "chậm"}))).status == 503
    assert sample("gateway_http_requests_total", **route) == before_ok + 3
    assert sample("gateway_chat_turn_seconds_count") == before_turns + 3
    assert sample("gateway_rasa_call_seconds_count", outcome="ok") == before_rasa + 3
    assert sample("gateway_chat_errors_total", reason="rasa_unavailable") == before_err + 1
    text = await (await client.get("/metrics", headers=AUTH)).text()
    assert 'gateway_http_requests_total{method="POST",route="/api/chat",status="503"}' in text
    assert phone not in text and "chậm" not in text  # no message text in any label


async def test_rejected_and_inflight_gauges(make_client, fake_rasa: FakeRasa) -> None:
    fake_rasa.delay = 0.5
    client = await make_client(metrics_token=SecretStr(TOKEN), web_max_inflight=1, web_max_queue=0)
    before = sample("gateway_chat_rejected_total", reason="queue_full")
    slow = asyncio.create_task(client.post("/api/chat", data=json.dumps({"text": "một"})))
    await asyncio.sleep(0.1)
    assert (await client.post("/api/chat", data=json.dumps({"text": "hai"}))).status == 503
    assert sample("gateway_chat_rejected_total", reason="queue_full") == before + 1
    await client.get("/metrics", headers=AUTH)
    assert sample("gateway_chat_inflight") == 1
    assert (await slow).status == 200
    await client.get("/metrics", headers=AUTH)
    assert sample("gateway_chat_inflight") == 0


async def test_route_labels_are_templates_not_ids(make_client) -> None:
    client = await make_client(metrics_token=SecretStr(TOKEN))
    await client.get("/zalo/admin/users/123456789/handoff")
    await client.get("/no/such/path/0912345678")
    text = await (await client.get("/metrics", headers=AUTH)).text()
    assert "123456789" not in text and "0912345678" not in text
    assert 'route="unmatched"' in text
