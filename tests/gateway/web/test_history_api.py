"""The transcript behind `POST /api/history`: recorded by `/api/chat`, masked, owner-only."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from bot.gateway.sessions import SessionSigner
from bot.gateway.web.api import HANDOFF_KEY_PREFIX
from bot.gateway.web.config import WebSettings
from bot.state.base import StateStore
from bot.state.keys import HISTORY_KEY_PREFIX
from tests.gateway.conftest import FakeRasa, FakeZaloGraph

BUTTONS = [
    {"title": "Lệ phí", "payload": '/ask_fee{"procedure":"1.001193"}'},
    {"title": "Thời gian", "payload": '/ask_time{"procedure":"1.001193"}'},
]


async def _post(client, path: str, body: Any, status: int = 200) -> dict[str, Any]:
    response = await client.post(path, data=json.dumps(body))
    assert response.status == status, await response.text()
    assert response.content_type == "application/json"
    return await response.json()


def _rasa_with_buttons(fake_rasa: FakeRasa) -> None:
    def reply(body: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {"text": f"Dạ, anh/chị hỏi: {body['message']}"},
            {"text": "Anh/chị muốn xem thêm gì ạ?", "buttons": BUTTONS},
        ]

    fake_rasa.reply = reply


async def test_history_replays_the_conversation(make_client, fake_rasa: FakeRasa) -> None:
    _rasa_with_buttons(fake_rasa)
    client = await make_client()
    first = await _post(client, "/api/chat", {"text": "Làm giấy khai sinh cần gì?"})
    session = first["session"]
    await _post(client, "/api/chat", {"text": BUTTONS[0]["payload"], "session": session})

    body = await _post(client, "/api/history", {"session": session})
    assert body["session"] == session
    assert body["handoff"] is False
    shown = [(m["role"], m["text"]) for m in body["messages"]]
    assert shown == [
        ("user", "Làm giấy khai sinh cần gì?"),
        ("bot", "Dạ, anh/chị hỏi: Làm giấy khai sinh cần gì?"),
        ("bot", "Anh/chị muốn xem thêm gì ạ?"),
        # A button press is kept as the title the citizen tapped, not the Rasa payload.
        ("user", "Lệ phí"),
        ("bot", f"Dạ, anh/chị hỏi: {BUTTONS[0]['payload']}"),
        ("bot", "Anh/chị muốn xem thêm gì ạ?"),
    ]
    assert body["messages"][2]["buttons"] == BUTTONS
    assert all(isinstance(m["at"], float) for m in body["messages"])


async def test_payload_typed_without_a_matching_button_stays_as_typed(
    make_client, fake_rasa: FakeRasa
) -> None:
    client = await make_client()
    first = await _post(client, "/api/chat", {"text": "/ask_fee"})
    body = await _post(client, "/api/history", {"session": first["session"]})
    assert body["messages"][0] == {
        "role": "user",
        "text": "/ask_fee",
        "buttons": [],
        "at": body["messages"][0]["at"],
    }


async def test_phone_and_id_numbers_are_masked_in_storage(
    make_client, fake_rasa: FakeRasa, store: StateStore
) -> None:
    client = await make_client()
    text = "SĐT em 0912 345 678, CCCD 001099012345, hồ sơ mã 1.001193"
    reply = await _post(client, "/api/chat", {"text": text})
    sender = reply["session"].split(".")[1]
    raw = await store.get(f"{HISTORY_KEY_PREFIX}{sender}")
    assert raw is not None
    assert "345 678" not in raw and "001099012345" not in raw
    body = await _post(client, "/api/history", {"session": reply["session"]})
    user, bot = body["messages"]
    assert user["text"] == "SĐT em **** *** 678, CCCD *********345, hồ sơ mã 1.001193"
    assert bot["text"] == f"echo: {user['text']}"  # the echo is masked the same way
    # The live answer is not masked: only what is stored.
    assert reply["messages"][0]["text"] == f"echo: {text}"


async def test_one_session_cannot_read_another(make_client, fake_rasa: FakeRasa) -> None:
    client = await make_client()
    alice = (await _post(client, "/api/chat", {"text": "bí mật của Alice"}))["session"]
    bob = (await _post(client, "/api/chat", {"text": "câu hỏi của Bob"}))["session"]
    bob_view = await _post(client, "/api/history", {"session": bob})
    assert "Alice" not in json.dumps(bob_view, ensure_ascii=False)

    prefix, subject, sig = alice.split(".")
    other_secret = SessionSigner("another-secret-of-enough-length")
    forgeries: list[Any] = [
        f"{prefix}.{subject}.{'A' * len(sig)}",
        f"{prefix}.{subject}",
        subject,
        f"z.{subject}.{sig}",
        other_secret._make("web", subject).token,
        None,
        "",
        123,
    ]
    for forged in forgeries:
        body = await _post(client, "/api/history", {"session": forged}, status=401)
        assert body["error"] == "invalid_session"
        assert "Alice" not in json.dumps(body, ensure_ascii=False)
        assert "Dạ" in body["message"]
    await _post(client, "/api/history", {}, status=401)
    await _post(client, "/api/history", ["not", "an", "object"], status=400)
    response = await client.get(f"/api/history?session={alice}")
    assert response.status == 405  # never in a URL


async def test_zalo_user_reads_the_zalo_conversation(
    make_client, fake_rasa: FakeRasa, fake_graph: FakeZaloGraph
) -> None:
    fake_graph.users["tok-1"] = {"id": "84123", "name": "Nguyễn Văn A"}
    client = await make_client()
    chat = await _post(client, "/api/chat", {"text": "xin chào", "zalo_access_token": "tok-1"})
    assert chat["session"].startswith("z.84123.")
    body = await _post(client, "/api/history", {"zalo_access_token": "tok-1", "session": None})
    assert body["session"] == chat["session"]
    assert [m["text"] for m in body["messages"]] == ["xin chào", "echo: xin chào"]
    refused = await _post(client, "/api/history", {"zalo_access_token": "bad"}, status=401)
    assert refused["error"] == "invalid_zalo_token"


async def test_clear_deletes_only_the_callers_history(make_client, fake_rasa: FakeRasa) -> None:
    client = await make_client()
    mine = (await _post(client, "/api/chat", {"text": "một"}))["session"]
    other = (await _post(client, "/api/chat", {"text": "hai"}))["session"]
    assert (await _post(client, "/api/history/clear", {"session": mine})) == {"cleared": True}
    assert (await _post(client, "/api/history", {"session": mine}))["messages"] == []
    assert len((await _post(client, "/api/history", {"session": other}))["messages"]) == 2
    assert (await _post(client, "/api/history/clear", {"session": mine})) == {"cleared": False}
    await _post(client, "/api/history/clear", {"session": "forged"}, status=401)


async def test_history_expires_and_can_be_off(make_client, fake_rasa: FakeRasa) -> None:
    client = await make_client(web=WebSettings(history_days=1.5 / 86400))  # 1.5 s
    session = (await _post(client, "/api/chat", {"text": "một"}))["session"]
    assert len((await _post(client, "/api/history", {"session": session}))["messages"]) == 2
    await asyncio.sleep(1.7)
    assert (await _post(client, "/api/history", {"session": session}))["messages"] == []

    off = await make_client(web=WebSettings(history_days=0))
    session = (await _post(off, "/api/chat", {"text": "một"}))["session"]
    assert (await _post(off, "/api/history", {"session": session}))["messages"] == []


async def test_history_keeps_the_latest_messages(make_client, fake_rasa: FakeRasa) -> None:
    client = await make_client(web=WebSettings(history_max_messages=5))
    session = None
    for i in range(4):
        session = (await _post(client, "/api/chat", {"text": f"tin {i}", "session": session}))[
            "session"
        ]
    texts = [
        m["text"] for m in (await _post(client, "/api/history", {"session": session}))["messages"]
    ]
    assert texts == ["echo: tin 1", "tin 2", "echo: tin 2", "tin 3", "echo: tin 3"]


async def test_handoff_flag_is_reported(
    make_client, fake_rasa: FakeRasa, store: StateStore
) -> None:
    client = await make_client()
    first = await _post(client, "/api/chat", {"text": "gặp cán bộ"})
    assert first["handoff"] is False
    sender = first["session"].split(".")[1]
    await store.set(f"{HANDOFF_KEY_PREFIX}{sender}", "1", ttl=60)
    second = await _post(client, "/api/chat", {"text": "alo", "session": first["session"]})
    assert second["handoff"] is True
    assert (await _post(client, "/api/history", {"session": first["session"]}))["handoff"] is True


class BrokenWrites:
    """A store whose writes fail: the chat must still answer."""

    def __init__(self, inner: StateStore) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        raise ConnectionError("store down")


async def test_chat_answers_when_history_cannot_be_written(
    make_client, fake_rasa: FakeRasa, store: StateStore
) -> None:
    client = await make_client()
    # Swap the history's store after startup (the session secret was stored already).
    from bot.gateway.web.api import WEB_KEY

    web_chat = client.server.app[WEB_KEY]
    web_chat.history._store = BrokenWrites(store)  # type: ignore[assignment]
    reply = await _post(client, "/api/chat", {"text": "xin chào"})
    assert reply["messages"] == [{"text": "echo: xin chào", "buttons": []}]
