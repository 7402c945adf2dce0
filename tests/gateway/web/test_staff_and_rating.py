"""Web conversations handed to staff (the bot stays quiet) and the rating after inactivity."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from bot import handoff
from bot.gateway.web.api import HANDOFF_ACK_TEXT
from bot.gateway.web.config import WebSettings
from bot.gateway.web.rating import PROMPT_BUTTONS
from tests.gateway.conftest import FakeRasa

DOMAIN = Path(__file__).resolve().parents[3] / "domain.yml"
HELPFUL = [
    {"title": "👍 Hữu ích", "payload": '/answer_helpful{"procedure":"1.001193"}'},
    {"title": "👎 Chưa hữu ích", "payload": '/answer_not_helpful{"procedure":"1.001193"}'},
]


async def _post(client, path: str, body: Any, status: int = 200) -> dict[str, Any]:
    response = await client.post(path, data=json.dumps(body))
    assert response.status == status, await response.text()
    return await response.json()


def _answers_procedures(fake_rasa: FakeRasa) -> None:
    def reply(body: dict[str, Any]) -> list[dict[str, Any]]:
        if body["message"].startswith("/rate_service"):
            return [{"text": "Dạ, em đã ghi nhận đánh giá 5/5. Cảm ơn anh/chị ạ!"}]
        if body["message"] == "tạm biệt":
            return [
                {"text": "Dạ, chào anh/chị.", "buttons": [b.model_dump() for b in PROMPT_BUTTONS]}
            ]
        return [{"text": "Dạ, giấy tờ cần có: ...", "buttons": HELPFUL}]

    fake_rasa.reply = reply


async def test_a_paused_conversation_is_kept_for_staff_not_sent_to_rasa(
    make_client, fake_rasa: FakeRasa, store
) -> None:
    client = await make_client()
    first = await _post(client, "/api/chat", {"text": "gặp cán bộ"})
    session, sender = first["session"], first["session"].split(".")[1]
    await handoff.pause(store, sender, ttl=600, by="bot", reason="asked")

    one = await _post(client, "/api/chat", {"text": "số tôi 0912345678", "session": session})
    two = await _post(client, "/api/chat", {"text": "còn đó không ạ", "session": session})
    assert [m["text"] for m in one["messages"]] == [HANDOFF_ACK_TEXT]  # acknowledged once
    assert two["messages"] == [] and two["handoff"] is True
    fire = await _post(client, "/api/chat", {"text": "cháy nhà hàng xóm", "session": session})
    assert "114" in fire["messages"][0]["text"]  # safety first, even while paused
    assert [r["message"] for r in fake_rasa.received] == ["gặp cán bộ"]

    history = await _post(client, "/api/history", {"session": session})
    users = [m["text"] for m in history["messages"] if m["role"] == "user"]
    assert users == ["gặp cán bộ", "số tôi *******678", "còn đó không ạ", "cháy nhà hàng xóm"]

    await handoff.release(store, sender)
    back = await _post(client, "/api/chat", {"text": "cảm ơn", "session": session})
    assert back["messages"][0]["text"] == "echo: cảm ơn" and back["handoff"] is False
    await handoff.pause(store, sender, ttl=600)  # a new pause is acknowledged afresh
    again = await _post(client, "/api/chat", {"text": "alo", "session": session})
    assert [m["text"] for m in again["messages"]] == [HANDOFF_ACK_TEXT]


async def test_rating_is_due_after_a_procedure_answer_and_offered_once(
    make_client, fake_rasa: FakeRasa
) -> None:
    _answers_procedures(fake_rasa)
    client = await make_client()
    body = await _post(client, "/api/chat", {"text": "làm khai sinh cần gì"})
    session = body["session"]
    assert body["rating_due"] is True
    assert (await _post(client, "/api/history", {"session": session}))["rating_due"] is True

    offered = await _post(client, "/api/rating/idle", {"session": session})
    assert [b["payload"] for b in offered["messages"][0]["buttons"]] == [
        f'/rate_service{{"rating":"{n}"}}' for n in (5, 4, 3, 2, 1)
    ]
    assert (await _post(client, "/api/rating/idle", {"session": session}))["messages"] == []
    polled = await _post(client, "/api/updates", {"session": session, "since": 0})
    assert polled["rating_due"] is False
    # Kept in the transcript with its buttons; a tap is shown as its title and reaches Rasa.
    tapped = await _post(
        client, "/api/chat", {"text": PROMPT_BUTTONS[0].payload, "session": session}
    )
    assert tapped["rating_due"] is False
    assert fake_rasa.received[-1]["message"] == '/rate_service{"rating":"5"}'
    history = await _post(client, "/api/history", {"session": session})
    assert [m["text"] for m in history["messages"]][-2:] == [
        "5 ★ Rất hài lòng",
        "Dạ, em đã ghi nhận đánh giá 5/5. Cảm ơn anh/chị ạ!",
    ]


async def test_no_idle_rating_without_an_answer_after_goodbye_or_when_off(
    make_client, fake_rasa: FakeRasa
) -> None:
    client = await make_client()
    body = await _post(client, "/api/chat", {"text": "xin chào"})  # echo: no procedure answer
    assert body["rating_due"] is False
    idle = await _post(client, "/api/rating/idle", {"session": body["session"]})
    assert idle["messages"] == []

    _answers_procedures(fake_rasa)
    body = await _post(client, "/api/chat", {"text": "khai sinh"})
    assert body["rating_due"] is True
    bye = await _post(client, "/api/chat", {"text": "tạm biệt", "session": body["session"]})
    assert bye["rating_due"] is False  # goodbye asked already
    idle = await _post(client, "/api/rating/idle", {"session": body["session"]})
    assert idle["messages"] == []

    off = await make_client(web=WebSettings(rating_idle_minutes=0))
    body = await _post(off, "/api/chat", {"text": "khai sinh"})
    assert body["rating_due"] is False
    assert (await _post(off, "/api/rating/idle", {"session": body["session"]}))["messages"] == []


async def test_rating_and_updates_need_the_callers_own_session(make_client) -> None:
    client = await make_client()
    for path in ("/api/rating/idle", "/api/updates"):
        body = await _post(client, path, {"session": "w.forged.token"}, status=401)
        assert body["error"] == "invalid_session"


async def test_polls_do_not_use_up_the_address_limit(make_client) -> None:
    client = await make_client(web=WebSettings(rate_limit_address_per_minute=2))
    session = (await _post(client, "/api/chat", {"text": "xin chào"}))["session"]
    for _ in range(10):
        await _post(client, "/api/updates", {"session": session, "since": 0})
    await _post(client, "/api/history", {"session": session})
    await _post(client, "/api/history", {"session": session}, status=429)


def test_prompt_buttons_are_the_goodbye_buttons() -> None:
    domain = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))
    goodbye = domain["responses"]["utter_goodbye"][0]["buttons"]
    # domain payloads double their braces for Rasa's interpolation ({{...}} is sent as {...})
    sent = [{**b, "payload": b["payload"].replace("{{", "{").replace("}}", "}")} for b in goodbye]
    assert [b.model_dump() for b in PROMPT_BUTTONS] == sent
