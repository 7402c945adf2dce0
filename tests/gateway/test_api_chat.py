"""`POST /api/chat` against a fake Rasa (and a fake Zalo Graph API for Mini App identity)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from pydantic import SecretStr

from bot.gateway import app as gateway_app
from bot.gateway.rasa_client import map_rasa_messages
from bot.gateway.sessions import SessionSigner
from tests.gateway.conftest import FakeRasa, FakeZaloGraph, closed_port_url

SORRY = "Dạ, hệ thống đang bận, anh/chị vui lòng thử lại sau ít phút ạ."


async def _chat(client, body: Any, status: int = 200) -> dict[str, Any]:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    response = await client.post("/api/chat", data=data)
    assert response.status == status, await response.text()
    assert response.content_type == "application/json"
    return await response.json()


async def test_session_issued_when_absent(make_client, fake_rasa: FakeRasa) -> None:
    client = await make_client()
    reply = await _chat(client, {"text": "  xin chào  "})
    assert reply["session"]
    assert fake_rasa.received == [{"sender": reply["session"].split(".")[1], "message": "xin chào"}]
    assert reply["messages"] == [{"text": "echo: xin chào", "buttons": []}]


async def test_same_session_keeps_same_sender(make_client, fake_rasa: FakeRasa) -> None:
    client = await make_client()
    first = await _chat(client, {"text": "một", "session": None})
    second = await _chat(client, {"text": "hai", "session": first["session"]})
    assert second["session"] == first["session"]
    senders = [r["sender"] for r in fake_rasa.received]
    assert senders[0] == senders[1]
    # Another client without a session never joins that conversation.
    third = await _chat(client, {"text": "ba"})
    assert third["session"] != first["session"]
    assert fake_rasa.received[2]["sender"] != senders[0]


async def test_forged_sessions_are_replaced(make_client, fake_rasa: FakeRasa) -> None:
    client = await make_client()
    real = (await _chat(client, {"text": "a"}))["session"]
    prefix, subject, sig = real.split(".")
    other_secret = SessionSigner("another-secret-of-enough-length").new_web_session().token
    attempts: list[Any] = [
        f"{prefix}.{subject}.{'A' * len(sig)}",  # chosen victim id, made-up signature
        f"{prefix}.{'B' * 32}.{sig}",  # real signature moved to another id
        f"z.{subject}.{sig}",  # web session passed off as a Zalo user
        other_secret,
        "victim-user",
        12345,
    ]
    for forged in attempts:
        reply = await _chat(client, {"text": "b", "session": forged})
        assert reply["session"] not in (real, forged)
        sender = fake_rasa.received[-1]["sender"]
        assert sender == reply["session"].split(".")[1]
        assert sender not in (subject, "B" * 32, "victim-user")


async def test_unknown_fields_ignored(make_client, fake_rasa: FakeRasa) -> None:
    client = await make_client()
    reply = await _chat(client, {"text": "hỏi", "sender": "someone-else", "lang": "vi"})
    assert fake_rasa.received[0]["sender"] != "someone-else"
    assert reply["messages"][0]["text"] == "echo: hỏi"


async def test_rasa_reply_mapping(make_client, fake_rasa: FakeRasa) -> None:
    fake_rasa.reply = lambda body: [
        {
            "recipient_id": body["sender"],
            "text": "Anh/chị muốn hỏi về thủ tục nào ạ?",
            "buttons": [
                {"title": "Khai sinh", "payload": '/ask_procedure{"procedure":"khai sinh"}'},
                {"title": "Kết hôn"},
            ],
        },
        {"recipient_id": body["sender"], "buttons": [{"title": "Khác", "payload": "/other"}]},
        {"recipient_id": body["sender"], "image": "https://example.org/a.png"},
        {"recipient_id": body["sender"], "custom": {"kind": "card"}},
        {"recipient_id": body["sender"], "text": "Dạ."},
    ]
    client = await make_client()
    reply = await _chat(client, {"text": "thủ tục"})
    assert reply["messages"] == [
        {
            "text": "Anh/chị muốn hỏi về thủ tục nào ạ?",
            "buttons": [
                {"title": "Khai sinh", "payload": '/ask_procedure{"procedure":"khai sinh"}'},
                {"title": "Kết hôn", "payload": "Kết hôn"},
                {"title": "Khác", "payload": "/other"},
            ],
        },
        {"text": "https://example.org/a.png", "buttons": []},
        {"text": "Dạ.", "buttons": []},
    ]


def test_mapping_tolerates_odd_elements() -> None:
    messages = map_rasa_messages(
        [
            "not a dict",
            {"buttons": [{"title": "Đầu tiên", "payload": "/first"}, {"payload": "no title"}, 7]},
            {"text": "Xem ảnh", "image": "https://example.org/b.png", "buttons": "bad"},
            {"text": "   "},
            {"text": 42},
        ]
    )
    assert [m.model_dump() for m in messages] == [
        {"text": "", "buttons": [{"title": "Đầu tiên", "payload": "/first"}]},
        {"text": "Xem ảnh\nhttps://example.org/b.png", "buttons": []},
    ]


async def test_empty_rasa_reply_gives_no_messages(make_client, fake_rasa: FakeRasa) -> None:
    fake_rasa.reply = lambda body: []
    client = await make_client()
    reply = await _chat(client, {"text": "..."})
    assert reply["messages"] == []


async def test_rasa_down_gives_503_json(make_client) -> None:
    client = await make_client(rasa_url=closed_port_url())
    reply = await _chat(client, {"text": "xin chào"}, status=503)
    assert reply["error"] == "rasa_unavailable"
    assert reply["message"] == SORRY
    assert reply["session"].startswith("w.")
    # The session issued with the error stays valid for the retry.
    signer = client.app[gateway_app.SIGNER_KEY]
    assert signer.verify(reply["session"]) is not None


async def test_rasa_slow_times_out(make_client, fake_rasa: FakeRasa) -> None:
    fake_rasa.delay = 3.0
    client = await make_client(rasa_timeout=0.3)
    started = time.monotonic()
    reply = await _chat(client, {"text": "xin chào"}, status=503)
    assert time.monotonic() - started < 2.0
    assert reply["error"] == "rasa_unavailable"


@pytest.mark.parametrize("status, raw", [(500, None), (200, "<html>oops</html>"), (200, "{}")])
async def test_rasa_errors_give_503(
    make_client, fake_rasa: FakeRasa, status: int, raw: str | None
) -> None:
    fake_rasa.status = status
    fake_rasa.raw_reply = raw
    client = await make_client()
    reply = await _chat(client, {"text": "xin chào"}, status=503)
    assert reply["error"] == "rasa_unavailable"
    assert "Traceback" not in json.dumps(reply)


@pytest.mark.parametrize(
    "body, status, code",
    [
        ("{not json", 400, "invalid_json"),
        (b"\xff\xfe", 400, "invalid_json"),
        ("", 400, "invalid_json"),
        ("[" * 100_00, 400, "invalid_json"),
        ('["text"]', 400, "invalid_body"),
        ('"xin chào"', 400, "invalid_body"),
        ({}, 400, "invalid_text"),
        ({"text": None}, 400, "invalid_text"),
        ({"text": 123}, 400, "invalid_text"),
        ({"text": ["a"]}, 400, "invalid_text"),
        ({"text": "   \n\t "}, 400, "invalid_text"),
        ({"text": "a" * 2001}, 413, "text_too_long"),
        ("x" * 70_000, 413, "body_too_large"),
    ],
)
async def test_bad_input_gives_clear_json_error(
    make_client, fake_rasa: FakeRasa, body: Any, status: int, code: str
) -> None:
    client = await make_client()
    reply = await _chat(client, body, status=status)
    assert reply["error"] == code
    assert reply["message"].startswith("Dạ,")
    assert fake_rasa.received == []


async def test_text_at_the_limit_is_accepted(make_client, fake_rasa: FakeRasa) -> None:
    client = await make_client()
    await _chat(client, {"text": "a" * 2000})
    assert len(fake_rasa.received[0]["message"]) == 2000


async def test_wrong_method_and_unexpected_failure_answer_json(make_client, monkeypatch) -> None:
    client = await make_client()
    response = await client.get("/api/chat")
    assert response.status == 405
    assert (await response.json())["error"] == "method_not_allowed"

    def broken(utterances: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(gateway_app, "map_rasa_messages", broken)
    reply = await _chat(client, {"text": "xin chào"}, status=500)
    assert reply["error"] == "internal_error"
    assert "secret internals" not in json.dumps(reply)


async def test_gateways_sharing_a_store_accept_each_others_sessions(
    make_client, fake_rasa: FakeRasa
) -> None:
    first = await make_client()
    second = await make_client()
    token = (await _chat(first, {"text": "một"}))["session"]
    assert (await _chat(second, {"text": "hai", "session": token}))["session"] == token
    assert fake_rasa.received[0]["sender"] == fake_rasa.received[1]["sender"]


async def test_configured_secret_signs_sessions(make_client) -> None:
    secret = SecretStr("configured-secret-of-enough-length")
    client = await make_client(session_secret=secret)
    token = (await _chat(client, {"text": "một"}))["session"]
    assert SessionSigner(secret.get_secret_value()).verify(token) is not None


# -- Zalo Mini App identity ---------------------------------------------------------------------
async def test_zalo_token_binds_session_to_user(
    make_client, fake_rasa: FakeRasa, fake_graph: FakeZaloGraph
) -> None:
    fake_graph.users["tok-1"] = {"id": "5512345678901234567", "name": "Nguyễn Văn A"}
    client = await make_client()
    anon = (await _chat(client, {"text": "chào"}))["session"]
    reply = await _chat(client, {"text": "hỏi", "session": anon, "zalo_access_token": "tok-1"})
    assert reply["session"].startswith("z.5512345678901234567.")
    assert fake_rasa.received[-1]["sender"] == "zalo:5512345678901234567"
    # The graph saw exactly the documented headers and fields.
    assert fake_graph.calls[0]["fields"] == "id,name,picture"
    # Cached: a second turn with the token does not ask Zalo again.
    await _chat(client, {"text": "nữa", "zalo_access_token": "tok-1"})
    assert len(fake_graph.calls) == 1
    # The signed Zalo session alone keeps the same conversation.
    again = await _chat(client, {"text": "tiếp", "session": reply["session"]})
    assert again["session"] == reply["session"]
    assert fake_rasa.received[-1]["sender"] == "zalo:5512345678901234567"


@pytest.mark.parametrize("token", ["unknown-token", 42, ["tok-1"], "x" * 5000, "bad\ntoken"])
async def test_invalid_zalo_token_gives_401(
    make_client, fake_rasa: FakeRasa, fake_graph: FakeZaloGraph, token: Any
) -> None:
    fake_graph.users["tok-1"] = {"id": "1"}
    client = await make_client()
    reply = await _chat(client, {"text": "hỏi", "zalo_access_token": token}, status=401)
    assert reply["error"] == "invalid_zalo_token"
    assert reply["message"].startswith("Dạ,")
    assert fake_rasa.received == []


async def test_wrong_app_secret_fails_the_proof(make_client, fake_graph: FakeZaloGraph) -> None:
    fake_graph.users["tok-1"] = {"id": "1"}
    client = await make_client(zalo_app_secret="not-the-app-secret")
    reply = await _chat(client, {"text": "hỏi", "zalo_access_token": "tok-1"}, status=401)
    assert reply["error"] == "invalid_zalo_token"
    assert len(fake_graph.calls) == 1


@pytest.mark.parametrize("overrides", [{"zalo_graph_base": None}, {"zalo_app_secret": None}])
async def test_zalo_unreachable_or_unconfigured_gives_503(
    make_client, fake_rasa: FakeRasa, overrides: dict[str, Any]
) -> None:
    if "zalo_graph_base" in overrides:
        overrides = {"zalo_graph_base": closed_port_url()}
    client = await make_client(**overrides)
    reply = await _chat(client, {"text": "hỏi", "zalo_access_token": "tok"}, status=503)
    assert reply["error"] == "zalo_unavailable"
    assert fake_rasa.received == []


async def test_empty_zalo_token_is_treated_as_absent(make_client, fake_rasa: FakeRasa) -> None:
    client = await make_client()
    reply = await _chat(client, {"text": "hỏi", "zalo_access_token": ""})
    assert reply["session"].startswith("w.")
