"""The chat page in Debian's Chromium against the real gateway and a fake Rasa (no model needed).

What a citizen sees when the network or the server misbehaves, inside Zalo or not, and that the
page is usable with a keyboard and readable (contrast). The real assistant is exercised in
test_web_page.py.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import threading
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from bot.gateway import GatewaySettings, create_app
from bot.gateway.web.api import HANDOFF_KEY_PREFIX
from bot.gateway.web.config import WebSettings
from bot.state.sqlite_store import SqliteStore
from tests.gateway.conftest import ZALO_APP_SECRET, FakeRasa, FakeZaloGraph
from tests.integration.browser import ChatPage, chromium

LINKS_REPLY = (
    "Dạ, xem chi tiết tại https://dichvucong.gov.vn/p/home. "
    "Không phải liên kết: javascript:alert(1) và data:text/html,<b>x</b>"
)
BUTTONS = [
    {"title": "Lệ phí", "payload": '/ask_fee{"procedure":"1.001193"}'},
    {"title": "Thời gian", "payload": '/ask_time{"procedure":"1.001193"}'},
]


class Backend:
    """The gateway, a fake Rasa and a fake Zalo Graph API on an event loop in a thread."""

    def __init__(self, tmp_path: Path) -> None:
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.rasa = FakeRasa()
        self.graph = FakeZaloGraph()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.runners: list[web.AppRunner] = []
        self.store = SqliteStore(tmp_path / "state.sqlite3")
        self.url = ""

    def call(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    async def _serve(self, app: web.Application) -> str:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.runners.append(runner)
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    def start(self, web_settings: WebSettings, **gateway: Any) -> None:
        rasa_url = self.call(self._serve(self.rasa.app()))
        graph_url = self.call(self._serve(self.graph.app()))
        settings = GatewaySettings.model_validate(
            {
                "rasa_url": rasa_url,
                "action_server_url": rasa_url,
                "zalo_graph_base": graph_url,
                "zalo_app_secret": ZALO_APP_SECRET,
                "rasa_timeout": 10.0,
                "web": web_settings,
                **gateway,
            }
        )
        self.url = self.call(self._serve(create_app(settings, self.store))) + "/"

    def stop(self) -> None:
        for runner in reversed(self.runners):
            self.call(runner.cleanup())
        self.call(self.store.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def make_backend(tmp_path: Path) -> Iterator[Callable[..., Backend]]:
    started: list[Backend] = []

    def make(gateway: dict[str, Any] | None = None, **web_settings: Any) -> Backend:
        server = Backend(tmp_path / f"backend{len(started)}")
        started.append(server)
        server.start(WebSettings(**web_settings), **(gateway or {}))
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def backend(make_backend: Callable[..., Backend]) -> Backend:
    return make_backend()


@pytest.fixture
def page(backend: Backend) -> Iterator[ChatPage]:
    with chromium() as driver:
        yield ChatPage(driver, backend.url, timeout=20).open()


def _reply_with(backend: Backend, text: str, buttons: list[dict[str, str]] | None = None) -> None:
    backend.rasa.reply = lambda body: [{"text": text, "buttons": buttons or []}]


def test_typing_indicator_links_and_chips(backend: Backend, page: ChatPage) -> None:
    _reply_with(backend, LINKS_REPLY, BUTTONS)
    backend.rasa.delay = 1.5
    page.type_and_send("xin chào")
    page.wait(lambda d: d.find_element(By.ID, "typing").is_displayed(), timeout=5)
    assert page.texts("user") == ["xin chào"]
    page.wait(lambda d: page.idle() and len(page.bubbles("bot")) == 1)
    assert page.texts("bot") == [LINKS_REPLY]

    links = page.driver.find_elements(By.CSS_SELECTOR, "#log .bubble a")
    assert [a.get_attribute("href") for a in links] == ["https://dichvucong.gov.vn/p/home"]
    assert links[0].text == "https://dichvucong.gov.vn/p/home"  # the full stop stays outside
    assert links[0].get_attribute("target") == "_blank"
    assert "noopener" in links[0].get_attribute("rel").split()
    assert not page.driver.find_elements(By.CSS_SELECTOR, "#log b")

    assert [c.text for c in page.chips()] == ["Lệ phí", "Thời gian"]
    backend.rasa.delay = 0
    title, _ = page.tap_chip("Thời gian")
    assert title == "Thời gian"
    assert backend.rasa.received[-1]["message"] == BUTTONS[1]["payload"]
    assert page.texts("user")[-1] == "Thời gian"  # the citizen sees the title, not the payload


def test_keyboard_only(backend: Backend, page: ChatPage) -> None:
    _reply_with(backend, "Dạ, anh/chị chọn ạ.", BUTTONS)
    box = page.driver.find_element(By.ID, "input")
    box.send_keys("dòng một", Keys.SHIFT, Keys.ENTER, Keys.NULL, "dòng hai")
    assert box.get_attribute("value") == "dòng một\ndòng hai"  # Shift+Enter: a new line
    box.send_keys(Keys.ENTER)
    page.wait(lambda d: page.idle() and len(page.bubbles("bot")) == 1)
    assert backend.rasa.received[-1]["message"] == "dòng một\ndòng hai"
    # Shift+Tab from the text box reaches the last chip; Enter on a chip sends it.
    box.send_keys(Keys.SHIFT, Keys.TAB, Keys.NULL)
    focused = page.driver.switch_to.active_element
    assert focused.get_attribute("class") == "chip" and focused.text == "Thời gian"
    focused.send_keys(Keys.ENTER)
    page.wait(lambda d: page.idle() and len(page.bubbles("bot")) == 2)
    assert backend.rasa.received[-1]["message"] == BUTTONS[1]["payload"]


def test_hostile_text_stays_text(backend: Backend, page: ChatPage) -> None:
    hostile = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    page.ask(hostile)  # the fake Rasa echoes it back
    assert page.texts("user") == [hostile]
    assert page.texts("bot") == [f"echo: {hostile}"]
    assert not page.driver.find_elements(By.CSS_SELECTOR, "#log img, #log script")
    assert page.driver.execute_script("return window.__xss === undefined;")
    page.reload()
    page.wait(lambda d: len(page.bubbles("bot")) == 1)
    assert page.texts("user") == [hostile]
    assert page.driver.execute_script("return window.__xss === undefined;")


def test_retry_after_network_failure(backend: Backend, page: ChatPage) -> None:
    driver = page.driver
    driver.execute_cdp_cmd("Network.enable", {})
    offline = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", offline)
    page.type_and_send("mất mạng")
    page.wait(lambda d: page.notice() is not None, timeout=15)  # after the silent retries
    assert "kết nối" in page.notice()
    assert driver.find_element(By.ID, "retry").is_displayed()
    assert driver.find_elements(By.CSS_SELECTOR, "#log .msg.user.failed")
    assert backend.rasa.received == []

    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {**offline, "offline": False})
    driver.find_element(By.ID, "retry").click()
    page.wait(lambda d: len(page.bubbles("bot")) == 1 and page.idle())
    assert page.texts("bot") == ["echo: mất mạng"]
    assert [r["message"] for r in backend.rasa.received] == ["mất mạng"]
    assert not driver.find_elements(By.CSS_SELECTOR, "#log .msg.failed")
    assert page.notice() is None


def test_busy_server_is_retried_then_offered_to_the_citizen(
    make_backend: Callable[..., Backend],
) -> None:
    # the gateway answers 503 with Retry-After: 2 while Rasa fails; the page waits that long
    backend = make_backend(gateway={"retry_after_seconds": 2})
    backend.rasa.status = 500
    with chromium() as driver:
        page = ChatPage(driver, backend.url, timeout=20).open()
        page.type_and_send("xin chào")
        page.wait(lambda d: page.notice() is not None, timeout=15)
        assert "hệ thống đang bận" in page.notice()
        assert len(backend.rasa.received) == 3  # the first try and two automatic retries
        at = backend.rasa.received_at
        assert all(later - earlier >= 1.9 for earlier, later in itertools.pairwise(at)), at
        backend.rasa.status = 200
        page.driver.find_element(By.ID, "retry").click()
        page.wait(lambda d: len(page.bubbles("bot")) == 1 and page.idle())
        assert page.texts("bot") == ["echo: xin chào"]


def test_rate_limit_message_is_shown(make_backend: Callable[..., Backend]) -> None:
    backend = make_backend(rate_limit_session_per_minute=1)
    with chromium() as driver:
        page = ChatPage(driver, backend.url, timeout=20).open()
        page.ask("một")
        page.type_and_send("hai")
        page.wait(lambda d: page.notice() is not None)
        assert re.search(r"đợi khoảng \d+ giây", page.notice())
        assert [r["message"] for r in backend.rasa.received] == ["một"]


def test_staff_button_and_handoff_banner(backend: Backend, page: ChatPage) -> None:
    banner = page.driver.find_element(By.ID, "handoff")
    assert not banner.is_displayed()
    page.driver.find_element(By.ID, "staff").click()
    page.wait(lambda d: len(page.bubbles("bot")) == 1 and page.idle())
    assert backend.rasa.received[-1]["message"] == "Tôi muốn gặp cán bộ"
    assert not banner.is_displayed()

    sender = page.session().split(".")[1]
    backend.call(backend.store.set(f"{HANDOFF_KEY_PREFIX}{sender}", "1", ttl=60))
    page.ask("alo")
    assert banner.is_displayed()
    assert "Cán bộ xã đang hỗ trợ" in banner.text
    page.reload()  # the state comes back with the history
    page.wait(lambda d: d.find_element(By.ID, "handoff").is_displayed())


def test_zalo_mini_app_token_is_sent_inside_zalo(backend: Backend) -> None:
    backend.graph.users["tok-1"] = {"id": "84123", "name": "Nguyễn Văn A"}
    with chromium() as driver:
        # What zmp-sdk provides inside the Zalo webview.
        driver.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument",
            {
                "source": "window.ZaloJavaScriptInterface = {};"
                "window.zmpSdk = {getAccessToken: function () {"
                " return Promise.resolve('tok-1'); }};"
            },
        )
        page = ChatPage(driver, backend.url, timeout=20).open()
        page.ask("xin chào")
        assert page.session().startswith("z.84123.")
        assert backend.graph.calls and backend.graph.calls[0]["token"] == "tok-1"
        assert backend.rasa.received[-1]["sender"] == "zalo:84123"


def test_outside_zalo_the_session_is_anonymous(backend: Backend, page: ChatPage) -> None:
    page.ask("xin chào")
    assert page.session().startswith("w.")
    assert backend.graph.calls == []


def test_clear_history_starts_over(backend: Backend, page: ChatPage) -> None:
    page.ask("một")
    old = page.session()
    page.driver.find_element(By.ID, "clear").click()
    page.driver.switch_to.alert.accept()
    page.wait(lambda d: d.execute_script("return document.readyState") == "complete")
    page.wait(lambda d: not page.bubbles("user") and page.session() is None)
    status = backend.call(backend.store.get(f"webchat:history:{old.split('.')[1]}"))
    assert status is None


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(fg: tuple[float, float, float], bg: tuple[float, float, float]) -> float:
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


COLOURS_JS = """
function rgb(s) { return s.match(/[\\d.]+/g).slice(0, 4).map(Number); }
function background(el) {
  for (; el; el = el.parentElement) {
    var c = rgb(getComputedStyle(el).backgroundColor);
    if (c.length < 4 || c[3] > 0) return c.slice(0, 3);
  }
  return [255, 255, 255];
}
return Array.from(document.querySelectorAll(arguments[0])).map(function (el) {
  return [el.className || el.tagName, rgb(getComputedStyle(el).color).slice(0, 3), background(el)];
});
"""


def test_text_contrast_and_labels(backend: Backend, page: ChatPage) -> None:
    _reply_with(backend, "Dạ, đây là câu trả lời.", BUTTONS)
    page.ask("xin chào")
    selectors = ".bubble, .chip, .bar h1, .bar p, .staff, .footnote, .link, #input, .badge"
    checked = page.driver.execute_script(COLOURS_JS, selectors)
    assert len(checked) >= 8
    for name, fg, bg in checked:
        assert _contrast(tuple(fg), tuple(bg)) >= 4.5, (name, fg, bg)
    # Every control has an accessible name.
    for control in page.driver.find_elements(By.CSS_SELECTOR, "button, textarea"):
        name = control.get_attribute("aria-label") or control.get_attribute("textContent").strip()
        if control.tag_name == "textarea":
            name = page.driver.find_element(By.CSS_SELECTOR, "label[for=input]").get_attribute(
                "textContent"
            )
        assert name, control.get_attribute("outerHTML")
    log = page.driver.find_element(By.ID, "log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
    assert page.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"
