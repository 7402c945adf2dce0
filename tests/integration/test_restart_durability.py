"""Feedback and handoff requests survive a restart of all servers, in both state backends.

A real stack (Rasa, action server, gateway) on Redis or on SQLite: a citizen files a feedback
through the chat form, another asks for a person ("gặp cán bộ"). Every server is stopped, a fresh
stack starts on the same state, and staff find both records with their content through the staff
CLI (`python -m bot feedback show`, `handoff list`, a separate process), the citizen gets the
feedback's status by its reference, the handed-over conversation is still paused, and a staff
reply still reaches it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.gateway.web.api import HANDOFF_ACK_TEXT
from bot.stack import REPO_ROOT, Stack, StackConfig, base_env
from tests.integration.helpers import (
    REDIS_URL,
    ChatClient,
    free_port,
    post_json,
    stack_config,
    texts,
)

CONTENT = "Cống thoát nước ở đầu ngõ 7 thôn Đông bị tắc, nước tràn ra đường đã 3 ngày"
PLACE = "đầu ngõ 7 thôn Đông"
PHONE = "0912345678"


def staff_cli(config: StackConfig, *args: str) -> str:
    """`python -m bot ...` as staff run it: its own process on the stack's state."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=REPO_ROOT,
        env=base_env(config),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def gateway_down(config: StackConfig) -> bool:
    try:
        urllib.request.urlopen(f"{config.gateway_url}/healthz", timeout=2)
    except (urllib.error.URLError, OSError):
        return True
    return False


def restarted(config: StackConfig) -> StackConfig:
    """The same state (var dir, key prefix, session secret) on fresh ports."""
    return dataclasses.replace(
        config,
        rasa_port=free_port(),
        action_port=free_port(),
        gateway_port=free_port(),
        extra_env=dict(config.extra_env),
    )


async def _drop_redis_keys(prefix: str) -> None:
    client = aioredis.Redis.from_url(REDIS_URL)
    keys = [k async for k in client.scan_iter(f"{prefix}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture(params=["sqlite", "redis"])
def first_config(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StackConfig]:
    config = stack_config(tmp_path / request.param, REDIS_URL if request.param == "redis" else None)
    yield config
    if config.redis_url:
        asyncio.run(_drop_redis_keys(config.key_prefix))


def test_feedback_and_handoff_survive_a_restart_of_all_servers(
    first_config: StackConfig, model: Path
) -> None:
    with Stack(first_config) as stack:
        stack.start(model, timeout=600)  # a loaded 2-core machine takes minutes to load Rasa
        citizen = ChatClient(first_config.gateway_url)
        assert texts(citizen.send("tôi muốn gửi phản ánh"))
        assert texts(citizen.send(CONTENT)), "then it asks where (optional)"
        assert texts(citizen.send(PLACE)), "then a contact phone (optional)"
        done = texts(citizen.send(PHONE))
        match = re.search(r"PA-\d{6}", done)
        assert match, done
        reference = match.group(0)

        other = ChatClient(first_config.gateway_url)
        handed = texts(other.send("gặp cán bộ"))
        assert "cán bộ" in handed.lower(), handed
        other_sender = (other.session or "").split(".")[1]
    assert stack.processes == {} and gateway_down(first_config)  # every server is down

    config = restarted(first_config)
    with Stack(config) as stack:
        stack.start(model, timeout=600)  # a loaded 2-core machine takes minutes to load Rasa

        shown = staff_cli(config, "feedback", "show", reference)
        assert CONTENT in shown and PLACE in shown
        assert "*******678" in shown and PHONE not in shown  # masked unless asked for
        listed = staff_cli(config, "handoff", "list")
        line = next(x for x in listed.splitlines() if other_sender in x)
        assert "open, paused" in line and "gặp cán bộ" in line

        # The citizen asks by reference (same session: the signed token is still valid).
        citizen.base_url = other.base_url = config.gateway_url
        status = texts(citizen.send(f"phản ánh {reference} đến đâu rồi"))
        assert f"phản ánh {reference}" in status, status
        assert CONTENT not in status  # the status only, never the content

        # Still handed to staff: the bot stays quiet, and a staff reply reaches the page.
        assert texts(other.send("em vẫn chờ ạ")) == HANDOFF_ACK_TEXT
        assert "added to the web conversation" in staff_cli(
            config, "handoff", "reply", "--", other_sender, "Dạ, cán bộ xã đây ạ."
        )
        code, history = post_json(f"{config.gateway_url}/api/history", {"session": other.session})
        assert code == 200, history
        assert [m["text"] for m in history["messages"] if m["role"] == "staff"] == [
            "Dạ, cán bộ xã đây ạ."
        ]
        assert history["handoff"] is True
        assert "released" in staff_cli(config, "handoff", "release", "--", other_sender)
        assert texts(other.send("cảm ơn")) != HANDOFF_ACK_TEXT  # the bot answers again
        assert json.dumps(history, ensure_ascii=False).count(PHONE) == 0
