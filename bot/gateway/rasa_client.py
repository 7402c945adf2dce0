"""Talking to Rasa's REST channel and turning its replies into the web chat API's messages.

`RasaUpstreams` spreads turns over several Rasa processes (`RASA_URLS`): the one with the fewest
turns in flight first, ties in turn. A turn moves to another process only when the connection
was refused (the request provably never reached Rasa), so that a turn is never processed twice;
any other failure (timeout, reset mid-request, error status) is reported to the caller.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Sequence
from typing import Any

import aiohttp
from pydantic import BaseModel, Field

log = logging.getLogger(__name__)

REST_WEBHOOK_PATH = "/webhooks/rest/webhook"


class Button(BaseModel):
    title: str
    payload: str


class ChatMessage(BaseModel):
    text: str
    buttons: list[Button] = Field(default_factory=list)


class RasaUnavailable(Exception):
    """Rasa did not answer usefully (down, timed out, error status or unreadable reply)."""


async def send_to_rasa(
    http: aiohttp.ClientSession, rasa_url: str, sender: str, text: str, timeout: float
) -> list[Any]:
    """POST one user message to Rasa's REST channel; the raw list of bot utterances."""
    try:
        return await _post_turn(http, rasa_url, sender, text, timeout)
    except aiohttp.ClientConnectorError as exc:
        raise RasaUnavailable(f"Rasa request failed: {type(exc).__name__}") from exc


async def _post_turn(
    http: aiohttp.ClientSession, rasa_url: str, sender: str, text: str, timeout: float
) -> list[Any]:
    """Like send_to_rasa, but lets a refused connection (aiohttp.ClientConnectorError) through."""
    url = f"{rasa_url}{REST_WEBHOOK_PATH}"
    try:
        async with http.post(
            url,
            json={"sender": sender, "message": text},
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as response:
            if response.status != 200:
                raise RasaUnavailable(f"Rasa answered HTTP {response.status}")
            body = await response.json(content_type=None)
    except aiohttp.ClientConnectorError:
        raise  # not connected, nothing sent: the caller may try another process
    except asyncio.TimeoutError as exc:
        raise RasaUnavailable(f"Rasa did not answer within {timeout:g} s") from exc
    except (aiohttp.ClientError, ValueError) as exc:
        raise RasaUnavailable(f"Rasa request failed: {type(exc).__name__}") from exc
    if not isinstance(body, list):
        raise RasaUnavailable("Rasa reply is not a list")
    return body


class RasaUpstreams:
    """The Rasa processes of one installation, each turn sent to the least busy one.

    Rasa's Redis lock store orders each conversation's turns across processes, so any process
    may take any turn. A process that refused a connection is tried last for `down_seconds`.
    """

    def __init__(self, urls: Sequence[str], down_seconds: float = 5.0) -> None:
        if not urls:
            raise ValueError("at least one Rasa URL is needed")
        self.urls = list(urls)
        self.down_seconds = down_seconds
        self.in_flight = [0] * len(self.urls)
        self._down_until = [0.0] * len(self.urls)
        self._rotation = itertools.count()

    def order(self) -> list[int]:
        """Indexes to try: up before down, then fewest turns in flight, ties rotating."""
        start = next(self._rotation) % len(self.urls)
        now = time.monotonic()
        return sorted(
            range(len(self.urls)),
            key=lambda i: (
                self._down_until[i] > now,
                self.in_flight[i],
                (i - start) % len(self.urls),
            ),
        )

    async def send(
        self, http: aiohttp.ClientSession, sender: str, text: str, timeout: float
    ) -> list[Any]:
        """One user message to one Rasa process; the raw list of bot utterances."""
        deadline = time.monotonic() + timeout
        refused: list[str] = []
        for i in self.order():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self.in_flight[i] += 1
            try:
                return await _post_turn(http, self.urls[i], sender, text, remaining)
            except aiohttp.ClientConnectorError as exc:
                self._down_until[i] = time.monotonic() + self.down_seconds
                refused.append(self.urls[i])
                log.warning(
                    "Rasa %s refused the connection (%s), trying another", self.urls[i], exc
                )
            finally:
                self.in_flight[i] -= 1
        raise RasaUnavailable(f"no Rasa process accepted the connection ({', '.join(refused)})")


def _map_button(raw: object) -> Button | None:
    if not isinstance(raw, dict):
        return None
    title = raw.get("title")
    if title is None or not str(title).strip():
        return None
    payload = raw.get("payload")
    # A button without payload sends its title back, as a person would type it.
    return Button(title=str(title), payload=str(payload) if payload is not None else str(title))


def _map_buttons(raw: object) -> list[Button]:
    if not isinstance(raw, list):
        return []
    return [b for b in (_map_button(item) for item in raw) if b is not None]


def map_rasa_messages(utterances: list[Any]) -> list[ChatMessage]:
    """Rasa's `[{recipient_id, text, buttons, image, custom}, ...]` as chat messages.

    Text (with an image URL as an extra line) makes a message; an element that carries only
    buttons attaches them to the previous message; custom payloads and attachments have no web
    form yet and are skipped.
    """
    messages: list[ChatMessage] = []
    for item in utterances:
        if not isinstance(item, dict):
            continue
        lines: list[str] = []
        text = item.get("text")
        if isinstance(text, str) and text.strip():
            lines.append(text)
        image = item.get("image")
        if isinstance(image, str) and image.strip():
            lines.append(image.strip())
        buttons = _map_buttons(item.get("buttons"))
        if lines:
            messages.append(ChatMessage(text="\n".join(lines), buttons=buttons))
        elif buttons:
            if messages:
                messages[-1].buttons.extend(buttons)
            else:
                messages.append(ChatMessage(text="", buttons=buttons))
        else:
            log.debug("skipped a Rasa element without text, image or buttons: %s", sorted(item))
    return messages
