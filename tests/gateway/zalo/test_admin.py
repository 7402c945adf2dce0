"""Handoff pause and the staff API (`ADMIN_TOKEN`)."""

from __future__ import annotations

import asyncio

import pytest

from bot import handoff
from bot.gateway.zalo.fake import FakeZalo, media_event, text_event
from tests.gateway.conftest import FakeRasa
from tests.gateway.zalo.conftest import ADMIN_TOKEN, post_event, wait_until

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


async def test_admin_api_is_closed_without_a_token(make_zalo_client) -> None:
    client = await make_zalo_client(admin_token=None)
    response = await client.put("/zalo/admin/users/1/handoff", headers=AUTH)
    assert response.status == 403
    response = await client.post("/zalo/admin/users/1/messages", json={"text": "x"}, headers=AUTH)
    assert response.status == 403


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"X-Admin-Token": ADMIN_TOKEN[:-1]},
        {"Authorization": ADMIN_TOKEN},
    ],
)
async def test_admin_api_needs_the_token(make_zalo_client, fake_zalo: FakeZalo, headers) -> None:
    client = await make_zalo_client()
    response = await client.post(
        "/zalo/admin/users/1/messages", json={"text": "x"}, headers=headers
    )
    assert response.status == 401
    assert (await client.put("/zalo/admin/users/1/handoff", headers=headers)).status == 401
    await asyncio.sleep(0.2)
    assert fake_zalo.sends == []


async def test_x_admin_token_header_works(make_zalo_client) -> None:
    client = await make_zalo_client()
    response = await client.get("/zalo/admin/status", headers={"X-Admin-Token": ADMIN_TOKEN})
    assert response.status == 200
    assert (await response.json())["pending"] == 0


async def test_pause_silences_the_bot_and_staff_replies_go_out(
    make_zalo_client, fake_rasa: FakeRasa, fake_zalo: FakeZalo
) -> None:
    client = await make_zalo_client()
    response = await client.put(
        "/zalo/admin/users/7001/handoff",
        json={"ttl_seconds": 600, "reason": "hỏi hồ sơ"},
        headers=AUTH,
    )
    assert response.status == 200
    assert (await response.json())["paused"] is True

    await post_event(client, text_event(fake_zalo.app_id, "7001", "cho tôi gặp cán bộ"))
    await post_event(client, media_event(fake_zalo.app_id, "7001", "image"))
    response = await client.post(
        "/zalo/admin/users/7001/messages",
        json={
            "text": "Dạ, cán bộ Lan đây ạ.",
            "buttons": [{"title": "Gọi xã", "payload": "tel:02253123456"}],
        },
        headers=AUTH,
    )
    assert response.status == 202
    await wait_until(lambda: fake_zalo.sends)
    await asyncio.sleep(0.3)
    assert fake_rasa.received == []
    assert fake_zalo.texts_to("7001") == ["Dạ, cán bộ Lan đây ạ."]
    button = fake_zalo.sends[0].message["attachment"]["payload"]["buttons"][0]
    assert button["type"] == "oa.open.phone"

    status = await (await client.get("/zalo/admin/users/7001/handoff", headers=AUTH)).json()
    assert status["paused"] is True and status["reason"] == "hỏi hồ sơ"
    response = await client.delete("/zalo/admin/users/7001/handoff", headers=AUTH)
    assert (await response.json()) == {"paused": False, "released": True}
    await post_event(client, text_event(fake_zalo.app_id, "7001", "cảm ơn"))
    await wait_until(lambda: len(fake_zalo.sends) == 2)
    assert [r["message"] for r in fake_rasa.received] == ["cảm ơn"]


async def test_flag_from_the_action_server_expires(
    make_zalo_client, fake_rasa: FakeRasa, fake_zalo: FakeZalo, store
) -> None:
    # The handoff action writes the same flag (keyed by the Rasa sender id) with an expiry.
    await handoff.pause(store, "zalo-oa:7002", ttl=0.5, by="action_handoff")
    client = await make_zalo_client()
    await post_event(client, text_event(fake_zalo.app_id, "7002", "một"))
    await asyncio.sleep(0.7)
    assert fake_rasa.received == [] and fake_zalo.sends == []
    await post_event(client, text_event(fake_zalo.app_id, "7002", "hai"))
    await wait_until(lambda: fake_zalo.sends)
    assert [r["message"] for r in fake_rasa.received] == ["hai"]


async def test_staff_reply_survives_zalo_outage(make_zalo_client, fake_zalo: FakeZalo) -> None:
    fake_zalo.down = True
    client = await make_zalo_client()
    response = await client.post(
        "/zalo/admin/users/7003/messages", json={"text": "Dạ, hồ sơ đã xong ạ."}, headers=AUTH
    )
    assert response.status == 202
    await asyncio.sleep(0.5)
    fake_zalo.down = False
    await wait_until(lambda: fake_zalo.sends, timeout=5)
    assert fake_zalo.texts_to("7003") == ["Dạ, hồ sơ đã xong ạ."]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/zalo/admin/users/bad id!/messages", {"text": "x"}),
        ("/zalo/admin/users/7004/messages", {"text": ""}),
        ("/zalo/admin/users/7004/messages", {"text": "x", "buttons": "no"}),
        ("/zalo/admin/users/7004/messages", [1, 2]),
    ],
)
async def test_bad_staff_requests(make_zalo_client, path: str, body) -> None:
    client = await make_zalo_client()
    response = await client.post(path, json=body, headers=AUTH)
    assert response.status in (400, 404)


async def test_bad_ttl(make_zalo_client) -> None:
    client = await make_zalo_client()
    for ttl in (-1, 0, "x", True, 10**9):
        response = await client.put(
            "/zalo/admin/users/7005/handoff", json={"ttl_seconds": ttl}, headers=AUTH
        )
        assert response.status == 400


async def test_the_turn_that_hands_over_still_delivers_its_reply(
    make_zalo_client, fake_rasa: FakeRasa, fake_zalo: FakeZalo, store
) -> None:
    fake_rasa.reply = lambda body: [{"text": "Dạ, em đã chuyển cho cán bộ xã ạ."}]
    fake_zalo.down = True  # the first send attempt fails; the retry comes after the flag is set
    client = await make_zalo_client()
    await post_event(client, text_event(fake_zalo.app_id, "7006", "cho gặp cán bộ"))
    await wait_until(lambda: fake_rasa.received)
    # What the handoff action does during that Rasa turn.
    await handoff.pause(store, "zalo-oa:7006", ttl=60, by="action_handoff")
    await asyncio.sleep(0.3)
    fake_zalo.down = False
    await wait_until(lambda: fake_zalo.sends, timeout=5)
    assert fake_zalo.texts_to("7006") == ["Dạ, em đã chuyển cho cán bộ xã ạ."]
    # From now on the bot stays silent.
    await post_event(client, text_event(fake_zalo.app_id, "7006", "alo"))
    await asyncio.sleep(0.4)
    assert len(fake_rasa.received) == 1 and len(fake_zalo.sends) == 1
