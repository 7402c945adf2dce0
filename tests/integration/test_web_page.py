"""The chat page in Debian's Chromium against the whole assistant (Rasa, actions, Redis)."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from bot.stack import Stack
from tests.integration.browser import ChatPage, chromium
from tests.integration.helpers import post_json

QUESTION = "Làm giấy khai sinh cần gì?"
HOSTILE = "<img src=x onerror=\"window.__xss=1;document.title='pwned'\">"


def _page(driver, stack: Stack) -> ChatPage:
    return ChatPage(driver, f"{stack.config.gateway_url}/", timeout=90).open()


def test_procedure_question_button_and_reload(redis_stack: Stack) -> None:
    with chromium() as driver:
        page = _page(driver, redis_stack)
        assert "Xã Tân Minh" in driver.find_element(By.CSS_SELECTOR, ".bar h1").text

        answer = "\n".join(page.ask(QUESTION))
        assert "1.001193" in answer
        links = driver.find_elements(By.CSS_SELECTOR, "#log .msg.bot .bubble a")
        assert links, "the answer links the national portal"
        for link in links:
            assert link.get_attribute("href").startswith(("https://", "http://"))
            assert "noopener" in link.get_attribute("rel").split()
        chips = [c.text for c in page.chips()]
        assert chips, "the answer offers the other sections as buttons"

        title, after_tap = page.tap_chip(chips[0])
        assert page.texts("user") == [QUESTION, title]
        assert "1.001193" in "\n".join(after_tap), "the button keeps the procedure"

        users, bots = page.texts("user"), page.texts("bot")
        session = page.session()
        page.reload()
        page.wait(lambda d: len(page.bubbles("bot")) == len(bots))
        assert page.session() == session
        assert page.texts("user") == users
        assert page.texts("bot") == bots
        assert [c.text for c in page.chips()], "the last answer's buttons come back"

        # The conversation goes on where it was after the reload.
        follow_up = "\n".join(page.ask("mất bao lâu?"))
        assert "1.001193" in follow_up


def test_hostile_message_is_shown_as_text(redis_stack: Stack) -> None:
    with chromium() as driver:
        page = _page(driver, redis_stack)
        page.ask(HOSTILE)
        assert page.texts("user") == [HOSTILE]
        assert not driver.find_elements(By.CSS_SELECTOR, "#log img")
        assert driver.execute_script("return window.__xss === undefined;")
        assert driver.title != "pwned"
        page.reload()
        page.wait(lambda d: len(page.bubbles("user")) == 1)
        assert page.texts("user") == [HOSTILE]
        assert not driver.find_elements(By.CSS_SELECTOR, "#log img")
        assert driver.execute_script("return window.__xss === undefined;")


def test_one_session_cannot_read_another(redis_stack: Stack) -> None:
    secret = "Tôi hỏi về khai sinh cho bé Nguyễn Thị Bí Mật"
    with chromium() as alice_browser, chromium() as bob_browser:
        alice = _page(alice_browser, redis_stack)
        alice.ask(secret)
        alice_session = alice.session()
        bob = _page(bob_browser, redis_stack)
        bob.ask("xin chào")
        bob_session = bob.session()
        assert bob_session != alice_session
        bob.reload()
        bob.wait(lambda d: len(bob.bubbles("user")) == 1)
        assert secret not in bob_browser.find_element(By.ID, "log").text

    url = f"{redis_stack.config.gateway_url}/api/history"
    status, body = post_json(url, {"session": bob_session})
    assert status == 200 and secret not in str(body)
    status, body = post_json(url, {"session": alice_session})
    assert status == 200 and secret in str(body)
    # Alice's conversation id with Bob's signature, or no signature: refused.
    _, alice_id, _ = alice_session.split(".")
    _, _, bob_sig = bob_session.split(".")
    for forged in (f"w.{alice_id}.{bob_sig}", f"w.{alice_id}", alice_id):
        status, body = post_json(url, {"session": forged})
        assert status == 401, forged
        assert body["error"] == "invalid_session" and secret not in str(body)
