"""Rate limits per conversation and per client address: 429 JSON with Retry-After."""

from __future__ import annotations

import json

from bot.gateway.web.config import WebSettings
from bot.gateway.web.ratelimit import RateLimiter
from tests.gateway.conftest import FakeRasa


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_spends_and_refills() -> None:
    clock = Clock()
    limiter = RateLimiter(6, clock=clock)  # 6 at once, then one every 10 s
    assert [limiter.check("a") for _ in range(6)] == [0] * 6
    assert limiter.check("a") == 10
    assert limiter.check("b") == 0  # keys are independent
    clock.now += 4
    assert limiter.check("a") == 6
    clock.now += 6
    assert limiter.check("a") == 0
    assert limiter.check("a") == 10


def test_disabled_limiter_allows_everything() -> None:
    limiter = RateLimiter(0)
    assert all(limiter.check("a") == 0 for _ in range(1000))
    assert len(limiter) == 0


def test_memory_stays_bounded() -> None:
    clock = Clock()
    limiter = RateLimiter(10, clock=clock, max_keys=100)
    for i in range(1000):
        limiter.check(f"k{i}")
        clock.now += 0.001
    assert len(limiter) <= 100
    clock.now += 120  # everyone refilled: forgetting them changes nothing
    limiter.check("new")
    assert len(limiter) <= 100


async def test_conversation_over_its_limit_gets_429(make_client, fake_rasa: FakeRasa) -> None:
    client = await make_client(web=WebSettings(rate_limit_session_per_minute=2))
    first = await (await client.post("/api/chat", json={"text": "1"})).json()
    session = first["session"]
    ok = await client.post("/api/chat", json={"text": "2", "session": session})
    assert ok.status == 200
    limited = await client.post("/api/chat", json={"text": "3", "session": session})
    assert limited.status == 429
    assert limited.content_type == "application/json"
    body = await limited.json()
    assert body["error"] == "rate_limited"
    assert body["message"].startswith("Dạ,") and "30 giây" in body["message"]
    assert body["retry_after"] == 30
    assert limited.headers["Retry-After"] == "30"
    assert [r["message"] for r in fake_rasa.received] == ["1", "2"]  # Rasa never saw "3"
    other = await client.post("/api/chat", json={"text": "khác"})
    assert other.status == 200  # another conversation is not affected


async def test_address_over_its_limit_gets_429(make_client, fake_rasa: FakeRasa) -> None:
    client = await make_client(
        web=WebSettings(rate_limit_address_per_minute=3, rate_limit_session_per_minute=0)
    )
    statuses = []
    for i in range(3):
        statuses.append((await client.post("/api/chat", json={"text": str(i)})).status)
    assert statuses == [200, 200, 200]
    limited = await client.post("/api/history", data=json.dumps({"session": None}))
    assert limited.status == 429
    assert int(limited.headers["Retry-After"]) == 20
    assert (await limited.json())["error"] == "rate_limited"
    # Pages and files are not API calls and are not counted.
    assert (await client.get("/")).status == 200


async def test_forwarded_address_is_used_only_behind_a_proxy(
    make_client, fake_rasa: FakeRasa
) -> None:
    direct = await make_client(web=WebSettings(rate_limit_address_per_minute=1))
    spoofed = {"X-Forwarded-For": "10.0.0.1"}
    assert (await direct.post("/api/chat", json={"text": "a"}, headers=spoofed)).status == 200
    spoofed = {"X-Forwarded-For": "10.0.0.2"}
    assert (await direct.post("/api/chat", json={"text": "a"}, headers=spoofed)).status == 429

    proxied = await make_client(web=WebSettings(rate_limit_address_per_minute=1, proxy_hops=1))
    for address in ("10.0.0.1", "10.0.0.2"):
        headers = {"X-Forwarded-For": f"1.2.3.4, {address}"}
        assert (await proxied.post("/api/chat", json={"text": "a"}, headers=headers)).status == 200
    headers = {"X-Forwarded-For": "10.0.0.2"}
    assert (await proxied.post("/api/chat", json={"text": "a"}, headers=headers)).status == 429
