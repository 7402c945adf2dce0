"""`/api/chat` under overload: 503 with Retry-After instead of a timeout; Zalo acks unaffected."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from bot.gateway.settings import GatewaySettings, SettingsError
from tests.gateway.conftest import FakeRasa


async def _post(client, text: str):
    response = await client.post("/api/chat", data=json.dumps({"text": text}))
    return response.status, response.headers, await response.json()


async def test_turns_past_the_bound_get_503_with_retry_after(
    make_client, fake_rasa: FakeRasa
) -> None:
    fake_rasa.delay = 0.5
    client = await make_client(
        web_max_inflight=2, web_max_queue=1, web_queue_timeout=5.0, retry_after_seconds=7
    )
    started = time.monotonic()
    replies = await asyncio.gather(*(_post(client, f"câu {i}") for i in range(5)))
    statuses = sorted(status for status, _, _ in replies)
    assert statuses == [200, 200, 200, 503, 503]  # 2 in flight + 1 waiting; 2 refused
    refused = [(h, body) for status, h, body in replies if status == 503]
    for headers, body in refused:
        assert headers["Retry-After"] == "7"
        assert body["error"] == "overloaded"
        assert body["retry_after"] == 7
        assert body["message"].startswith("Dạ")
        assert body["session"]  # the citizen keeps the conversation
    assert len(fake_rasa.received) == 3  # refused turns never reached Rasa
    assert time.monotonic() - started < 2.0  # refusals did not wait for the slow turns


async def test_wait_past_the_queue_timeout_is_refused(make_client, fake_rasa: FakeRasa) -> None:
    fake_rasa.delay = 1.0
    client = await make_client(web_max_inflight=1, web_max_queue=5, web_queue_timeout=0.1)
    first = asyncio.create_task(_post(client, "một"))
    await asyncio.sleep(0.05)
    status, headers, body = await _post(client, "hai")
    assert status == 503 and body["error"] == "overloaded" and "Retry-After" in headers
    assert (await first)[0] == 200


async def test_rasa_timeout_is_503_with_retry_after(make_client, fake_rasa: FakeRasa) -> None:
    fake_rasa.delay = 1.0
    client = await make_client(rasa_timeout=0.2, retry_after_seconds=3)
    status, headers, body = await _post(client, "xin chào")
    assert status == 503
    assert headers["Retry-After"] == "3"
    assert body["error"] == "rasa_unavailable" and body["retry_after"] == 3
    # The slot was given back: the next turn goes through once Rasa is quick again.
    fake_rasa.delay = 0.0
    assert (await _post(client, "xin chào"))[0] == 200


def test_bounds_and_metrics_token_from_the_environment() -> None:
    settings = GatewaySettings.from_env(
        {"WEB_MAX_INFLIGHT": "4", "WEB_MAX_QUEUE": "0", "WEB_QUEUE_TIMEOUT": "1.5",
         "WEB_RETRY_AFTER": "9", "METRICS_TOKEN": " "}
    )  # fmt: skip
    assert (settings.web_max_inflight, settings.web_max_queue) == (4, 0)
    assert (settings.web_queue_timeout, settings.retry_after_seconds) == (1.5, 9)
    assert settings.metrics_token is None  # blank = unset = /metrics closed
    with pytest.raises(SettingsError, match="WEB_MAX_INFLIGHT"):
        GatewaySettings.from_env({"WEB_MAX_INFLIGHT": "0"})
