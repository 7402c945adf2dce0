"""Chat sessions the server issues: unguessable random ids signed with HMAC-SHA256.

A token is `<kind>.<subject>.<signature>`:
- `w.<random>.<sig>`: an anonymous web session; Rasa's sender id is the random part;
- `z.<zalo user id>.<sig>`: a session bound to a Zalo user verified by the gateway; Rasa's sender
  id is `zalo:<id>`.
The signature covers the kind and the subject, so a client can neither invent a session nor turn
one kind into the other. Tokens carry no expiry (like a bearer cookie); rotating the secret ends
all sessions at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Literal

from bot.state.base import StateStore

SESSION_SECRET_KEY = "gateway:session_secret"
_SIGNATURE_DOMAIN = b"commune-assistant/chat-session/v1|"
_MAX_TOKEN_CHARS = 200
_WEB_RANDOM_BYTES = 24  # 192 bits; token_urlsafe gives 32 characters
_WEB_SUBJECT = re.compile(r"[A-Za-z0-9_-]{32}")
_ZALO_SUBJECT = re.compile(r"[A-Za-z0-9_-]{1,64}")
_MIN_SECRET_BYTES = 16

SessionKind = Literal["web", "zalo"]
_PREFIX: dict[SessionKind, str] = {"web": "w", "zalo": "z"}
_KIND_BY_PREFIX: dict[str, SessionKind] = {v: k for k, v in _PREFIX.items()}


@dataclass(frozen=True)
class ChatSession:
    """A verified session: the token to hand back and whose conversation it is."""

    token: str
    kind: SessionKind
    subject: str

    @property
    def sender_id(self) -> str:
        """The conversation id used with Rasa."""
        return f"zalo:{self.subject}" if self.kind == "zalo" else self.subject


class SessionSigner:
    """Issues and verifies session tokens with one secret shared by all gateway processes."""

    def __init__(self, secret: str | bytes) -> None:
        key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
        if len(key) < _MIN_SECRET_BYTES:
            raise ValueError(f"session secret must be at least {_MIN_SECRET_BYTES} bytes")
        self._key = key

    def __repr__(self) -> str:  # never show the key
        return "SessionSigner(<secret>)"

    def _sign(self, prefix: str, subject: str) -> str:
        message = _SIGNATURE_DOMAIN + f"{prefix}|{subject}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def _make(self, kind: SessionKind, subject: str) -> ChatSession:
        prefix = _PREFIX[kind]
        token = f"{prefix}.{subject}.{self._sign(prefix, subject)}"
        return ChatSession(token=token, kind=kind, subject=subject)

    def new_web_session(self) -> ChatSession:
        """A fresh anonymous session with a random id nobody else can know."""
        subject = secrets.token_urlsafe(_WEB_RANDOM_BYTES)
        while subject.startswith("-"):  # staff paste ids into a CLI, which reads "-x" as an option
            subject = secrets.token_urlsafe(_WEB_RANDOM_BYTES)
        return self._make("web", subject)

    def zalo_session(self, zalo_user_id: str) -> ChatSession:
        """The session of a Zalo user whose identity the gateway has verified."""
        if not _ZALO_SUBJECT.fullmatch(zalo_user_id):
            raise ValueError("unexpected Zalo user id format")
        return self._make("zalo", zalo_user_id)

    def verify(self, token: object) -> ChatSession | None:
        """The session a token stands for, or None when it is missing, malformed or forged."""
        if not isinstance(token, str) or not token or len(token) > _MAX_TOKEN_CHARS:
            return None
        parts = token.split(".")
        if len(parts) != 3:
            return None
        prefix, subject, signature = parts
        kind = _KIND_BY_PREFIX.get(prefix)
        if kind is None:
            return None
        pattern = _WEB_SUBJECT if kind == "web" else _ZALO_SUBJECT
        if not pattern.fullmatch(subject):
            return None
        expected = self._sign(prefix, subject)
        if not hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace")):
            return None
        return ChatSession(token=token, kind=kind, subject=subject)


async def resolve_session_secret(configured: str | None, store: StateStore) -> str:
    """The configured secret, or one generated once and shared through the state store.

    `set_if_absent` makes the first gateway process win; every other process reads its value.
    """
    if configured:
        return configured
    candidate = secrets.token_urlsafe(32)
    if await store.set_if_absent(SESSION_SECRET_KEY, candidate):
        return candidate
    stored = await store.get(SESSION_SECRET_KEY)
    if not stored:
        # Deleted between the two calls: extremely unlikely; refuse rather than diverge.
        raise RuntimeError("shared session secret vanished from the state store")
    return stored
