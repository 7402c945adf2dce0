"""Sending customer-service messages through the OA API (docs: zalo-platform-notes.md section 2).

- `build_outbox` maps Rasa's REST replies to Zalo `message` objects: text split at 2,000
  characters on paragraph/line boundaries, buttons as `oa.query.show` (at most 5 a message;
  the rest follow in a second message), URLs as `oa.open.url`, phone numbers as `oa.open.phone`.
- `ZaloClient.send` posts one message and classifies the answer; Zalo reports errors with HTTP
  200 and a non-zero `error`, so every answer's `error` is checked.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

import aiohttp

from bot.gateway.zalo.tokens import TokenManager

log = logging.getLogger(__name__)

SEND_PATH = "/v3.0/oa/message/cs"
MAX_TEXT_CHARS = 2000
MAX_BUTTONS = 5
MAX_BUTTON_TITLE = 100
MAX_QUERY_PAYLOAD = 1000
MORE_CHOICES_TEXT = "Dạ, anh/chị có thể chọn thêm:"
CHOOSE_TEXT = "Dạ, anh/chị vui lòng chọn một mục dưới đây ạ:"

TOKEN_ERRORS = frozenset({-216, -220})
RATE_LIMIT_ERRORS = frozenset({-32})
# The user cannot receive CS messages now: retrying would not help (and may annoy Zalo).
UNREACHABLE_ERRORS = frozenset({-213, -217, -230, -232})
# Our request is wrong: retrying the same body cannot succeed.
BAD_REQUEST_ERRORS = frozenset({-201, -210, -240})
NIGHT_ERRORS = frozenset({-234})

_PHONE = re.compile(r"^\+?[0-9][0-9 .\-]{6,18}[0-9]$")


# -- mapping ------------------------------------------------------------------------------------
def split_text(text: str, limit: int = MAX_TEXT_CHARS) -> list[str]:
    """`text` in order, in pieces of at most `limit` characters.

    Cuts at the last paragraph break that fits, else the last line break, else the last space,
    else hard; the break characters at a cut are dropped, nothing else is.
    """
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for sep in ("\n\n", "\n", " "):
            cut = window.rfind(sep, 0, limit + 1)
            if cut > 0:
                break
        if cut <= 0:
            pieces.append(rest[:limit])
            rest = rest[limit:]
        else:
            pieces.append(rest[:cut].rstrip())
            rest = rest[cut:].lstrip("\n ").rstrip()
    if rest:
        pieces.append(rest)
    return [p for p in pieces if p]


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def zalo_button(title: str, payload: str | None, url: str | None = None) -> dict[str, Any] | None:
    """One Zalo button for a Rasa button, or None when it cannot be expressed."""
    title = " ".join(title.split())
    if not title:
        return None
    title = _truncate(title, MAX_BUTTON_TITLE)
    target = (url or payload or "").strip()
    if target.startswith(("http://", "https://")):
        return {"title": title, "type": "oa.open.url", "payload": {"url": target}}
    phone = target[4:] if target.lower().startswith("tel:") else target
    if _PHONE.match(phone):
        digits = re.sub(r"[ .\-]", "", phone)
        return {"title": title, "type": "oa.open.phone", "payload": {"phone_code": digits}}
    query = payload if payload is not None and payload.strip() else title
    if len(query) > MAX_QUERY_PAYLOAD:
        log.warning("dropped a button whose payload is %d characters long", len(query))
        return None
    # Intent payloads (`/ask_procedure{...}`) would show as code in the chat: send them hidden.
    kind = "oa.query.hide" if query.startswith("/") else "oa.query.show"
    return {"title": title, "type": kind, "payload": query}


def _rasa_buttons(raw: Any) -> list[dict[str, Any]]:
    buttons: list[dict[str, Any]] = []
    if not isinstance(raw, list):
        return buttons
    for item in raw:
        if not isinstance(item, dict) or item.get("title") is None:
            continue
        payload = item.get("payload")
        url = item.get("url")
        button = zalo_button(
            str(item["title"]),
            str(payload) if payload is not None else None,
            str(url) if isinstance(url, str) else None,
        )
        if button is not None:
            buttons.append(button)
    return buttons


def _with_buttons(text: str, buttons: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "text": text,
        "attachment": {"type": "template", "payload": {"buttons": buttons}},
    }


def build_messages(text: str, buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Zalo `message` objects for one reply: split text, buttons on the last piece."""
    pieces = split_text(text) if text.strip() else []
    groups = [buttons[i : i + MAX_BUTTONS] for i in range(0, len(buttons), MAX_BUTTONS)]
    if not pieces and not groups:
        return []
    if not pieces:
        pieces = [CHOOSE_TEXT]
    out: list[dict[str, Any]] = [{"text": p} for p in pieces[:-1]]
    out.append(_with_buttons(pieces[-1], groups[0]) if groups else {"text": pieces[-1]})
    out.extend(_with_buttons(MORE_CHOICES_TEXT, g) for g in groups[1:])
    return out


def build_outbox(utterances: list[Any]) -> list[dict[str, Any]]:
    """Rasa's `[{text, buttons, image, ...}]` as Zalo messages, in order.

    An element with only buttons attaches them to the previous text (as the web chat does).
    """
    replies: list[tuple[str, list[dict[str, Any]]]] = []
    for item in utterances:
        if not isinstance(item, dict):
            continue
        lines = []
        if isinstance(item.get("text"), str) and item["text"].strip():
            lines.append(item["text"].strip())
        if isinstance(item.get("image"), str) and item["image"].strip():
            lines.append(item["image"].strip())
        buttons = _rasa_buttons(item.get("buttons"))
        if lines:
            replies.append(("\n".join(lines), buttons))
        elif buttons and replies:
            replies[-1][1].extend(buttons)
        elif buttons:
            replies.append(("", buttons))
    out: list[dict[str, Any]] = []
    for text, buttons in replies:
        out.extend(build_messages(text, buttons))
    return out


# -- sending ------------------------------------------------------------------------------------
class SendStatus(str, Enum):
    SENT = "sent"
    RETRY = "retry"  # transient: keep the work and try again later
    DROPPED = "dropped"  # permanent for this message: log and move on


@dataclass(frozen=True)
class SendResult:
    status: SendStatus
    error: int | None = None
    detail: str = ""
    message_id: str | None = None
    # Rate limits and night hours ask for a longer pause than the usual backoff.
    retry_after: float | None = None


class ZaloClient:
    """The OA customer-service send API with token refresh on -216/-220."""

    def __init__(
        self, http: aiohttp.ClientSession, api_base: str, tokens: TokenManager, timeout: float
    ) -> None:
        self.http = http
        self.url = f"{api_base}{SEND_PATH}"
        self.tokens = tokens
        self.timeout = timeout

    async def _post(self, token: str, body: dict[str, Any]) -> tuple[int | None, dict[str, Any]]:
        """(`error` code, body), or (None, {"detail": ...}) when Zalo could not be reached."""
        try:
            async with self.http.post(
                self.url,
                json=body,
                headers={"access_token": token},
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                if response.status != 200:
                    return None, {"detail": f"HTTP {response.status}"}
                data = await response.json(content_type=None)
        except asyncio.TimeoutError:
            return None, {"detail": "timeout"}
        except (aiohttp.ClientError, ValueError) as exc:
            return None, {"detail": type(exc).__name__}
        if not isinstance(data, dict):
            return None, {"detail": "unreadable answer"}
        error = data.get("error")
        try:
            code = int(error) if error is not None else None
        except (TypeError, ValueError):
            code = None
        if code is None:
            return None, {"detail": "answer without error field"}
        return code, data

    async def send(self, user_id: str, message: dict[str, Any]) -> SendResult:
        token = await self.tokens.access_token()
        if token is None:
            return SendResult(SendStatus.RETRY, detail="no access token")
        body = {"recipient": {"user_id": user_id}, "message": message}
        code, data = await self._post(token, body)
        if code in TOKEN_ERRORS:
            # Refresh once (under the store's lock) and resend once.
            fresh = await self.tokens.refresh(stale=token)
            if fresh is None:
                return SendResult(SendStatus.RETRY, code, "token refresh failed")
            code, data = await self._post(fresh, body)
        return _classify(code, data)


def _classify(code: int | None, data: dict[str, Any]) -> SendResult:
    detail = str(data.get("message") or data.get("detail") or "")[:200]
    if code is None:
        return SendResult(SendStatus.RETRY, None, detail)
    if code == 0:
        inner = data.get("data") if isinstance(data.get("data"), dict) else {}
        return SendResult(SendStatus.SENT, 0, detail, message_id=inner.get("message_id"))
    if code in RATE_LIMIT_ERRORS:
        return SendResult(SendStatus.RETRY, code, detail, retry_after=5.0)
    if code in NIGHT_ERRORS:
        return SendResult(SendStatus.RETRY, code, detail, retry_after=900.0)
    if code in UNREACHABLE_ERRORS or code in BAD_REQUEST_ERRORS:
        return SendResult(SendStatus.DROPPED, code, detail)
    # Token errors after the refresh, and codes we do not know: transient until proven otherwise
    # (the queue gives up after its bounded number of attempts).
    return SendResult(SendStatus.RETRY, code, detail)
