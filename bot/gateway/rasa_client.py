"""Talking to Rasa's REST channel and turning its replies into the web chat API's messages."""

from __future__ import annotations

import asyncio
import logging
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
    except asyncio.TimeoutError as exc:
        raise RasaUnavailable(f"Rasa did not answer within {timeout:g} s") from exc
    except (aiohttp.ClientError, ValueError) as exc:
        raise RasaUnavailable(f"Rasa request failed: {type(exc).__name__}") from exc
    if not isinstance(body, list):
        raise RasaUnavailable("Rasa reply is not a list")
    return body


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
