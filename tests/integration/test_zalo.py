"""The Zalo OA channel through the real gateway, Rasa, action server and Redis.

Zalo itself is the contract-faithful fake (bot/gateway/zalo/fake.py) on a local port: it checks
every send and refresh request as the platform notes describe and records what was sent. The
tests that stop and restart servers come last in the module.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from bot.gateway.zalo.channel import MEDIA_REPLY_TEXT
from bot.gateway.zalo.fake import (
    FakeZalo,
    FakeZaloThread,
    follow_event,
    media_event,
    signed,
    text_event,
)
from bot.gateway.zalo.tokens import TOKENS_KEY
from bot.stack import Stack, base_env
from bot.state.redis_store import RedisStore
from tests.integration.helpers import REDIS_URL, stack_config

OA_SECRET = "integration-oa-secret"
ADMIN_TOKEN = "integration-admin-token"


class ZaloStack:
    def __init__(self, stack: Stack, zalo: FakeZaloThread, model: Path) -> None:
        self.stack = stack
        self.zalo = zalo
        self.fake = zalo.fake
        self.model = model

    @property
    def url(self) -> str:
        return self.stack.config.gateway_url

    def post(self, event: dict[str, Any], secret: str = OA_SECRET) -> int:
        raw, headers = signed(event, secret)
        return _post(f"{self.url}/zalo/webhook", raw, headers)

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> int:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"}
        return _post(f"{self.url}/zalo/admin{path}", data, headers, method)

    def start(self, name: str) -> None:
        cmd = self.stack.commands(self.model)[name]
        log = (self.stack.config.log_dir / f"{name}.log").open("ab")
        self.stack.processes[name] = subprocess.Popen(
            cmd,
            cwd=self.stack.config.repo,
            env=base_env(self.stack.config),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, name: str) -> None:
        """A crash: SIGKILL, no graceful shutdown."""
        proc = self.stack.processes.pop(name)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def wait_up(self, url: str, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=3) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        raise AssertionError(f"{url} did not come up:\n{self.stack.log_tail('gateway')}")

    def user_turns(self, user_id: str) -> list[str]:
        """The user messages Rasa recorded for this OA user (its Redis tracker)."""
        r = redis.Redis.from_url(REDIS_URL)
        texts: list[str] = []
        # User ids are unique per test, so the pattern matches whatever prefix Rasa applied.
        for key in r.scan_iter(f"*tracker:zalo-oa:{user_id}"):
            raw = r.get(key)
            if raw:
                events = json.loads(raw)["events"]
                texts += [e.get("text") for e in events if e.get("event") == "user"]
        return texts


def _post(url: str, data: bytes | None, headers: dict[str, str], method: str = "POST") -> int:
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def new_user() -> str:
    return str(uuid.uuid4().int)[:19]  # OA user ids are long digit strings


def wait_for(check: Callable[[], Any], timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def settle(fake: FakeZalo, user: str, quiet: float = 2.0, timeout: float = 60.0) -> list[str]:
    """The user's texts once at least one arrived and nothing new came for `quiet` seconds."""
    wait_for(lambda: fake.sends_to(user), timeout, f"a reply to {user}")
    count, last_change = len(fake.sends_to(user)), time.monotonic()
    while time.monotonic() - last_change < quiet:
        time.sleep(0.1)
        if len(fake.sends_to(user)) != count:
            count, last_change = len(fake.sends_to(user)), time.monotonic()
    return fake.texts_to(user)


@pytest.fixture(scope="module")
def zalo(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ZaloStack]:
    fake = FakeZalo()
    with FakeZaloThread(fake) as server:
        config = stack_config(tmp_path_factory.mktemp("zalo-stack"), REDIS_URL)
        config.extra_env.update(
            ZALO_APP_ID=fake.app_id,
            ZALO_OA_SECRET_KEY=OA_SECRET,
            ZALO_APP_SECRET=fake.app_secret,
            ZALO_ACCESS_TOKEN=fake.access_token,
            ZALO_REFRESH_TOKEN=fake.refresh_token,
            ZALO_API_BASE=server.url,
            ZALO_OAUTH_BASE=server.url,
            ADMIN_TOKEN=ADMIN_TOKEN,
            ZALO_RETRY_MAX_DELAY="2",
            ZALO_LEASE_SECONDS="4",
            ZALO_SWEEP_INTERVAL="0.5",
        )
        stack = Stack(config)
        stack.start(model)
        try:
            yield ZaloStack(stack, server, model)
        finally:
            stack.stop()
    assert fake.problems == [], f"the gateway sent requests Zalo would refuse: {fake.problems}"


def test_valid_text_gets_the_cited_answer(zalo: ZaloStack) -> None:
    user = new_user()
    assert zalo.post(text_event(zalo.fake.app_id, user, "Làm giấy khai sinh cần gì?")) == 200
    answer = "\n".join(settle(zalo.fake, user))
    assert "1.001193" in answer
    assert zalo.user_turns(user) == ["Làm giấy khai sinh cần gì?"]


def test_bad_and_missing_signature_are_refused(zalo: ZaloStack) -> None:
    user = new_user()
    raw, headers = signed(text_event(zalo.fake.app_id, user, "xin chào"), OA_SECRET)
    assert zalo.post(text_event(zalo.fake.app_id, user, "xin chào"), secret="wrong") == 401
    del headers["X-ZEvent-Signature"]
    assert _post(f"{zalo.url}/zalo/webhook", raw, headers) == 401
    tampered = raw.replace("xin chào".encode(), "tạm biệt".encode())
    _, good = signed(json.loads(raw), OA_SECRET)
    assert _post(f"{zalo.url}/zalo/webhook", tampered, good) == 401
    time.sleep(2)
    assert zalo.fake.sends_to(user) == []
    assert zalo.user_turns(user) == []


def test_replayed_old_timestamp_is_refused(zalo: ZaloStack) -> None:
    user = new_user()
    old = str(int(time.time() * 1000) - 2 * 3600 * 1000)
    assert zalo.post(text_event(zalo.fake.app_id, user, "xin chào", timestamp=old)) == 401
    time.sleep(2)
    assert zalo.fake.sends_to(user) == [] and zalo.user_turns(user) == []


def test_duplicate_delivery_is_answered_once(zalo: ZaloStack) -> None:
    control, user = new_user(), new_user()
    assert zalo.post(text_event(zalo.fake.app_id, control, "xin chào")) == 200
    expected = settle(zalo.fake, control)
    event = text_event(zalo.fake.app_id, user, "xin chào")
    for _ in range(3):
        assert zalo.post(event) == 200
    assert settle(zalo.fake, user, quiet=3.0) == expected
    assert zalo.user_turns(user) == ["xin chào"]


def test_buttons_become_zalo_buttons(zalo: ZaloStack) -> None:
    user = new_user()
    assert zalo.post(text_event(zalo.fake.app_id, user, "xin chào")) == 200
    settle(zalo.fake, user)
    with_buttons = [s.message for s in zalo.fake.sends_to(user) if "attachment" in s.message]
    assert with_buttons, "the greeting offers buttons"
    for message in with_buttons:
        buttons = message["attachment"]["payload"]["buttons"]
        assert 1 <= len(buttons) <= 5
        assert all(
            b["type"] in {"oa.query.show", "oa.query.hide", "oa.open.url", "oa.open.phone"}
            for b in buttons
        )
    # Pressing a button sends its payload back as text; it is understood like typing.
    payload = with_buttons[0]["attachment"]["payload"]["buttons"][0]["payload"]
    before = len(zalo.fake.sends_to(user))
    assert zalo.post(text_event(zalo.fake.app_id, user, payload)) == 200
    wait_for(lambda: len(zalo.fake.sends_to(user)) > before, what="an answer to the button")


def test_follow_gets_a_welcome(zalo: ZaloStack) -> None:
    user = new_user()
    assert zalo.post(follow_event(zalo.fake.app_id, user)) == 200
    welcome = "\n".join(settle(zalo.fake, user))
    assert "Dạ" in welcome and "chào" in welcome


@pytest.mark.parametrize("kind", ["image", "sticker", "location"])
def test_non_text_gets_a_polite_reply(zalo: ZaloStack, kind: str) -> None:
    user = new_user()
    assert zalo.post(media_event(zalo.fake.app_id, user, kind)) == 200
    assert settle(zalo.fake, user) == [MEDIA_REPLY_TEXT]
    assert zalo.user_turns(user) == []


def test_long_answer_is_split_on_line_boundaries(zalo: ZaloStack) -> None:
    # Staff answers go through the same mapping, splitting and queue as Rasa's.
    user = new_user()
    lines = [
        f"{i}. Bản sao giấy tờ số {i}, có chứng thực, nộp tại bộ phận một cửa." for i in range(60)
    ]
    status = zalo.admin("POST", f"/users/{user}/messages", {"text": "\n".join(lines)})
    assert status == 202
    texts = settle(zalo.fake, user)
    assert len(texts) >= 2 and all(len(t) <= 2000 for t in texts)
    assert "\n".join(texts) == "\n".join(lines)


def test_handoff_pauses_the_bot_and_staff_replies_go_out(zalo: ZaloStack) -> None:
    user = new_user()
    assert zalo.admin("PUT", f"/users/{user}/handoff", {"ttl_seconds": 600}) == 200
    assert zalo.post(text_event(zalo.fake.app_id, user, "lệ phí khai sinh bao nhiêu")) == 200
    assert (
        zalo.admin("POST", f"/users/{user}/messages", {"text": "Dạ, cán bộ xã xin trả lời ạ."})
        == 202
    )
    assert settle(zalo.fake, user) == ["Dạ, cán bộ xã xin trả lời ạ."]
    assert zalo.user_turns(user) == []  # nothing reached Rasa
    assert zalo.admin("DELETE", f"/users/{user}/handoff") == 200
    assert zalo.post(text_event(zalo.fake.app_id, user, "xin chào")) == 200
    wait_for(lambda: len(zalo.fake.sends_to(user)) > 1, what="the bot again")
    assert zalo.user_turns(user) == ["xin chào"]


def test_token_expiry_mid_conversation(zalo: ZaloStack) -> None:
    user = new_user()
    assert zalo.post(text_event(zalo.fake.app_id, user, "xin chào")) == 200
    first = settle(zalo.fake, user)
    refreshes = len(zalo.fake.refreshes)
    zalo.fake.expire_access_tokens()
    assert zalo.post(text_event(zalo.fake.app_id, user, "Làm giấy khai sinh cần gì?")) == 200
    wait_for(
        lambda: "1.001193" in "\n".join(zalo.fake.texts_to(user)), what="the answer after refresh"
    )
    assert zalo.fake.texts_to(user)[: len(first)] == first
    assert len(zalo.fake.refreshes) == refreshes + 1
    assert -220 in [code for u, code in zalo.fake.attempts if u == user]

    async def stored() -> dict[str, Any]:
        store = RedisStore(REDIS_URL, prefix=zalo.stack.config.key_prefix)
        try:
            return json.loads(await store.get(TOKENS_KEY) or "{}")
        finally:
            await store.close()

    pair = asyncio.run(stored())
    assert pair["refresh_token"] == zalo.fake.refresh_token
    assert pair["access_token"] == zalo.fake.access_token


def test_zalo_down_and_gateway_crash_with_pending_replies(zalo: ZaloStack) -> None:
    user = new_user()
    zalo.fake.down = True
    try:
        assert zalo.post(text_event(zalo.fake.app_id, user, "Làm giấy khai sinh cần gì?")) == 200
        wait_for(lambda: zalo.user_turns(user), what="Rasa to answer")
        time.sleep(1.0)  # a send attempt or two fail
        zalo.kill("gateway")
    finally:
        zalo.fake.down = False
    assert zalo.fake.sends_to(user) == []
    zalo.start("gateway")
    zalo.wait_up(f"{zalo.url}/zalo/webhook")
    answer = "\n".join(settle(zalo.fake, user, quiet=3.0))
    assert "1.001193" in answer
    assert zalo.user_turns(user) == ["Làm giấy khai sinh cần gì?"]  # Rasa was not asked twice


def test_rasa_down_gateway_restart_then_rasa_back(zalo: ZaloStack) -> None:
    user = new_user()
    zalo.stack.stop_one("rasa")
    assert zalo.post(text_event(zalo.fake.app_id, user, "xin chào")) == 200
    time.sleep(2)
    zalo.kill("gateway")  # pending work must survive a crash as well
    zalo.start("gateway")
    zalo.wait_up(f"{zalo.url}/zalo/webhook")
    assert zalo.post(text_event(zalo.fake.app_id, user, "Làm giấy khai sinh cần gì?")) == 200
    time.sleep(2)
    assert zalo.fake.sends_to(user) == []
    zalo.start("rasa")
    zalo.wait_up(zalo.stack.config.rasa_url, timeout=600)
    wait_for(
        lambda: "1.001193" in "\n".join(zalo.fake.texts_to(user)),
        timeout=90,
        what="both answers after Rasa is back",
    )
    assert zalo.user_turns(user) == ["xin chào", "Làm giấy khai sinh cần gì?"]  # in order
    texts = zalo.fake.texts_to(user)
    cited = next(i for i, t in enumerate(texts) if "1.001193" in t)
    assert cited > 0, "the greeting's answer came first"
