"""`POST /zalo/webhook` through the gateway app, with a fake Rasa and a fake Zalo."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from bot.gateway.zalo.channel import MEDIA_REPLY_TEXT
from bot.gateway.zalo.fake import FakeZalo, follow_event, media_event, signed, text_event
from bot.gateway.zalo.tokens import TOKENS_KEY
from tests.gateway.conftest import FakeRasa
from tests.gateway.zalo.conftest import OA_SECRET, post_event, wait_until


async def test_text_goes_to_rasa_and_the_answer_to_zalo(
    make_zalo_client, fake_rasa: FakeRasa, fake_zalo: FakeZalo
) -> None:
    client = await make_zalo_client()
    status, _ = await post_event(client, text_event(fake_zalo.app_id, "8001", "xin chào"))
    assert status == 200
    await wait_until(lambda: fake_zalo.sends)
    assert fake_rasa.received == [{"sender": "zalo-oa:8001", "message": "xin chào"}]
    assert [(s.user_id, s.message) for s in fake_zalo.sends] == [
        ("8001", {"text": "echo: xin chào"})
    ]
    assert fake_zalo.problems == []


async def test_ack_does_not_wait_for_rasa(
    make_zalo_client, fake_rasa: FakeRasa, fake_zalo: FakeZalo
) -> None:
    fake_rasa.delay = 1.0
    client = await make_zalo_client()
    started = time.monotonic()
    status, _ = await post_event(client, text_event(fake_zalo.app_id, "8002", "chậm"))
    assert status == 200
    assert time.monotonic() - started < 0.5
    await wait_until(lambda: fake_zalo.sends, timeout=5)


@pytest.mark.parametrize("header", [None, "mac=" + "0" * 64, "garbage"])
async def test_bad_or_missing_signature_is_refused_and_not_processed(
    make_zalo_client, fake_rasa: FakeRasa, fake_zalo: FakeZalo, header: str | None
) -> None:
    client = await make_zalo_client()
    raw, headers = signed(text_event(fake_zalo.app_id, "8003", "xin chào"), OA_SECRET)
    if header is None:
        del headers["X-ZEvent-Signature"]
    else:
        headers["X-ZEvent-Signature"] = header
    response = await client.post("/zalo/webhook", data=raw, headers=headers)
    assert response.status == 401
    await asyncio.sleep(0.3)
    assert fake_rasa.received == [] and fake_zalo.sends == []


async def test_signed_with_another_key_is_refused(
    make_zalo_client, fake_rasa: FakeRasa, fake_zalo
) -> None:
    client = await make_zalo_client()
    status, _ = await post_event(
        client, text_event(fake_zalo.app_id, "8004", "x"), secret="wrong-secret"
    )
    assert status == 401
    await asyncio.sleep(0.2)
    assert fake_rasa.received == []


async def test_old_or_future_timestamps_are_refused(
    make_zalo_client, fake_rasa: FakeRasa, fake_zalo: FakeZalo
) -> None:
    client = await make_zalo_client(replay_window=600)
    now = int(time.time() * 1000)
    old = text_event(fake_zalo.app_id, "8005", "cũ", timestamp=str(now - 601_000))
    future = text_event(fake_zalo.app_id, "8005", "tương lai", timestamp=str(now + 3_600_000))
    recent = text_event(fake_zalo.app_id, "8005", "mới", timestamp=str(now - 590_000))
    assert (await post_event(client, old))[0] == 401
    assert (await post_event(client, future))[0] == 401
    assert (await post_event(client, recent))[0] == 200
    await wait_until(lambda: fake_zalo.sends)
    assert [r["message"] for r in fake_rasa.received] == ["mới"]


async def test_verification_probe_gets_200_without_processing(
    make_zalo_client, fake_rasa: FakeRasa, fake_zalo: FakeZalo
) -> None:
    client = await make_zalo_client()
    assert (await client.get("/zalo/webhook")).status == 200
    assert (await client.post("/zalo/webhook", data=b"")).status == 200
    assert (await client.post("/zalo/webhook", data=b'{"app_id": "x"}')).status == 200
    await asyncio.sleep(0.2)
    assert fake_rasa.received == [] and fake_zalo.sends == []


async def test_bad_json_is_refused(make_zalo_client) -> None:
    client = await make_zalo_client()
    response = await client.post("/zalo/webhook", data=b"{not json")
    assert response.status == 400


async def test_duplicate_delivery_is_answered_once(
    make_zalo_client, fake_rasa: FakeRasa, fake_zalo: FakeZalo
) -> None:
    client = await make_zalo_client()
    event = text_event(fake_zalo.app_id, "8006", "lệ phí khai sinh", msg_id="dup-1")
    results = await asyncio.gather(*(post_event(client, event) for _ in range(5)))
    assert [status for status, _ in results] == [200] * 5
    await wait_until(lambda: fake_zalo.sends)
    await asyncio.sleep(0.3)
    # A retry later (Zalo's schedule) with a fresh signature is also a duplicate.
    assert (await post_event(client, dict(event)))[0] == 200
    await asyncio.sleep(0.2)
    assert len(fake_rasa.received) == 1
    assert len(fake_zalo.sends) == 1


async def test_each_user_in_order_users_in_parallel(
    make_zalo_client, fake_rasa: FakeRasa, fake_zalo: FakeZalo
) -> None:
    async def slow_first(body):
        return [{"text": f"đáp {body['message']}"}]

    fake_rasa.delay = 0.15
    client = await make_zalo_client()
    users = [f"90{i}" for i in range(6)]
    base = int(time.time() * 1000)
    started = time.monotonic()
    for n in range(4):
        for user in users:
            event = text_event(fake_zalo.app_id, user, f"{user}-{n}", timestamp=str(base + n))
            assert (await post_event(client, event))[0] == 200
    await wait_until(lambda: len(fake_zalo.sends) == 24, timeout=10)
    elapsed = time.monotonic() - started
    for user in users:
        assert fake_zalo.texts_to(user) == [f"echo: {user}-{n}" for n in range(4)]
    # 24 Rasa turns of 0.15 s one after another would take 3.6 s; users run in parallel.
    assert elapsed < 2.0


async def test_follow_gets_the_bot_greeting(
    make_zalo_client, fake_rasa: FakeRasa, fake_zalo: FakeZalo
) -> None:
    fake_rasa.reply = lambda body: [
        {"text": "Dạ, em chào anh/chị!", "buttons": [{"title": "Khai sinh", "payload": "/ask"}]}
    ]
    client = await make_zalo_client()
    assert (await post_event(client, follow_event(fake_zalo.app_id, "8007")))[0] == 200
    await wait_until(lambda: fake_zalo.sends)
    assert fake_rasa.received == [{"sender": "zalo-oa:8007", "message": "/greet"}]
    message = fake_zalo.sends[0].message
    assert message["text"] == "Dạ, em chào anh/chị!"
    assert message["attachment"]["payload"]["buttons"][0]["type"] == "oa.query.hide"


@pytest.mark.parametrize("kind", ["image", "sticker", "file", "audio", "location"])
async def test_non_text_gets_a_polite_reply_without_rasa(
    make_zalo_client, fake_rasa: FakeRasa, fake_zalo: FakeZalo, kind: str
) -> None:
    client = await make_zalo_client()
    assert (await post_event(client, media_event(fake_zalo.app_id, "8008", kind)))[0] == 200
    await wait_until(lambda: fake_zalo.sends)
    assert fake_zalo.texts_to("8008") == [MEDIA_REPLY_TEXT]
    assert "Dạ" in MEDIA_REPLY_TEXT and "anh/chị" in MEDIA_REPLY_TEXT
    assert fake_rasa.received == []


async def test_receipts_and_unknown_events_are_acknowledged_only(
    make_zalo_client, fake_rasa: FakeRasa, fake_zalo: FakeZalo
) -> None:
    client = await make_zalo_client()
    now = str(int(time.time() * 1000))
    for name in (
        "user_seen_message",
        "user_received_message",
        "oa_send_text",
        "unfollow",
        "new_thing",
    ):
        event = {
            "app_id": fake_zalo.app_id,
            "event_name": name,
            "timestamp": now,
            "sender": {"id": "8009"},
            "follower": {"id": "8009"},
            "message": {"msg_ids": ["1"]},
        }
        assert (await post_event(client, event))[0] == 200
    await asyncio.sleep(0.3)
    assert fake_rasa.received == [] and fake_zalo.sends == []


async def test_token_expiry_mid_conversation_refreshes_once_and_resends(
    make_zalo_client, fake_rasa: FakeRasa, fake_zalo: FakeZalo, store
) -> None:
    client = await make_zalo_client()
    await post_event(client, text_event(fake_zalo.app_id, "8010", "một"))
    await wait_until(lambda: len(fake_zalo.sends) == 1)
    fake_zalo.expire_access_tokens()
    await post_event(client, text_event(fake_zalo.app_id, "8010", "hai"))
    await post_event(client, text_event(fake_zalo.app_id, "8010", "ba"))
    await wait_until(lambda: len(fake_zalo.sends) == 3, timeout=5)
    assert fake_zalo.texts_to("8010") == ["echo: một", "echo: hai", "echo: ba"]
    assert len(fake_zalo.refreshes) == 1
    assert [code for _, code in fake_zalo.attempts] == [0, -220, 0, 0]
    stored = json.loads(await store.get(TOKENS_KEY))
    assert stored["refresh_token"] == fake_zalo.refresh_token != "fake-refresh-1"
    assert stored["access_token"] == fake_zalo.access_token


async def test_refresh_token_is_stored_before_the_new_access_token_is_used(
    make_zalo_client, fake_zalo: FakeZalo, store, aiohttp_server
) -> None:
    from aiohttp import web

    seen: list[str] = []

    async def spy(request: web.Request) -> web.StreamResponse:
        if request.path.endswith("/message/cs") and request.headers.get("access_token") not in (
            "fake-access-1",
            None,
        ):
            seen.append(json.loads(await store.get(TOKENS_KEY))["refresh_token"])
        return (
            await fake_zalo._send(request)
            if request.path.endswith("/cs")
            else await fake_zalo._refresh(request)
        )

    app = web.Application()
    app.router.add_post("/v3.0/oa/message/cs", spy)
    app.router.add_post("/v4/oa/access_token", spy)
    server = await aiohttp_server(app)
    url = str(server.make_url("")).rstrip("/")
    fake_zalo.expire_access_tokens()
    client = await make_zalo_client(api_base=url, oauth_base=url)
    await post_event(client, text_event(fake_zalo.app_id, "8011", "xin chào"))
    await wait_until(lambda: fake_zalo.sends, timeout=5)
    assert seen == [fake_zalo.refresh_token]


async def test_long_answer_is_split_in_order(
    make_zalo_client, fake_rasa: FakeRasa, fake_zalo: FakeZalo
) -> None:
    lines = [
        f"Bước {i}: nộp hồ sơ tại bộ phận một cửa của UBND xã, nhận giấy hẹn." for i in range(80)
    ]
    fake_rasa.reply = lambda body: [
        {"text": "\n".join(lines), "buttons": [{"title": "Lệ phí", "payload": "lệ phí bao nhiêu"}]}
    ]
    client = await make_zalo_client()
    await post_event(client, text_event(fake_zalo.app_id, "8012", "các bước"))
    await wait_until(lambda: len(fake_zalo.sends) >= 3, timeout=5)
    await asyncio.sleep(0.2)
    texts = fake_zalo.texts_to("8012")
    assert all(len(t) <= 2000 for t in texts)
    assert "\n".join(texts) == "\n".join(lines)
    assert "attachment" in fake_zalo.sends[-1].message
    assert fake_zalo.problems == []


async def test_buttons_links_and_phones(
    make_zalo_client, fake_rasa: FakeRasa, fake_zalo: FakeZalo
) -> None:
    buttons = [{"title": f"Thủ tục {i}", "payload": f"thủ tục {i}"} for i in range(6)]
    buttons += [
        {"title": "Cổng dịch vụ công", "payload": "https://dichvucong.gov.vn"},
        {"title": "Gọi UBND xã", "payload": "tel:02253123456"},
    ]
    fake_rasa.reply = lambda body: [{"text": "Anh/chị hỏi thủ tục nào ạ?", "buttons": buttons}]
    client = await make_zalo_client()
    await post_event(client, text_event(fake_zalo.app_id, "8013", "thủ tục"))
    await wait_until(lambda: len(fake_zalo.sends) == 2, timeout=5)
    first, second = (s.message for s in fake_zalo.sends)
    assert len(first["attachment"]["payload"]["buttons"]) == 5
    rest = second["attachment"]["payload"]["buttons"]
    assert [b["type"] for b in rest] == ["oa.query.show", "oa.open.url", "oa.open.phone"]
    assert fake_zalo.problems == []


@pytest.mark.parametrize("code", [-213, -230, -232])
async def test_unreachable_users_are_not_retried(
    make_zalo_client, fake_zalo: FakeZalo, code: int
) -> None:
    fake_zalo.user_errors["8014"] = code
    client = await make_zalo_client()
    await post_event(client, text_event(fake_zalo.app_id, "8014", "xin chào"))
    await wait_until(lambda: fake_zalo.attempts)
    await asyncio.sleep(0.8)  # several retry delays (0.2 s in tests)
    assert fake_zalo.attempts == [("8014", code)]


async def test_rate_limit_backs_off_and_retries(
    make_zalo_client, fake_zalo: FakeZalo, monkeypatch
) -> None:
    from bot.gateway.zalo import sender

    monkeypatch.setattr(
        sender, "_classify", _fast_classify(sender._classify)
    )  # rate-limit pause of 5 s shortened for the test
    fake_zalo.scripted_errors = [-32, -32]
    client = await make_zalo_client()
    await post_event(client, text_event(fake_zalo.app_id, "8015", "xin chào"))
    await wait_until(lambda: fake_zalo.sends, timeout=5)
    assert [code for _, code in fake_zalo.attempts] == [-32, -32, 0]


def _fast_classify(original):
    def classify(code, data):
        result = original(code, data)
        if result.retry_after:
            from dataclasses import replace

            return replace(result, retry_after=0.1)
        return result

    return classify


async def test_zalo_down_then_back(make_zalo_client, fake_zalo: FakeZalo) -> None:
    fake_zalo.down = True
    client = await make_zalo_client()
    await post_event(client, text_event(fake_zalo.app_id, "8016", "xin chào"))
    await asyncio.sleep(0.6)
    assert fake_zalo.sends == []
    fake_zalo.down = False
    await wait_until(lambda: fake_zalo.sends, timeout=5)
    assert fake_zalo.texts_to("8016") == ["echo: xin chào"]


async def test_rasa_down_then_back(
    make_zalo_client, fake_rasa: FakeRasa, fake_zalo: FakeZalo
) -> None:
    fake_rasa.status = 500
    client = await make_zalo_client()
    await post_event(client, text_event(fake_zalo.app_id, "8017", "một"))
    await post_event(client, text_event(fake_zalo.app_id, "8017", "hai"))
    await asyncio.sleep(0.6)
    assert fake_zalo.sends == []
    fake_rasa.status = 200
    await wait_until(lambda: len(fake_zalo.sends) == 2, timeout=5)
    assert fake_zalo.texts_to("8017") == ["echo: một", "echo: hai"]


async def test_restart_resumes_pending_work_without_asking_rasa_twice(
    make_zalo_client, fake_rasa: FakeRasa, fake_zalo: FakeZalo, store
) -> None:
    fake_zalo.down = True
    first = await make_zalo_client()
    await post_event(first, text_event(fake_zalo.app_id, "8018", "một"))
    await wait_until(lambda: fake_rasa.received)
    fake_rasa.status = 500  # the second message cannot reach Rasa either
    await post_event(first, text_event(fake_zalo.app_id, "8018", "hai"))
    await asyncio.sleep(0.3)
    await first.close()  # the gateway stops with work pending
    assert fake_zalo.sends == []

    fake_zalo.down = False
    fake_rasa.status = 200
    second = await make_zalo_client()  # a new gateway on the same state
    assert second is not first
    await wait_until(lambda: len(fake_zalo.sends) == 2, timeout=8)
    assert fake_zalo.texts_to("8018") == ["echo: một", "echo: hai"]
    assert [r["message"] for r in fake_rasa.received].count("một") == 1


async def test_dev_switch_accepts_unsigned_and_says_so(
    make_zalo_client, fake_zalo: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    client = await make_zalo_client(dev_skip_signature=True, oa_secret_key=None)
    event = text_event(fake_zalo.app_id, "8019", "xin chào")
    response = await client.post("/zalo/webhook", data=json.dumps(event).encode())
    assert response.status == 200
    await wait_until(lambda: fake_zalo.sends)
    assert "NOT checked" in caplog.text


async def test_unconfigured_channel_refuses_events(make_zalo_client, fake_zalo: FakeZalo) -> None:
    client = await make_zalo_client(oa_secret_key=None)
    status, body = await post_event(client, text_event(fake_zalo.app_id, "8020", "x"))
    assert status == 503 and body == {"error": "not_configured"}


async def test_secrets_never_logged(
    make_zalo_client, fake_zalo: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    fake_zalo.expire_access_tokens()
    client = await make_zalo_client()
    await post_event(client, text_event(fake_zalo.app_id, "8021", "xin chào"))
    await wait_until(lambda: fake_zalo.sends, timeout=5)
    for secret in (
        OA_SECRET,
        fake_zalo.app_secret,
        "fake-access-1",
        "fake-refresh-1",
        fake_zalo.access_token,
    ):
        assert secret not in caplog.text
