"""Access tokens: seeded once, refreshed under a lock, the single-use refresh token stored first."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp
import pytest

from bot.gateway.zalo.fake import FakeZalo
from bot.gateway.zalo.tokens import TOKENS_KEY, TokenManager
from bot.state.sqlite_store import SqliteStore


@pytest.fixture
async def sqlite(tmp_path: Path):
    store = SqliteStore(tmp_path / "s.sqlite3")
    yield store
    await store.close()


def manager(store, http, fake: FakeZalo, url: str) -> TokenManager:
    return TokenManager(store, http, url, fake.app_id, fake.app_secret, timeout=2)


async def test_seed_then_refresh_stores_the_new_pair(
    sqlite, fake_zalo: FakeZalo, zalo_url: str
) -> None:
    async with aiohttp.ClientSession() as http:
        tokens = manager(sqlite, http, fake_zalo, zalo_url)
        await tokens.seed(fake_zalo.access_token, fake_zalo.refresh_token)
        assert await tokens.access_token() == "fake-access-1"
        fresh = await tokens.refresh(stale="fake-access-1")
    assert fresh == fake_zalo.access_token != "fake-access-1"
    stored = json.loads(await sqlite.get(TOKENS_KEY) or "{}")
    assert stored["access_token"] == fresh
    assert stored["refresh_token"] == fake_zalo.refresh_token != "fake-refresh-1"
    assert fake_zalo.refreshes == [
        {
            "refresh_token": "fake-refresh-1",
            "app_id": fake_zalo.app_id,
            "grant_type": "refresh_token",
            "secret_key_ok": "True",
        }
    ]


async def test_restart_with_spent_env_tokens_keeps_the_stored_pair(
    sqlite, fake_zalo: FakeZalo, zalo_url: str
) -> None:
    async with aiohttp.ClientSession() as http:
        first = manager(sqlite, http, fake_zalo, zalo_url)
        await first.seed("fake-access-1", "fake-refresh-1")
        fresh = await first.refresh(stale="fake-access-1")
        # The gateway restarts with the same (now spent) environment values.
        again = manager(sqlite, http, fake_zalo, zalo_url)
        await again.seed("fake-access-1", "fake-refresh-1")
        assert await again.access_token() == fresh
        # An operator puts a new pair in the environment: it replaces the stored one.
        await again.seed("new-access", "new-refresh")
        assert await again.access_token() == "new-access"


async def test_two_gateways_spend_the_refresh_token_once(
    sqlite, tmp_path: Path, fake_zalo: FakeZalo, zalo_url: str
) -> None:
    other_store = SqliteStore(tmp_path / "s.sqlite3")  # a second process on the same state
    try:
        async with aiohttp.ClientSession() as http:
            a = manager(sqlite, http, fake_zalo, zalo_url)
            b = manager(other_store, http, fake_zalo, zalo_url)
            await a.seed("fake-access-1", "fake-refresh-1")
            results = await asyncio.gather(
                *(m.refresh(stale="fake-access-1") for m in (a, b, a, b, a, b))
            )
    finally:
        await other_store.close()
    assert len(fake_zalo.refreshes) == 1
    assert set(results) == {fake_zalo.access_token}


async def test_invalid_refresh_token_gives_none_and_keeps_state(
    sqlite, fake_zalo: FakeZalo, zalo_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with aiohttp.ClientSession() as http:
        tokens = manager(sqlite, http, fake_zalo, zalo_url)
        await tokens.seed("fake-access-1", "not-the-refresh-token")
        assert await tokens.refresh(stale="fake-access-1") is None
    stored = json.loads(await sqlite.get(TOKENS_KEY) or "{}")
    assert stored["refresh_token"] == "not-the-refresh-token"
    assert "-14014" in caplog.text
    assert "not-the-refresh-token" not in caplog.text  # secrets never logged


async def test_wrong_app_secret_is_refused(sqlite, fake_zalo: FakeZalo, zalo_url: str) -> None:
    async with aiohttp.ClientSession() as http:
        tokens = TokenManager(sqlite, http, zalo_url, fake_zalo.app_id, "wrong", timeout=2)
        await tokens.seed("fake-access-1", "fake-refresh-1")
        assert await tokens.refresh(stale="fake-access-1") is None
    assert fake_zalo.refreshes[0]["secret_key_ok"] == "False"
    assert fake_zalo.refresh_token == "fake-refresh-1"  # not spent


async def test_token_close_to_expiry_is_refreshed_before_use(
    sqlite, fake_zalo: FakeZalo, zalo_url: str
) -> None:
    async with aiohttp.ClientSession() as http:
        tokens = manager(sqlite, http, fake_zalo, zalo_url)
        await tokens.seed("fake-access-1", "fake-refresh-1")
        pair = json.loads(await sqlite.get(TOKENS_KEY) or "{}")
        pair["expires_at"] = 0  # long past
        await sqlite.set(TOKENS_KEY, json.dumps(pair))
        token = await tokens.access_token()
    assert token == fake_zalo.access_token != "fake-access-1"
    assert len(fake_zalo.refreshes) == 1
