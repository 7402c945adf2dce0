"""Staff messages and the rating after inactivity, in Debian's Chromium against the real gateway
(with a fake Rasa, as in test_web_page_behaviour.py): what the citizen sees on the page."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from bot import handoff
from bot.gateway import GatewaySettings, create_app
from bot.gateway.web.api import HANDOFF_ACK_TEXT
from bot.gateway.web.config import WebSettings
from bot.gateway.web.rating import PROMPT_TEXT
from tests.gateway.conftest import ZALO_APP_SECRET
from tests.integration.browser import ChatPage, chromium
from tests.integration.test_web_page_behaviour import Backend

ADMIN_TOKEN = "browser-test-admin-token"
HELPFUL = [
    {"title": "👍 Hữu ích", "payload": '/answer_helpful{"procedure":"1.001193"}'},
    {"title": "👎 Chưa hữu ích", "payload": '/answer_not_helpful{"procedure":"1.001193"}'},
]
IDLE_SECONDS = 1.5


class StaffBackend(Backend):
    """The same gateway, with the admin API open and quick timers for the page."""

    def start(self, web_settings: WebSettings) -> None:
        rasa_url = self.call(self._serve(self.rasa.app()))
        settings = GatewaySettings.model_validate(
            {
                "rasa_url": rasa_url,
                "action_server_url": rasa_url,
                "zalo_app_secret": ZALO_APP_SECRET,
                "rasa_timeout": 10.0,
                "web": web_settings,
                "zalo": {"admin_token": ADMIN_TOKEN},
            }
        )
        self.url = self.call(self._serve(create_app(settings, self.store))) + "/"

    def staff_says(self, sender: str, text: str) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            f"{self.url}admin/conversations/{sender}/messages",
            data=json.dumps({"text": text, "by": "chị Lan"}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {ADMIN_TOKEN}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[StaffBackend]:
    server = StaffBackend(tmp_path)
    server.start(WebSettings(rating_idle_minutes=IDLE_SECONDS / 60, poll_seconds=0.5))
    yield server
    server.stop()


@pytest.fixture
def page(backend: StaffBackend) -> Iterator[ChatPage]:
    with chromium() as driver:
        yield ChatPage(driver, backend.url, timeout=20).open()


def test_staff_message_reaches_the_open_page_while_the_bot_is_paused(
    backend: StaffBackend, page: ChatPage
) -> None:
    page.ask("gặp cán bộ")
    sender = page.session().split(".")[1]
    backend.call(handoff.pause(backend.store, sender, ttl=600, by="bot", reason="asked"))

    status, body = backend.staff_says(sender, "Dạ, cán bộ Lan đây ạ. Anh/chị cần hỗ trợ gì?")
    assert status == 202 and body["channel"] == "web"
    page.wait(lambda d: page.texts("staff") == ["Dạ, cán bộ Lan đây ạ. Anh/chị cần hỗ trợ gì?"])
    label = page.driver.find_element(By.CSS_SELECTOR, "#log .msg.staff .from")
    assert label.text == "Cán bộ xã"
    page.wait(lambda d: d.find_element(By.ID, "handoff").is_displayed())  # from the poll

    # The citizen answers: kept for staff, not sent to the bot, acknowledged once.
    assert page.ask("em hỏi về hồ sơ khai sinh") == [HANDOFF_ACK_TEXT]
    assert [r["message"] for r in backend.rasa.received] == ["gặp cán bộ"]
    backend.staff_says(sender, "Dạ, anh/chị đọc giúp em mã hồ sơ ạ.")
    page.wait(lambda d: len(page.texts("staff")) == 2)

    page.reload()  # from the history, once each, in order, and not again from the poll
    page.wait(lambda d: len(page.texts("staff")) == 2)
    time.sleep(1.5)
    assert page.texts("staff") == [
        "Dạ, cán bộ Lan đây ạ. Anh/chị cần hỗ trợ gì?",
        "Dạ, anh/chị đọc giúp em mã hồ sơ ạ.",
    ]

    backend.call(handoff.release(backend.store, sender))
    page.wait(lambda d: not d.find_element(By.ID, "handoff").is_displayed())
    assert page.ask("cảm ơn") == ["echo: cảm ơn"]  # the bot answers again


def test_rating_offered_after_inactivity_once_after_a_procedure_answer(
    backend: StaffBackend, page: ChatPage
) -> None:
    page.ask("xin chào")  # no procedure answer yet: no rating
    time.sleep(IDLE_SECONDS + 1.5)
    assert page.texts("bot") == ["echo: xin chào"]

    def answer(body: dict[str, Any]) -> list[dict[str, Any]]:
        if body["message"].startswith("/rate_service"):
            return [{"text": "Dạ, em đã ghi nhận đánh giá 5/5. Cảm ơn anh/chị ạ!"}]
        return [{"text": "Dạ, giấy tờ cần có: tờ khai, giấy chứng sinh.", "buttons": HELPFUL}]

    backend.rasa.reply = answer
    page.ask("làm giấy khai sinh cần gì")
    page.wait(lambda d: PROMPT_TEXT in page.texts("bot"), timeout=IDLE_SECONDS + 10)
    assert [c.text for c in page.chips()][:1] == ["5 ★ Rất hài lòng"]

    _, reply = page.tap_chip("5 ★ Rất hài lòng")
    assert reply == ["Dạ, em đã ghi nhận đánh giá 5/5. Cảm ơn anh/chị ạ!"]
    assert backend.rasa.received[-1]["message"] == '/rate_service{"rating":"5"}'
    time.sleep(IDLE_SECONDS + 1.5)
    assert page.texts("bot").count(PROMPT_TEXT) == 1  # offered once
    page.reload()
    page.wait(lambda d: len(page.bubbles("bot")) >= 4)
    time.sleep(IDLE_SECONDS + 1.5)
    assert page.texts("bot").count(PROMPT_TEXT) == 1  # not again after a reload
