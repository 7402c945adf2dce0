"""Webhook bodies become events; nothing the parser meets makes it raise."""

from __future__ import annotations

from typing import Any

import pytest

from bot.gateway.zalo.events import EventKind, parse_event
from bot.gateway.zalo.fake import follow_event, media_event, text_event


def test_text_event() -> None:
    event = parse_event(
        text_event("a", "8452", " xin chào ", msg_id="m1", timestamp="1718000000000")
    )
    assert event.kind is EventKind.TEXT
    assert (event.user_id, event.text, event.msg_id) == ("8452", "xin chào", "m1")
    assert event.timestamp_ms == 1718000000000
    assert event.sender == "zalo-oa:8452"
    assert event.dedupe_key() == "m:m1"


def test_big_ids_stay_exact() -> None:
    big = "7212463838474929384"  # does not fit in a float
    event = parse_event(text_event("a", big, "x"))
    assert event.user_id == big


@pytest.mark.parametrize("kind", ["image", "sticker", "file", "audio", "video", "gif", "location"])
def test_media_events(kind: str) -> None:
    event = parse_event(media_event("a", "u1", kind))
    assert event.kind is EventKind.MEDIA
    assert event.user_id == "u1"


def test_follow_has_follower_id_and_a_stable_dedupe_key() -> None:
    body = follow_event("a", "u7", timestamp="1718000000001")
    event = parse_event(body)
    assert (event.kind, event.user_id) == (EventKind.FOLLOW, "u7")
    assert event.dedupe_key() == parse_event(dict(body)).dedupe_key()
    assert event.dedupe_key() != parse_event(follow_event("a", "u8", "1718000000001")).dedupe_key()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"event_name": 5},
        {"event_name": "user_send_text", "sender": "x", "message": "y"},
        {"event_name": "user_send_text", "sender": {"id": "u"}, "message": {"text": "  "}},
        {"event_name": "user_seen_message", "sender": {"id": "u"}, "message": {"msg_ids": ["1"]}},
        {"event_name": "oa_send_text", "sender": {"id": "oa"}},
        {"event_name": "user_submit_info", "sender": {"id": "u"}, "info": {"phone": "0900"}},
        {"event_name": "follow", "timestamp": 1.5e12},
    ],
)
def test_odd_bodies_never_raise(body: dict[str, Any]) -> None:
    event = parse_event(body)
    assert event.kind in (EventKind.UNKNOWN, EventKind.RECEIPT, EventKind.FOLLOW)
    if body.get("event_name") == "user_seen_message":
        assert event.kind is EventKind.RECEIPT
