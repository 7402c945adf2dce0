"""Fakes for the gateway tests: a Rasa REST channel, an action server and a Zalo Graph API."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.gateway import GatewaySettings, create_app
from bot.gateway.zalo_identity import appsecret_proof
from bot.state.base import StateStore
from bot.state.sqlite_store import SqliteStore

ZALO_APP_SECRET = "test-app-secret-123"


class FakeRasa:
    """Rasa's REST channel: records each request; answers `reply(body)` after `delay` seconds."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.received_at: list[float] = []  # time.monotonic() of each request
        self.delay = 0.0
        self.status = 200
        self.root_status = 200
        self.raw_reply: str | None = None
        self.reply: Callable[[dict[str, Any]], Any] = lambda body: [
            {"recipient_id": body["sender"], "text": f"echo: {body['message']}"}
        ]

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._webhook)
        app.router.add_get("/", self._root)
        return app

    async def _webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        self.received_at.append(time.monotonic())
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.status != 200:
            return web.Response(status=self.status, text="boom")
        if self.raw_reply is not None:
            return web.Response(text=self.raw_reply, content_type="application/json")
        return web.json_response(self.reply(body))

    async def _root(self, request: web.Request) -> web.Response:
        if self.delay:
            await asyncio.sleep(self.delay)
        return web.Response(status=self.root_status, text="Hello from Rasa: 3.6.21")


class FakeActions:
    def __init__(self) -> None:
        self.status = 200
        self.delay = 0.0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/health", self._health)
        return app

    async def _health(self, request: web.Request) -> web.Response:
        if self.delay:
            await asyncio.sleep(self.delay)
        return web.json_response({"status": "ok"}, status=self.status)


class FakeZaloGraph:
    """`GET /v2.0/me`: checks `access_token` and `appsecret_proof` exactly like Zalo would."""

    def __init__(self, app_secret: str = ZALO_APP_SECRET) -> None:
        self.app_secret = app_secret
        self.users: dict[str, dict[str, Any]] = {}
        self.calls: list[dict[str, str]] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/v2.0/me", self._me)
        return app

    async def _me(self, request: web.Request) -> web.Response:
        token = request.headers.get("access_token", "")
        proof = request.headers.get("appsecret_proof", "")
        self.calls.append(
            {"token": token, "proof": proof, "fields": request.query.get("fields", "")}
        )
        if proof != appsecret_proof(self.app_secret, token):
            return web.json_response({"error": -124, "message": "Invalid appsecret_proof"})
        user = self.users.get(token)
        if user is None:
            return web.json_response({"error": -501, "message": "Access token is invalid"})
        return web.json_response(user)


def closed_port_url() -> str:
    """A URL on which nothing listens (the port was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class FlakyStore(SqliteStore):
    """A real store whose ping can be told to fail or raise."""

    ping_result: bool | Exception = True

    async def ping(self) -> bool:
        if isinstance(self.ping_result, Exception):
            raise self.ping_result
        return self.ping_result


@pytest.fixture
async def store(tmp_path: Path):
    s = FlakyStore(tmp_path / "state.sqlite3")
    yield s
    await s.close()


@pytest.fixture
def fake_rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def fake_actions() -> FakeActions:
    return FakeActions()


@pytest.fixture
def fake_graph() -> FakeZaloGraph:
    return FakeZaloGraph()


@pytest.fixture
async def servers(aiohttp_server, fake_rasa, fake_actions, fake_graph) -> dict[str, str]:
    rasa: TestServer = await aiohttp_server(fake_rasa.app())
    actions: TestServer = await aiohttp_server(fake_actions.app())
    graph: TestServer = await aiohttp_server(fake_graph.app())
    return {
        "rasa": str(rasa.make_url("")).rstrip("/"),
        "actions": str(actions.make_url("")).rstrip("/"),
        "graph": str(graph.make_url("")).rstrip("/"),
    }


MakeClient = Callable[..., Awaitable[TestClient]]


@pytest.fixture
def make_client(aiohttp_client, servers, store) -> MakeClient:
    """A test client for a gateway app pointed at the fakes; keyword args override settings."""

    async def make(store_override: StateStore | None = None, **overrides: Any) -> TestClient:
        values: dict[str, Any] = {
            "rasa_url": servers["rasa"],
            "action_server_url": servers["actions"],
            "zalo_graph_base": servers["graph"],
            "zalo_app_secret": ZALO_APP_SECRET,
            "rasa_timeout": 5.0,
            "health_timeout": 0.5,
        }
        values.update(overrides)
        settings = GatewaySettings.model_validate(values)
        return await aiohttp_client(create_app(settings, store_override or store))

    return make
