"""Zalo acks while the web chat is over its bound: still fast, and no message is lost."""

from __future__ import annotations

import asyncio
import json
import time

from bot.gateway.zalo.fake import FakeZalo, text_event
from tests.gateway.conftest import FakeRasa
from tests.gateway.zalo.conftest import post_event, wait_until, zalo_settings


async def test_zalo_acks_stay_fast_and_lose_nothing_while_web_chat_is_saturated(
    make_client, fake_rasa: FakeRasa, fake_zalo: FakeZalo, zalo_url: str
) -> None:
    fake_rasa.delay = 0.3
    client = await make_client(
        web_max_inflight=1, web_max_queue=0, zalo=zalo_settings(fake_zalo, zalo_url)
    )
    web_turns = [
        asyncio.create_task(client.post("/api/chat", data=json.dumps({"text": f"web {i}"})))
        for i in range(20)
    ]
    await asyncio.sleep(0.05)
    users = [f"90{i:02d}" for i in range(10)]
    for user in users:
        started = time.monotonic()
        status, _ = await post_event(client, text_event(fake_zalo.app_id, user, "xin chào"))
        assert status == 200
        assert time.monotonic() - started < 0.5
    await wait_until(lambda: len(fake_zalo.sends) == len(users), timeout=10)
    assert sorted(s.user_id for s in fake_zalo.sends) == sorted(users)
    web_statuses = sorted([(await t).status for t in web_turns])
    assert web_statuses[0] == 200 and web_statuses[-1] == 503  # the web bound did bite
