"""Open-loop schedule and runner: fixed arrivals whatever the server does; latency from the
scheduled time (no coordinated omission); closed loop keeps N users busy."""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time

import aiohttp
import pytest
from aiohttp import web

from bench.load_driver import ChatTarget, arrival_times, closed_loop, open_loop
from bench.load_mix import Conversation
from bench.load_report import PhaseResult


def test_uniform_arrivals_are_evenly_spaced() -> None:
    times = arrival_times(20.0, 2.0, poisson=False)
    assert len(times) == 40
    assert times[0] == 0.0 and times[1] == pytest.approx(0.05)


def test_poisson_arrivals_have_the_rate_on_average_and_are_seeded() -> None:
    times = arrival_times(50.0, 20.0, poisson=True, seed=1)
    assert abs(len(times) - 1000) < 100
    assert all(0 <= a < b < 20.0 for a, b in itertools.pairwise(times))
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert statistics.stdev(gaps) > 0.5 * statistics.mean(gaps)  # bursty, not even
    assert times == arrival_times(50.0, 20.0, poisson=True, seed=1)
    assert arrival_times(0.0, 5.0, poisson=True) == []


def _conversations():
    while True:
        yield Conversation("smalltalk", ("xin chào", "bạn là ai", "tạm biệt"))


async def _server(aiohttp_server, delay: float, seen: list[tuple[str | None, str]]):
    sessions = iter(range(10_000))

    async def chat(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append((body.get("session"), body["text"]))
        await asyncio.sleep(delay)
        session = body.get("session") or f"s{next(sessions)}"
        return web.json_response({"session": session, "messages": [{"text": "ok"}]})

    app = web.Application()
    app.router.add_post("/api/chat", chat)
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/")


async def test_open_loop_sends_on_schedule_even_when_the_server_is_slow(aiohttp_server) -> None:
    seen: list = []
    url = await _server(aiohttp_server, delay=0.3, seen=seen)
    result = PhaseResult("t", "open", "20 msg/s", 0.0)
    schedule = arrival_times(20.0, 1.0, poisson=False)
    async with aiohttp.ClientSession() as http:
        await open_loop(ChatTarget(url, http), _conversations(), schedule, result)
    assert result.ok == 20 and result.errors == 0
    # The server holds each turn 0.3 s; new messages did not wait for answers.
    assert result.seconds < 1.0 + 0.3 + 0.3
    assert min(result.latencies_ms) >= 290
    # Follow-ups go on the conversation's session, in order; busy citizens get no new turn.
    by_session: dict = {}
    for session, text in seen:
        by_session.setdefault(session, []).append(text)
    assert seen[0] == (None, "xin chào")
    continued = [texts for s, texts in by_session.items() if s is not None]
    assert continued and all(t[0] == "bạn là ai" for t in continued)


async def test_latency_counts_from_the_scheduled_time(aiohttp_server) -> None:
    url = await _server(aiohttp_server, delay=0.0, seen=[])
    result = PhaseResult("t", "open", "x", 0.0)
    async with aiohttp.ClientSession() as http:
        # The runner's clock says the phase began 0.5 s ago: the message is 0.5 s late, and
        # that lateness is part of its latency even though the server answers at once.
        await open_loop(
            ChatTarget(url, http),
            _conversations(),
            [0.0],
            result,
            clock=lambda: time.monotonic() - 0.5,
        )
    assert result.ok == 1 and result.latencies_ms[0] >= 500


async def test_closed_loop_keeps_each_user_busy_and_counts_errors(aiohttp_server) -> None:
    seen: list = []
    url = await _server(aiohttp_server, delay=0.05, seen=seen)
    result = PhaseResult("t", "closed", "4 users", 0.0)
    async with aiohttp.ClientSession() as http:
        await closed_loop(ChatTarget(url, http), _conversations(), 4, 0.5, result)
        bad = PhaseResult("t", "closed", "1 user", 0.0)
        await closed_loop(ChatTarget(url + "/nope", http), _conversations(), 1, 0.1, bad)
    assert 4 * 6 <= result.ok <= 4 * 12  # ~10 turns per user in 0.5 s at 50 ms each
    assert result.errors == 0
    assert bad.ok == 0 and bad.errors >= 1 and "http 404" in bad.error_kinds
