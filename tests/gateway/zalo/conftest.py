"""A gateway with the Zalo channel pointed at a fake Zalo (send API + OAuth) and a fake Rasa."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.gateway.zalo.config import ZaloSettings
from bot.gateway.zalo.fake import FakeZalo, signed

OA_SECRET = "test-oa-secret-key"
ADMIN_TOKEN = "test-admin-token-0123456789"


@pytest.fixture
def fake_zalo() -> FakeZalo:
    return FakeZalo()


@pytest.fixture
async def zalo_url(aiohttp_server, fake_zalo: FakeZalo) -> str:
    server = await aiohttp_server(fake_zalo.app())
    return str(server.make_url("")).rstrip("/")


def zalo_settings(fake: FakeZalo, url: str, **overrides: Any) -> ZaloSettings:
    values: dict[str, Any] = {
        "app_id": fake.app_id,
        "oa_secret_key": OA_SECRET,
        "app_secret": fake.app_secret,
        "access_token": fake.access_token,
        "refresh_token": fake.refresh_token,
        "api_base": url,
        "oauth_base": url,
        "admin_token": ADMIN_TOKEN,
        "retry_max_delay": 0.2,
        "sweep_interval": 0.1,
        "lease_seconds": 3.0,
        "send_timeout": 2.0,
    }
    values.update(overrides)
    return ZaloSettings.model_validate(values)


MakeZaloClient = Callable[..., Awaitable[TestClient]]


@pytest.fixture
def make_zalo_client(make_client, fake_zalo: FakeZalo, zalo_url: str) -> MakeZaloClient:
    async def make(store_override=None, **zalo_overrides: Any) -> TestClient:
        return await make_client(
            store_override, zalo=zalo_settings(fake_zalo, zalo_url, **zalo_overrides)
        )

    return make


async def post_event(
    client: TestClient, event: dict[str, Any], secret: str = OA_SECRET
) -> tuple[int, dict[str, Any]]:
    raw, headers = signed(event, secret)
    response = await client.post("/zalo/webhook", data=raw, headers=headers)
    return response.status, json.loads(await response.text() or "{}")


async def wait_until(check: Callable[[], Any], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")
