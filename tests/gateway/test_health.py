"""`GET /healthz` with fake Rasa / action server and a store whose ping can fail."""

from __future__ import annotations

import time

import pytest

from tests.gateway.conftest import FakeActions, FakeRasa, FlakyStore, closed_port_url


async def _health(client) -> tuple[int, dict]:
    response = await client.get("/healthz")
    return response.status, await response.json()


async def test_all_up(make_client) -> None:
    status, body = await _health(await make_client())
    assert status == 200
    assert body == {
        "status": "ok",
        "parts": {"rasa": "ok", "actions": "ok", "state": "ok"},
        "rasa_up": "1/1",
    }


async def test_rasa_down(make_client) -> None:
    status, body = await _health(await make_client(rasa_url=closed_port_url()))
    assert status == 503
    assert body["status"] == "degraded"
    assert body["parts"] == {"rasa": "down", "actions": "ok", "state": "ok"}


async def test_actions_down(make_client) -> None:
    status, body = await _health(await make_client(action_server_url=closed_port_url()))
    assert status == 503
    assert body["parts"] == {"rasa": "ok", "actions": "down", "state": "ok"}


async def test_error_status_counts_as_down(
    make_client, fake_rasa: FakeRasa, fake_actions: FakeActions
) -> None:
    fake_rasa.root_status = 500
    fake_actions.status = 503
    status, body = await _health(await make_client())
    assert status == 503
    assert body["parts"] == {"rasa": "down", "actions": "down", "state": "ok"}


@pytest.mark.parametrize("ping", [False, ConnectionError("redis gone")])
async def test_state_down(make_client, store: FlakyStore, ping: bool | Exception) -> None:
    store.ping_result = ping
    status, body = await _health(await make_client())
    assert status == 503
    assert body["status"] == "degraded"
    assert body["parts"] == {"rasa": "ok", "actions": "ok", "state": "down"}


async def test_slow_parts_time_out_in_parallel(
    make_client, fake_rasa: FakeRasa, fake_actions: FakeActions
) -> None:
    fake_rasa.delay = fake_actions.delay = 3.0
    client = await make_client(health_timeout=0.5)
    started = time.monotonic()
    status, body = await _health(client)
    elapsed = time.monotonic() - started
    assert status == 503
    assert body["parts"] == {"rasa": "down", "actions": "down", "state": "ok"}
    assert elapsed < 0.95  # one timeout, not two in a row


async def test_one_of_two_rasa_processes_down_still_serves(make_client, servers) -> None:
    client = await make_client(rasa_urls=(closed_port_url(), servers["rasa"]))
    status, body = await _health(client)
    assert status == 200
    assert body["parts"]["rasa"] == "ok"
    assert body["rasa_up"] == "1/2"
