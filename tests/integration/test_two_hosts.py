"""Two "hosts" (127.0.0.2 and 127.0.0.3) sharing one Redis: turns in order, a host killed mid-load.

Host A runs two Rasa processes (the gateway spreads turns over them), host B one; each host has
its own action server and gateway. Only Redis is shared: trackers, Rasa's lock store, web
sessions and history. The tests read each conversation's tracker straight from Redis.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis

from bot.stack import Stack, StackConfig
from tests.integration.helpers import REDIS_URL, free_port, post_json, texts

HOSTS = {"a": ("127.0.0.2", 2), "b": ("127.0.0.3", 1)}  # address, Rasa processes
# A turn caught in a killed process keeps its conversation's lock ticket until it expires.
TICKET_LIFETIME = 15


def host_config(var_dir: Path, address: str, rasa_workers: int, prefix: str) -> StackConfig:
    return StackConfig(
        rasa_port=free_port(address, rasa_workers),
        action_port=free_port(address),
        gateway_port=free_port(address),
        host=address,
        redis_url=REDIS_URL,
        var_dir=var_dir,
        endpoints_path=var_dir / "endpoints.yml",
        key_prefix=prefix,
        rasa_workers=rasa_workers,
        action_workers=1,
        extra_env={
            "SESSION_SECRET": "integration-test-secret",
            "TICKET_LOCK_LIFETIME": str(TICKET_LIFETIME),
            "RASA_TIMEOUT": "60",
            "RATE_LIMIT_SESSION_PER_MINUTE": "1000",
            "RATE_LIMIT_ADDRESS_PER_MINUTE": "100000",
        },
    )


@pytest.fixture(scope="module")
def hosts(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Stack]]:
    prefix = f"it{uuid.uuid4().hex[:10]}"
    stacks = {
        name: Stack(host_config(tmp_path_factory.mktemp(f"host-{name}"), addr, n, prefix))
        for name, (addr, n) in HOSTS.items()
    }
    try:
        with ThreadPoolExecutor(len(stacks)) as pool:  # both hosts load their models at once
            for started in [pool.submit(s.start, model, 600) for s in stacks.values()]:
                started.result()
        yield stacks
    finally:
        for stack in stacks.values():
            stack.stop()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def tracker_events(stack: Stack, sender: str) -> list[dict[str, Any]]:
    raw = redis.Redis.from_url(REDIS_URL).get(f"{stack.config.key_prefix}:tracker:{sender}")
    assert raw is not None, f"no tracker for {sender}"
    return json.loads(raw)["events"]


def turns(events: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """(user text, events until the next user message) for each user message."""
    result: list[tuple[str, list[dict[str, Any]]]] = []
    for event in events:
        if event["event"] == "user":
            result.append((event["text"], []))
        elif result:
            result[-1][1].append(event)
    return result


def assert_turns_complete(events: list[dict[str, Any]]) -> list[str]:
    """Each user message was answered and its turn ended before the next began; the texts."""
    found = turns(events)
    for text, after in found:
        actions = [e["name"] for e in after if e["event"] == "action"]
        assert any(e["event"] == "bot" for e in after), f"{text!r} got no bot answer: {after}"
        assert actions and actions[-1] == "action_listen", f"{text!r} turn unfinished: {actions}"
        assert actions.count("action_listen") == 1, f"turns interleaved after {text!r}: {actions}"
    return [text for text, _ in found]


def rasa_turn(rasa_url: str, sender: str, text: str) -> Any:
    status, body = post_json(
        f"{rasa_url}/webhooks/rest/webhook", {"sender": sender, "message": text}
    )
    assert status == 200, body
    return body


def test_simultaneous_messages_of_one_user_on_different_processes_stay_in_order(
    hosts: dict[str, Stack],
) -> None:
    rasa_urls = hosts["a"].config.rasa_urls + hosts["b"].config.rasa_urls
    assert len(rasa_urls) == 3
    messages = [
        "xin chào",
        "làm giấy khai sinh cần gì",
        "mất bao lâu",
        "lệ phí bao nhiêu",
        "nộp ở đâu",
        "cảm ơn nhé",
    ]
    citizens = [f"order-{uuid.uuid4().hex[:8]}" for _ in range(4)]
    barrier = threading.Barrier(len(citizens) * len(messages))

    def send(job: tuple[str, int]) -> list[dict[str, Any]]:
        sender, i = job
        barrier.wait()  # all at once: each citizen's messages reach three processes together
        return rasa_turn(rasa_urls[i % len(rasa_urls)], sender, messages[i])

    jobs = [(c, i) for c in citizens for i in range(len(messages))]
    with ThreadPoolExecutor(len(jobs)) as pool:
        replies = list(pool.map(send, jobs))
    unanswered = [job for job, reply in zip(jobs, replies, strict=True) if not reply]
    assert not unanswered, f"no answer to {unanswered} (see the hosts' rasa logs)"
    for sender in citizens:
        seen = assert_turns_complete(tracker_events(hosts["a"], sender))
        # Every message is in the tracker exactly once (none lost by a concurrent save).
        assert sorted(seen) == sorted(messages), seen


@dataclass
class Citizen:
    """A web-chat citizen who may switch gateway; remembers what each attempt did."""

    name: str
    session: str | None = None
    attempts: list[tuple[str, bool]] = field(default_factory=list)  # (text, answered)
    answers: list[str] = field(default_factory=list)

    @property
    def sender(self) -> str:
        assert self.session
        return self.session.split(".")[1]

    def send(self, gateway_url: str, text: str) -> str | None:
        """The answer's text, or None when the host failed (the citizen may send again)."""
        try:
            status, body = post_json(
                f"{gateway_url}/api/chat", {"text": text, "session": self.session}
            )
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError):
            status, body = 0, {}
        if status != 200:
            self.attempts.append((text, False))
            return None
        self.session = body["session"]
        answer = texts(body["messages"])
        self.attempts.append((text, True))
        self.answers.append(answer)
        return answer


def expected_match(attempts: list[tuple[str, bool]], seen: list[str]) -> bool:
    """The tracker holds every answered message once, in order, and at most once each message
    whose attempt failed (a killed host may have saved the turn before its reply was lost)."""
    pos = 0
    for n, (text, answered) in enumerate(attempts):
        if answered:
            if pos >= len(seen) or seen[pos] != text:
                return False
            pos += 1
        elif pos < len(seen) and seen[pos] == text:
            retried = n + 1 < len(attempts) and attempts[n + 1][0] == text
            if not retried or (pos + 1 < len(seen) and seen[pos + 1] == text):
                pos += 1  # this failed attempt was processed after all
    return pos == len(seen)


PROCEDURES = [
    "làm giấy khai sinh cần gì",
    "đăng ký kết hôn cần giấy tờ gì",
    "thủ tục khai tử cần những gì",
    "đăng ký thường trú cần giấy tờ gì",
]
MIDDLE = ["lệ phí bao nhiêu", "nộp ở đâu", "các bước làm thế nào", "cảm ơn", "lệ phí bao nhiêu"]
CODE = re.compile(r"mã (\d+\.\d+)")


def test_a_host_killed_mid_load_loses_no_conversation(hosts: dict[str, Stack]) -> None:
    a, b = hosts["a"], hosts["b"]
    gateways = {"a": a.config.gateway_url, "b": b.config.gateway_url}
    citizens = [Citizen(f"c{i}") for i in range(8)]
    codes: dict[str, str] = {}
    # The first question of every conversation goes through host B, the next one through A:
    # each conversation has moved between hosts before B dies.
    for i, citizen in enumerate(citizens):
        answer = citizen.send(gateways["b"], PROCEDURES[i % len(PROCEDURES)])
        match = CODE.search(answer or "")
        assert match, answer
        codes[citizen.name] = match.group(1)
        assert citizen.send(gateways["a"], "lệ phí bao nhiêu")

    done = threading.Event()
    killed = threading.Event()
    attempts_at_kill: list[int] = []

    def converse(citizen: Citizen, offset: int) -> None:
        for n, text in enumerate(MIDDLE):
            host = "a" if killed.is_set() or (n + offset) % 2 else "b"
            if citizen.send(gateways[host], text) is None:
                assert host == "b", f"host A failed: {citizen.attempts}"
                assert citizen.send(gateways["a"], text), "the surviving host did not answer"

    def kill_b_mid_load() -> None:
        while sum(len(c.attempts) for c in citizens) < 16 + 12 and not done.is_set():
            time.sleep(0.05)
        b.kill()
        attempts_at_kill.append(sum(len(c.attempts) for c in citizens))
        killed.set()

    killer = threading.Thread(target=kill_b_mid_load)
    killer.start()
    try:
        with ThreadPoolExecutor(len(citizens)) as pool:
            list(pool.map(converse, citizens, range(len(citizens))))
    finally:
        done.set()
        killer.join()
    # B died while the citizens were still talking (so turns in flight on B were cut).
    assert attempts_at_kill and sum(len(c.attempts) for c in citizens) > attempts_at_kill[0] + 8

    for citizen in citizens:
        # The conversation goes on through host A with its context: the follow-up refers to
        # the procedure asked through host B before it died.
        answer = citizen.send(gateways["a"], "mất bao lâu?")
        assert answer, citizen.attempts
        assert codes[citizen.name] in answer, (codes[citizen.name], answer)
        seen = assert_turns_complete(tracker_events(a, citizen.sender))
        assert expected_match(citizen.attempts, seen), (citizen.attempts, seen)
