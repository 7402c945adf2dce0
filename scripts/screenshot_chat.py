"""Take the README's screenshot of the chat page: a real multi-turn conversation with buttons.

    .venv/app/bin/python scripts/screenshot_chat.py                    # starts its own stack
    .venv/app/bin/python scripts/screenshot_chat.py --url http://127.0.0.1:8000/

Without `--url` it trains (or reuses) the model and starts Rasa, the action server and the
gateway on free ports with SQLite state in a temporary directory, then stops them.
The picture is three phone screens of one conversation side by side (the answers are longer
than one screen), composed by Chromium itself. Needs Debian's Chromium
(scripts/install-browser.sh).
"""

from __future__ import annotations

import argparse
import base64
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.stack import Stack, StackConfig, train  # noqa: E402
from tests.integration.browser import PHONE, ChatPage, chromium  # noqa: E402
from tests.integration.helpers import stack_config  # noqa: E402

QUESTION = "Làm giấy khai sinh cần gì?"
CHIP = "Lệ phí"
FOLLOW_UP = "mất bao lâu vậy?"
SCALE = 1.5
GAP = 16

SCROLL_TO_USER_MESSAGE = """
var users = document.querySelectorAll('#log .msg.user');
var log = document.getElementById('log');
log.scrollTop = users[arguments[0]].offsetTop - log.offsetTop - 8;
"""

COMPOSE = """
document.body.style.cssText = 'margin:0;background:#c9d3de;display:flex;gap:%dpx;padding:%dpx';
arguments[0].forEach(function (src) {
  var img = document.createElement('img');
  img.src = src;
  img.style.cssText = 'width:%dpx;height:%dpx;border-radius:12px;display:block';
  document.body.appendChild(img);
});
return Promise.all(Array.from(document.images).map(function (i) { return i.decode(); }));
"""


def frame(driver) -> str:
    return "data:image/png;base64," + driver.get_screenshot_as_base64()


def converse(url: str, out: Path) -> None:
    frames: list[str] = []
    with chromium(PHONE, scale=SCALE) as driver:
        page = ChatPage(driver, url, timeout=90).open()
        page.ask(QUESTION)
        page.tap_chip(CHIP if CHIP in [c.text for c in page.chips()] else None)
        page.ask(FOLLOW_UP)
        driver.execute_script("document.activeElement.blur();")
        for index in (0, 1):  # the question, then the button press
            driver.execute_script(SCROLL_TO_USER_MESSAGE, index)
            frames.append(frame(driver))
        driver.execute_script("var l = document.getElementById('log'); l.scrollTop = 1e9;")
        frames.append(frame(driver))

    width = len(frames) * PHONE[0] + (len(frames) + 1) * GAP
    height = PHONE[1] + 2 * GAP
    with chromium((width, height), scale=SCALE) as driver:
        driver.get("about:blank")
        driver.execute_script(COMPOSE % (GAP, GAP, PHONE[0], PHONE[1]), frames)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(base64.b64decode(driver.get_screenshot_as_base64()))
    print(f"wrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running gateway's page, e.g. http://127.0.0.1:8000/")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshot-chat.png")
    args = parser.parse_args()
    if args.url:
        converse(args.url, args.out)
        return
    with tempfile.TemporaryDirectory(prefix="screenshot-stack-") as tmp:
        config = stack_config(Path(tmp), None)
        model = train(StackConfig())
        stack = Stack(config)
        stack.start(model)
        try:
            converse(f"{config.gateway_url}/", args.out)
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
