"""Debian's Chromium driven by Selenium, and a page object for the chat page.

Chromium runs headless with a fresh profile and every background service off, so that it never
tries to reach the network (the machines are offline); Selenium Manager is never used because the
driver path is given. `scripts/install-browser.sh` installs `chromium` and `chromium-driver`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = Path(os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
PHONE = (390, 844)  # a common Android/iPhone viewport in CSS pixels

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
    "--metrics-recording-only",
    "--lang=vi-VN",
)


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            return f"{path} is missing: run scripts/install-browser.sh"
    return None


@contextmanager
def chromium(size: tuple[int, int] = PHONE, scale: float = 2.0) -> Iterator[webdriver.Chrome]:
    """A headless Chromium with a fresh profile; closed and removed afterwards."""
    missing = browser_missing()
    if missing:  # fail loudly: `make test` must not pass without its browser tests
        raise RuntimeError(missing)
    with tempfile.TemporaryDirectory(prefix="chat-browser-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.add_argument(f"--window-size={size[0]},{size[1]}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        try:
            # The headless window includes no browser UI: the viewport is exactly `size`.
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": size[0], "height": size[1], "deviceScaleFactor": scale, "mobile": True},
            )
            yield driver
        finally:
            driver.quit()


class ChatPage:
    """What a citizen does on the page, and what they see."""

    def __init__(self, driver: webdriver.Chrome, url: str, timeout: float = 60.0) -> None:
        self.driver = driver
        self.url = url
        self.timeout = timeout

    def wait(self, condition: Any, timeout: float | None = None) -> Any:
        return WebDriverWait(self.driver, timeout or self.timeout, poll_frequency=0.1).until(
            condition
        )

    def open(self) -> ChatPage:
        self.driver.get(self.url)
        self.wait(lambda d: d.execute_script("return document.readyState") == "complete")
        return self

    def reload(self) -> ChatPage:
        self.driver.refresh()
        self.wait(lambda d: d.execute_script("return document.readyState") == "complete")
        return self

    # -- what is on the page ------------------------------------------------------------------
    def bubbles(self, role: str) -> list[WebElement]:
        # The static welcome is not part of the conversation.
        selector = f"#log .msg.{role}:not(.welcome) .bubble"
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def texts(self, role: str) -> list[str]:
        """Bubble texts as shown (without the screen-reader prefix)."""
        return [
            self.driver.execute_script(
                "var c = arguments[0].cloneNode(true);"
                "c.querySelectorAll('.sr-only, .meta').forEach(function (n) { n.remove(); });"
                "return c.textContent;",
                b,
            )
            for b in self.bubbles(role)
        ]

    def chips(self) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, "#log .chip")

    def session(self) -> str | None:
        return self.driver.execute_script(
            "return window.localStorage.getItem('commune-assistant.session');"
        )

    def idle(self) -> bool:
        return bool(
            self.driver.execute_script(
                "return document.getElementById('typing').hidden"
                " && !document.getElementById('send').disabled;"
            )
        )

    def notice(self) -> str | None:
        return self.driver.execute_script(
            "var n = document.getElementById('notice');"
            "return n.hidden ? null : document.getElementById('notice-text').textContent;"
        )

    # -- what a citizen does --------------------------------------------------------------------
    def type_and_send(self, text: str) -> None:
        box = self.driver.find_element(By.ID, "input")
        box.click()
        box.send_keys(text)
        box.send_keys(Keys.ENTER)

    def ask(self, text: str) -> list[str]:
        """Send `text` and wait for the answer; the new bot texts."""
        before = len(self.bubbles("bot"))
        self.type_and_send(text)
        return self.wait_for_answer(before)

    def wait_for_answer(self, bot_count_before: int) -> list[str]:
        self.wait(lambda d: len(self.bubbles("bot")) > bot_count_before and self.idle())
        return self.texts("bot")[bot_count_before:]

    def tap_chip(self, title: str | None = None) -> tuple[str, list[str]]:
        """Tap the chip with `title` (or the first); its title and the answer."""
        chips = self.chips()
        chip = next(c for c in chips if title is None or c.text == title)
        chosen = chip.text
        before = len(self.bubbles("bot"))
        chip.click()
        return chosen, self.wait_for_answer(before)
