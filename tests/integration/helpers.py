"""Helpers for integration tests: stack settings, a web-chat citizen, small HTTP calls."""

from __future__ import annotations

import json
import socket
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from bot.stack import REPO_ROOT, StackConfig

REDIS_URL = "redis://127.0.0.1:6379/0"


def free_port(host: str = "127.0.0.1", count: int = 1) -> int:
    """A port on `host` such that it and the `count - 1` ports after it are free."""
    while True:
        with socket.socket() as s:
            s.bind((host, 0))
            port = int(s.getsockname()[1])
        if port + count <= 65535 and all(_bindable(host, port + i) for i in range(count)):
            return port


def _bindable(host: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
        return True


def stack_config(var_dir: Path, redis_url: str | None) -> StackConfig:
    return StackConfig(
        repo=REPO_ROOT,
        rasa_port=free_port(),
        action_port=free_port(),
        gateway_port=free_port(),
        host="127.0.0.1",
        redis_url=redis_url,
        var_dir=var_dir,
        endpoints_path=var_dir / "endpoints.yml",
        key_prefix=f"it{uuid.uuid4().hex[:10]}",
        app_python=Path(sys.executable),
        extra_env={"SESSION_SECRET": "integration-test-secret"},
        # One of each, whatever RASA_WORKERS says: tests that need more build their own config.
        rasa_workers=1,
        action_workers=1,
    )


class ChatClient:
    """A citizen on the web chat: keeps the session the server issued."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session: str | None = None

    def send(self, text: str) -> list[dict[str, Any]]:
        status, body = post_json(
            f"{self.base_url}/api/chat", {"text": text, "session": self.session}
        )
        assert status == 200, body
        self.session = body["session"]
        return body["messages"]


def post_json(url: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def get_json(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)
