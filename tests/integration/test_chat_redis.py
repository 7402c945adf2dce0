"""The whole assistant on Redis state: gateway -> Rasa -> action server -> knowledge."""

from __future__ import annotations

import asyncio
import json

import redis

from bot.feedback import parse_reference
from bot.stack import Stack
from bot.state.redis_store import RedisStore
from tests.integration.helpers import REDIS_URL, ChatClient, get_json, post_json, texts


def test_health_reports_every_part(redis_stack: Stack) -> None:
    status, body = get_json(f"{redis_stack.config.gateway_url}/healthz")
    assert status == 200
    assert body["parts"] == {"rasa": "ok", "actions": "ok", "state": "ok"}


def test_birth_registration_documents_cite_the_procedure(redis_stack: Stack) -> None:
    chat = ChatClient(redis_stack.config.gateway_url)
    answer = texts(chat.send("Làm giấy khai sinh cần gì?"))
    assert "1.001193" in answer
    assert "Giấy chứng sinh" in answer or "giấy chứng sinh" in answer
    assert chat.session


def test_follow_up_keeps_the_procedure_and_is_stored_in_redis(redis_stack: Stack) -> None:
    chat = ChatClient(redis_stack.config.gateway_url)
    first = texts(chat.send("lam giay khai sinh cho con can giay to gi"))
    assert "1.001193" in first
    follow_up = texts(chat.send("mất bao lâu vậy ạ"))
    assert "1.001193" in follow_up

    r = redis.Redis.from_url(REDIS_URL)
    prefix = f"{redis_stack.config.key_prefix}:tracker:"
    stored = [r.get(k) for k in r.scan_iter(f"{prefix}*")]
    conversations = [json.loads(v) for v in stored if v]
    assert any(
        e.get("event") == "user" and e.get("text") == "mất bao lâu vậy ạ"
        for c in conversations
        for e in c["events"]
    ), "the conversation should be in Redis under the stack's tracker prefix"
    assert r.ttl(next(iter(r.scan_iter(f"{prefix}*")))) > 0, "tracker records expire"


def test_session_is_issued_by_the_server(redis_stack: Stack) -> None:
    url = f"{redis_stack.config.gateway_url}/api/chat"
    status, body = post_json(url, {"text": "xin chào", "session": "chosen-by-client"})
    assert status == 200
    assert body["session"] != "chosen-by-client"
    assert body["messages"], "the greeting gets an answer"


def test_feedback_form_through_rasa_sdk_is_stored(redis_stack: Stack) -> None:
    chat = ChatClient(redis_stack.config.gateway_url)
    ask = texts(chat.send("tôi muốn gửi phản ánh"))
    assert ask, "the form asks for the content"
    too_short = texts(chat.send("đường hỏng"))
    assert "ngắn" in too_short  # validate_feedback_form rejected it and asks again
    content = "Đèn đường ở thôn 3 bị hỏng từ tuần trước, buổi tối rất tối"
    assert texts(chat.send(content)), "then it asks where (optional)"
    assert texts(chat.send("bỏ qua")), "then a contact phone (optional)"
    done = texts(chat.send("bỏ qua"))
    reference = next(w.strip(".,") for w in done.split() if w.startswith("PA-"))

    async def stored() -> dict:
        store = RedisStore(REDIS_URL, prefix=redis_stack.config.key_prefix)
        record = await store.get_record("feedback", parse_reference(reference) or 0)
        await store.close()
        assert record is not None
        return record.data

    data = asyncio.run(stored())
    assert data["content"] == content
    assert data["status"] == "new"
