"""`POST /admin/conversations/{sender}/messages`: staff messages on the citizen's channel."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from bot import handoff
from bot.gateway.web.config import WebSettings
from bot.gateway.zalo.fake import FakeZalo
from tests.gateway.conftest import FakeRasa
from tests.gateway.zalo.conftest import ADMIN_TOKEN, wait_until, zalo_settings

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _path(sender: str) -> str:
    return f"/admin/conversations/{sender}/messages"


async def _post(client, path: str, body: Any, headers=None) -> tuple[int, dict[str, Any]]:
    raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
    response = await client.post(path, data=raw, headers=headers or {})
    assert response.content_type == "application/json"
    return response.status, await response.json()


async def _web_conversation(client) -> tuple[str, str]:
    """A citizen's web session token and Rasa sender id, after one turn."""
    status, body = await _post(client, "/api/chat", {"text": "xin chào"})
    assert status == 200
    return body["session"], body["session"].split(".")[1]


async def test_closed_without_a_token(make_zalo_client) -> None:
    client = await make_zalo_client(admin_token=None)
    status, body = await _post(client, _path("zalo-oa:1"), {"text": "x"}, AUTH)
    assert (status, body["error"]) == (403, "admin_disabled")


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"X-Admin-Token": ADMIN_TOKEN + "x"}]
)
async def test_needs_the_token(make_zalo_client, fake_zalo: FakeZalo, headers) -> None:
    client = await make_zalo_client()
    _, sender = await _web_conversation(client)
    status, body = await _post(client, _path(sender), {"text": "x"}, headers)
    assert (status, body["error"]) == (401, "unauthorized")
    status, _ = await _post(client, _path("zalo-oa:1"), {"text": "x"}, headers)
    assert status == 401
    response = await client.get(_path(sender), headers=headers)
    assert response.status == 401
    await asyncio.sleep(0.2)
    assert fake_zalo.sends == []
    status, body = await _post(client, "/api/updates", {"session": None})
    assert (status, body["error"]) == (401, "invalid_session")  # a poll needs its own session


@pytest.mark.parametrize(
    ("sender", "body", "code", "status"),
    [
        ("zalo-oa:1", "{not json", "invalid_json", 400),
        ("zalo-oa:1", [1, 2], "invalid_json", 400),
        ("zalo-oa:1", {"text": "   "}, "invalid_text", 400),
        ("zalo-oa:1", {"text": 5}, "invalid_text", 400),
        ("zalo-oa:1", {"text": "x" * 20_001}, "invalid_text", 400),
        ("zalo-oa:a b", {"text": "x"}, "invalid_sender", 400),
        ("short", {"text": "x"}, "invalid_sender", 400),
        ("telegram:5", {"text": "x"}, "invalid_sender", 400),
        ("A" * 32, {"text": "x"}, "unknown_conversation", 404),
        ("zalo:84123", {"text": "x"}, "unknown_conversation", 404),
    ],
)
async def test_bad_requests_get_clear_errors(
    make_zalo_client, fake_zalo: FakeZalo, sender: str, body: Any, code: str, status: int
) -> None:
    client = await make_zalo_client()
    got_status, got = await _post(client, _path(sender), body, AUTH)
    assert (got_status, got["error"]) == (status, code)
    assert isinstance(got["message"], str) and got["message"]
    await asyncio.sleep(0.2)
    assert fake_zalo.sends == []


async def test_web_delivery_reaches_history_and_poll(
    make_zalo_client, fake_rasa: FakeRasa, store
) -> None:
    client = await make_zalo_client()
    session, sender = await _web_conversation(client)
    await handoff.pause(store, sender, ttl=600, by="bot", reason="asked")

    status, body = await _post(
        client, _path(sender), {"text": "Dạ, cán bộ Lan đây. Gọi 0912345678 nhé."}, AUTH
    )
    assert status == 202
    assert body["delivered"] is True and body["channel"] == "web"

    status, news = await _post(client, "/api/updates", {"session": session, "since": 0})
    assert status == 200 and news["handoff"] is True
    assert [(m["role"], m["text"]) for m in news["messages"]] == [
        ("staff", "Dạ, cán bộ Lan đây. Gọi *******678 nhé.")  # masked like the rest
    ]
    assert news["messages"][0]["id"] == body["id"]
    # Nothing new after the newest staff message: the poll returns nothing.
    _, later = await _post(
        client, "/api/updates", {"session": session, "since": news["messages"][0]["at"]}
    )
    assert later["messages"] == []
    # Kept in the transcript: shown again after a reload, and readable by staff.
    _, history = await _post(client, "/api/history", {"session": session})
    assert history["messages"][-1]["role"] == "staff"
    response = await client.get(_path(sender), headers=AUTH)
    assert response.status == 200
    staff_view = await response.json()
    assert [m["role"] for m in staff_view["messages"]] == ["user", "bot", "staff"]
    assert len(fake_rasa.received) == 1  # staff messages never go to Rasa


async def test_web_delivery_needs_history(
    make_client, fake_rasa: FakeRasa, fake_zalo: FakeZalo, zalo_url: str
) -> None:
    client = await make_client(
        web=WebSettings(history_days=0), zalo=zalo_settings(fake_zalo, zalo_url)
    )
    _, sender = await _web_conversation(client)
    status, body = await _post(client, _path(sender), {"text": "x"}, AUTH)
    assert (status, body["error"]) == (409, "history_disabled")


async def test_zalo_delivery_goes_out_while_paused(
    make_zalo_client, fake_rasa: FakeRasa, fake_zalo: FakeZalo, store
) -> None:
    client = await make_zalo_client()
    await handoff.pause(store, "zalo-oa:7002", ttl=600, by="bot", reason="asked")
    status, body = await _post(client, _path("zalo-oa:7002"), {"text": "Dạ, cán bộ đây ạ."}, AUTH)
    assert status == 202
    assert body["channel"] == "zalo" and body["messages"] == 1
    await wait_until(lambda: fake_zalo.sends)
    assert fake_zalo.texts_to("7002") == ["Dạ, cán bộ đây ạ."]
    assert fake_rasa.received == []
    # The old Zalo route delegates to the same code path.
    response = await client.post(
        "/zalo/admin/users/7002/messages", json={"text": "Dạ, còn gì nữa không ạ?"}, headers=AUTH
    )
    assert response.status == 202 and (await response.json())["queued"] is True
    await wait_until(lambda: len(fake_zalo.sends) == 2)
    assert fake_zalo.texts_to("7002")[-1] == "Dạ, còn gì nữa không ạ?"


async def test_transcript_only_for_web_conversations(make_zalo_client) -> None:
    client = await make_zalo_client()
    response = await client.get(_path("zalo-oa:7003"), headers=AUTH)
    assert response.status == 400
    assert (await response.json())["error"] == "invalid_sender"
    response = await client.get(_path("B" * 32), headers=AUTH)
    assert response.status == 404
