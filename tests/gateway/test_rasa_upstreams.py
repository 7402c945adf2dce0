"""Spreading turns over several Rasa processes (`RasaUpstreams`) against fake REST channels."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from bot.gateway.rasa_client import RasaUnavailable, RasaUpstreams
from bot.gateway.settings import GatewaySettings, SettingsError
from tests.gateway.conftest import FakeRasa, closed_port_url


@pytest.fixture
async def two_rasas(aiohttp_server) -> list[tuple[FakeRasa, str]]:
    fakes = []
    for _ in range(2):
        fake = FakeRasa()
        server = await aiohttp_server(fake.app())
        fakes.append((fake, str(server.make_url("")).rstrip("/")))
    return fakes


async def test_turns_are_spread_over_every_process(two_rasas) -> None:
    upstreams = RasaUpstreams([url for _, url in two_rasas])
    async with aiohttp.ClientSession() as http:
        for i in range(10):
            reply = await upstreams.send(http, f"user{i}", "xin chào", 5.0)
            assert reply[0]["text"] == "echo: xin chào"
    assert [len(fake.received) for fake, _ in two_rasas] == [5, 5]


async def test_a_busy_process_gets_no_new_turn_while_another_is_idle(two_rasas) -> None:
    (slow, slow_url), (fast, fast_url) = two_rasas
    slow.delay = 0.5
    upstreams = RasaUpstreams([slow_url, fast_url])
    async with aiohttp.ClientSession() as http:
        first = asyncio.create_task(upstreams.send(http, "a", "one", 5.0))  # first in turn: slow
        await asyncio.sleep(0.1)
        for i in range(3):  # one after another while "one" is still in flight
            await upstreams.send(http, f"u{i}", "two", 5.0)
        await first
    assert [b["sender"] for b in slow.received] == ["a"]
    assert [b["sender"] for b in fast.received] == ["u0", "u1", "u2"]


async def test_a_refused_connection_moves_the_turn_to_another_process(two_rasas) -> None:
    (fake, url), _ = two_rasas
    upstreams = RasaUpstreams([closed_port_url(), url])
    async with aiohttp.ClientSession() as http:
        for i in range(4):
            reply = await upstreams.send(http, f"user{i}", "chào", 5.0)
            assert reply[0]["recipient_id"] == f"user{i}"
    assert [b["sender"] for b in fake.received] == ["user0", "user1", "user2", "user3"]


async def test_an_error_status_is_not_retried_elsewhere(two_rasas) -> None:
    (a, a_url), (b, b_url) = two_rasas
    a.status = b.status = 500
    upstreams = RasaUpstreams([a_url, b_url])
    async with aiohttp.ClientSession() as http:
        with pytest.raises(RasaUnavailable, match="HTTP 500"):
            await upstreams.send(http, "u", "chào", 5.0)
    assert len(a.received) + len(b.received) == 1  # reached Rasa once: never sent twice


async def test_a_timeout_is_not_retried_elsewhere(two_rasas) -> None:
    (a, a_url), (b, b_url) = two_rasas
    a.delay = b.delay = 2.0
    upstreams = RasaUpstreams([a_url, b_url])
    async with aiohttp.ClientSession() as http:
        with pytest.raises(RasaUnavailable, match="did not answer"):
            await upstreams.send(http, "u", "chào", 0.3)
    assert len(a.received) + len(b.received) == 1


async def test_every_process_refusing_is_reported() -> None:
    upstreams = RasaUpstreams([closed_port_url(), closed_port_url()])
    async with aiohttp.ClientSession() as http:
        with pytest.raises(RasaUnavailable, match="no Rasa process accepted"):
            await upstreams.send(http, "u", "chào", 5.0)


def test_rasa_urls_from_the_environment() -> None:
    settings = GatewaySettings.from_env({"RASA_URLS": "http://a:5005/, http://b:5005"})
    assert settings.rasa_upstreams == ("http://a:5005", "http://b:5005")
    assert settings.rasa_url == "http://a:5005"
    assert GatewaySettings.from_env({"RASA_URL": "http://c:1"}).rasa_upstreams == ("http://c:1",)
    with pytest.raises(SettingsError, match="RASA_URLS"):
        GatewaySettings.from_env({"RASA_URLS": "http://a:5005,b:5005"})
