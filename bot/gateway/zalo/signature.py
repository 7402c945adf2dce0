"""`X-ZEvent-Signature` on OA webhooks: `mac=<hex sha256(app_id + raw body + timestamp + key)>`.

Plain SHA-256 of the concatenation (not HMAC), over the exact raw bytes received. `app_id` and
`timestamp` come from the JSON body. Some sources put the OA id where the app id goes, so both
are tried; every candidate is compared in constant time and all of them are always computed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import Any

SIGNATURE_HEADER = "X-ZEvent-Signature"


def compute_signature(app_id: str, raw_body: bytes, timestamp: str, secret_key: str) -> str:
    """The hex digest Zalo puts after `mac=`."""
    material = app_id.encode() + raw_body + timestamp.encode() + secret_key.encode()
    return hashlib.sha256(material).hexdigest()


def signature_header(app_id: str, raw_body: bytes, timestamp: str, secret_key: str) -> str:
    """The header value Zalo sends (used by the fake server, tests and the benchmark)."""
    return f"mac={compute_signature(app_id, raw_body, timestamp, secret_key)}"


def parse_signature_header(value: str | None) -> str | None:
    """The hex digest from `mac=<hex>` (a bare hex digest is accepted too); None if malformed."""
    if not value:
        return None
    value = value.strip()
    if value[:4].lower() == "mac=":
        value = value[4:].strip()
    value = value.lower()
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        return None
    return value


def _as_str(value: Any) -> str | None:
    # Ids and timestamps are strings on the wire; tolerate plain integers, never floats.
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def candidate_ids(body: Mapping[str, Any]) -> list[str]:
    """The ids that may prefix the signed material: `app_id`, then the OA id (variant)."""
    ids: list[str] = []
    recipient = body.get("recipient")
    for value in (
        body.get("app_id"),
        body.get("oa_id"),
        recipient.get("id") if isinstance(recipient, Mapping) else None,
    ):
        text = _as_str(value)
        if text and text not in ids:
            ids.append(text)
    return ids


def verify_signature(
    raw_body: bytes,
    header: str | None,
    body: Mapping[str, Any],
    secret_key: str,
    expected_app_id: str | None = None,
) -> bool:
    """True when `header` signs `raw_body` with `secret_key`.

    With `expected_app_id` configured, an event naming another app is refused even if signed.
    """
    given = parse_signature_header(header)
    timestamp = _as_str(body.get("timestamp"))
    if given is None or timestamp is None:
        return False
    app_id = _as_str(body.get("app_id"))
    if expected_app_id and app_id is not None and app_id != expected_app_id:
        return False
    return _any_matches(given, raw_body, timestamp, secret_key, candidate_ids(body))


def _any_matches(
    given: str, raw_body: bytes, timestamp: str, secret_key: str, ids: Iterable[str]
) -> bool:
    ok = False
    for candidate in ids:
        expected = compute_signature(candidate, raw_body, timestamp, secret_key)
        # `|` rather than `or`: every candidate is compared, whatever the first result.
        ok = hmac.compare_digest(expected, given) | ok
    return ok
