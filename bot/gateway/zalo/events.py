"""Zalo OA webhook events as the gateway sees them (docs: zalo-platform-notes.md section 1).

`parse_event` never raises: anything it does not understand becomes an `unknown` event that is
acknowledged and logged.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import Enum
from typing import Any

# Rasa sender ids for OA users. The mini-app web chat uses `zalo:<id>` for ids from the Zalo
# Graph API (app-scoped), a different id space from the OA-scoped ids in webhooks: the prefixes
# must differ so that two people can never share a conversation.
OA_SENDER_PREFIX = "zalo-oa:"

MEDIA_EVENTS = frozenset(
    {
        "user_send_image",
        "user_send_file",
        "user_send_audio",
        "user_send_video",
        "user_send_sticker",
        "user_send_gif",
        "user_send_link",
        "user_send_location",
        "user_send_business_card",
    }
)
RECEIPT_EVENTS = frozenset({"user_received_message", "user_seen_message"})


class EventKind(str, Enum):
    TEXT = "text"  # typed text or a query-button press (its payload arrives as text)
    FOLLOW = "follow"
    UNFOLLOW = "unfollow"
    MEDIA = "media"  # image, sticker, file, voice, video, gif, link, location
    RECEIPT = "receipt"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ZaloEvent:
    kind: EventKind
    name: str
    user_id: str | None
    timestamp_ms: int | None
    msg_id: str | None = None
    text: str | None = None

    @property
    def sender(self) -> str | None:
        """The Rasa sender id for this OA user."""
        return oa_sender(self.user_id) if self.user_id else None

    def dedupe_key(self) -> str:
        """`msg_id` when the event has one, else a digest of what identifies the delivery."""
        if self.msg_id:
            return f"m:{self.msg_id}"
        material = f"{self.name}|{self.user_id}|{self.timestamp_ms}"
        return "e:" + hashlib.sha256(material.encode()).hexdigest()[:32]


def oa_sender(user_id: str) -> str:
    return f"{OA_SENDER_PREFIX}{user_id}"


def _id(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _nested_id(body: dict[str, Any], key: str) -> str | None:
    part = body.get(key)
    return _id(part.get("id")) if isinstance(part, dict) else None


def parse_timestamp(value: Any) -> int | None:
    """Milliseconds since the epoch from Zalo's string (or integer) timestamp."""
    text = _id(value)
    if text is None or not text.isdigit() or len(text) > 16:
        return None
    return int(text)


def parse_event(body: dict[str, Any]) -> ZaloEvent:
    name = body.get("event_name")
    name = name if isinstance(name, str) else ""
    timestamp = parse_timestamp(body.get("timestamp"))
    message = body.get("message") if isinstance(body.get("message"), dict) else {}
    msg_id = _id(message.get("msg_id"))
    if name in ("follow", "unfollow"):
        user = (
            _nested_id(body, "follower") or _nested_id(body, "user") or _nested_id(body, "sender")
        )
        kind = EventKind.FOLLOW if name == "follow" else EventKind.UNFOLLOW
        return ZaloEvent(kind, name, user, timestamp, msg_id)
    user = _nested_id(body, "sender")
    if name == "user_send_text":
        text = message.get("text")
        if isinstance(text, str) and text.strip():
            return ZaloEvent(EventKind.TEXT, name, user, timestamp, msg_id, text.strip())
        return ZaloEvent(EventKind.UNKNOWN, name, user, timestamp, msg_id)
    if name in MEDIA_EVENTS:
        return ZaloEvent(EventKind.MEDIA, name, user, timestamp, msg_id)
    if name in RECEIPT_EVENTS:
        return ZaloEvent(EventKind.RECEIPT, name, user, timestamp, msg_id)
    return ZaloEvent(EventKind.UNKNOWN, name, user, timestamp, msg_id)
