"""`X-ZEvent-Signature`: sha256(app_id + raw body + timestamp + OA secret key), constant time."""

from __future__ import annotations

import hashlib
import json

from bot.gateway.zalo.fake import signed, text_event
from bot.gateway.zalo.signature import (
    compute_signature,
    parse_signature_header,
    verify_signature,
)

SECRET = "oa-secret"


def test_digest_is_plain_sha256_of_the_concatenation() -> None:
    raw = b'{"a":1}'
    expected = hashlib.sha256(b"app1" + raw + b"1718000000000" + b"oa-secret").hexdigest()
    assert compute_signature("app1", raw, "1718000000000", SECRET) == expected


def test_valid_signature_over_raw_bytes() -> None:
    event = text_event("app1", "u1", "xin chào")
    raw, headers = signed(event, SECRET)
    header = headers["X-ZEvent-Signature"]
    assert header.startswith("mac=")
    assert verify_signature(raw, header, json.loads(raw), SECRET)
    assert verify_signature(raw, header, json.loads(raw), SECRET, expected_app_id="app1")


def test_reserialised_body_or_other_key_fails() -> None:
    event = text_event("app1", "u1", "xin chào")
    raw, headers = signed(event, SECRET)
    header = headers["X-ZEvent-Signature"]
    body = json.loads(raw)
    # Same content, different bytes (ASCII escapes, spacing): the check must fail.
    reserialised = json.dumps(body, separators=(",", ":")).encode()
    assert reserialised != raw
    assert not verify_signature(reserialised, header, body, SECRET)
    assert not verify_signature(raw, header, body, "another-secret")
    # Signed for another app than the configured one.
    assert not verify_signature(raw, header, body, SECRET, expected_app_id="app2")


def test_missing_or_malformed_header_fails() -> None:
    event = text_event("app1", "u1", "a")
    raw, headers = signed(event, SECRET)
    body = json.loads(raw)
    good = headers["X-ZEvent-Signature"]
    for header in (None, "", "mac=", "mac=xyz", good[:-1], good + "0", "sha256=" + good[4:]):
        assert not verify_signature(raw, header, body, SECRET), header


def test_header_forms_are_tolerated() -> None:
    hexdigest = "ab" * 32
    assert parse_signature_header(f"mac={hexdigest}") == hexdigest
    assert parse_signature_header(f"  MAC={hexdigest.upper()} ") == hexdigest
    assert parse_signature_header(hexdigest) == hexdigest


def test_oa_id_variant_is_accepted() -> None:
    event = {"app_id": "app1", "oa_id": "oa9", "event_name": "follow", "timestamp": "17"}
    raw = json.dumps(event).encode()
    header = "mac=" + compute_signature("oa9", raw, "17", SECRET)
    assert verify_signature(raw, header, event, SECRET)
    text = text_event("app1", "u1", "x", timestamp="18")
    raw = json.dumps(text).encode()
    header = "mac=" + compute_signature(text["recipient"]["id"], raw, "18", SECRET)
    assert verify_signature(raw, header, text, SECRET)


def test_timestamp_is_required() -> None:
    event = {"app_id": "app1", "event_name": "user_send_text"}
    raw = json.dumps(event).encode()
    header = "mac=" + compute_signature("app1", raw, "", SECRET)
    assert not verify_signature(raw, header, event, SECRET)
