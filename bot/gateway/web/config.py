"""Settings of the web chat (page, history, rate limits, CORS), read from the environment.

| variable | default | meaning |
|---|---|---|
| `CORS_ORIGINS` | empty | comma-separated origins allowed to call `/api/*` from a browser, e.g. the Zalo Mini App's origin `https://h5.zdn.vn`; empty = same origin only |
| `FRAME_ANCESTORS` | `'self' https://*.zalo.me https://*.zdn.vn` | CSP `frame-ancestors`: who may embed the page in a frame (the Zalo Mini App webview) |
| `RATE_LIMIT_SESSION_PER_MINUTE` | 20 | messages one conversation may send per minute (0 = off) |
| `RATE_LIMIT_ADDRESS_PER_MINUTE` | 120 | API calls one client address may make per minute (0 = off); generous because mobile carriers put many citizens behind one address |
| `CHAT_HISTORY_DAYS` | 7 | how long a web conversation's history is kept after its last message (0 = not stored) |
| `GATEWAY_PROXY_HOPS` | 0 | reverse proxies in front of the gateway; >0 takes the client address from `X-Forwarded-For` |
| `RATING_IDLE_MINUTES` | 5 | minutes without messages after which the page offers the 1-5 rating (once, only after a procedure answer; 0 = never) |
| `CHAT_POLL_SECONDS` | 5 | how often an open page asks for staff messages and the handoff state |
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?")
# A CSP source expression: a keyword, a scheme, or a host source with an optional `*.` wildcard.
_FRAME_SOURCE = re.compile(r"'self'|'none'|https?:|https?://(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?")

DEFAULT_FRAME_ANCESTORS = ("'self'", "https://*.zalo.me", "https://*.zdn.vn")


class WebSettingsError(ValueError):
    """A web chat variable is unusable; the message names variables only, never values."""


def _split(value: object) -> object:
    if isinstance(value, str):
        return tuple(part for part in re.split(r"[\s,]+", value.strip()) if part)
    return value


class WebSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    cors_origins: tuple[str, ...] = ()
    frame_ancestors: tuple[str, ...] = DEFAULT_FRAME_ANCESTORS
    rate_limit_session_per_minute: int = Field(20, ge=0)
    rate_limit_address_per_minute: int = Field(120, ge=0)
    history_days: float = Field(7.0, ge=0)
    history_max_messages: int = Field(200, ge=1)
    proxy_hops: int = Field(0, ge=0, le=5)
    rating_idle_minutes: float = Field(5.0, ge=0)
    poll_seconds: float = Field(5.0, ge=0.5, le=300)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        value = _split(value)
        if isinstance(value, (tuple, list)):
            value = tuple(str(v).rstrip("/") for v in value)
            for origin in value:
                if not _ORIGIN.fullmatch(origin):
                    raise ValueError("an origin is scheme://host[:port], without a path")
        return value

    @field_validator("frame_ancestors", mode="before")
    @classmethod
    def _ancestors(cls, value: object) -> object:
        value = _split(value)
        if isinstance(value, (tuple, list)):
            value = tuple(str(v) for v in value)
            if not value or not all(_FRAME_SOURCE.fullmatch(v) for v in value):
                raise ValueError("not a list of CSP frame-ancestors sources")
        return value

    @property
    def history_ttl_seconds(self) -> float:
        return self.history_days * 86400.0


ENV_NAMES: dict[str, str] = {
    "cors_origins": "CORS_ORIGINS",
    "frame_ancestors": "FRAME_ANCESTORS",
    "rate_limit_session_per_minute": "RATE_LIMIT_SESSION_PER_MINUTE",
    "rate_limit_address_per_minute": "RATE_LIMIT_ADDRESS_PER_MINUTE",
    "history_days": "CHAT_HISTORY_DAYS",
    "proxy_hops": "GATEWAY_PROXY_HOPS",
    "rating_idle_minutes": "RATING_IDLE_MINUTES",
    "poll_seconds": "CHAT_POLL_SECONDS",
}


def web_settings_from_env(env: Mapping[str, str]) -> WebSettings:
    """Web chat settings from `env`; unset or blank variables keep their defaults."""
    values = {f: env[v].strip() for f, v in ENV_NAMES.items() if env.get(v, "").strip()}
    try:
        return WebSettings.model_validate(values)
    except ValidationError as exc:
        bad = sorted({ENV_NAMES.get(str(e["loc"][0]), str(e["loc"][0])) for e in exc.errors()})
        raise WebSettingsError(f"invalid gateway setting(s): {', '.join(bad)}") from None
