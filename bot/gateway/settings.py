"""Gateway configuration, read from the environment (see docs: architecture, Fixed interfaces)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from bot.gateway.web.config import WebSettings, WebSettingsError, web_settings_from_env
from bot.gateway.zalo.config import ZaloSettings, ZaloSettingsError, zalo_settings_from_env


class SettingsError(ValueError):
    """The environment holds a value the gateway cannot use (names the variable, never a secret)."""


def _http_url(value: str) -> str:
    value = value.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value


class GatewaySettings(BaseModel):
    """Everything the gateway reads from the environment. Secrets are `SecretStr`: never printed."""

    model_config = ConfigDict(frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    rasa_url: str = "http://127.0.0.1:5005"
    # Every Rasa process turns are spread over (`RASA_URLS`, comma-separated); empty = rasa_url.
    rasa_urls: tuple[str, ...] = ()
    action_server_url: str = "http://127.0.0.1:5055"
    # None: generate one and share it through the state store (see sessions.resolve_session_secret).
    session_secret: SecretStr | None = None
    rasa_timeout: float = Field(30.0, gt=0)
    health_timeout: float = Field(2.0, gt=0)
    max_text_chars: int = Field(2000, ge=1)
    zalo_app_secret: SecretStr | None = None
    zalo_graph_base: str = "https://graph.zalo.me"
    zalo_timeout: float = Field(5.0, gt=0)
    # Verified Mini App tokens are reused this long without asking Zalo again.
    zalo_token_cache_seconds: float = Field(300.0, ge=0)
    # Overload bound of /api/chat turns per gateway process (bot/gateway/overload.py): turns in
    # flight, turns waiting for a slot and how long one waits; then 503 with Retry-After.
    web_max_inflight: int = Field(32, ge=1)
    web_max_queue: int = Field(64, ge=0)
    web_queue_timeout: float = Field(5.0, ge=0)
    retry_after_seconds: int = Field(5, ge=1)
    # Bearer token for GET /metrics (Prometheus); None = /metrics closed (403).
    metrics_token: SecretStr | None = None
    # The chat page, history, rate limits and CORS (bot/gateway/web/config.py lists the variables).
    web: WebSettings = Field(default_factory=WebSettings)
    # The Zalo OA channel (bot/gateway/zalo/config.py lists the variables).
    zalo: ZaloSettings = Field(default_factory=ZaloSettings)

    @field_validator("rasa_url", "action_server_url", "zalo_graph_base")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        return _http_url(value)

    @field_validator("rasa_urls")
    @classmethod
    def _check_rasa_urls(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_http_url(url) for url in value)

    @property
    def rasa_upstreams(self) -> tuple[str, ...]:
        """The Rasa servers the gateway spreads turns over (at least one)."""
        return self.rasa_urls or (self.rasa_url,)

    @field_validator("session_secret", "zalo_app_secret", "metrics_token", mode="before")
    @classmethod
    def _empty_secret_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> GatewaySettings:
        """Build settings from `environ` (default: `os.environ`); unset variables keep defaults."""
        env = os.environ if environ is None else environ
        rasa_port = env.get("RASA_PORT", "").strip() or "5005"
        action_port = env.get("ACTION_PORT", "").strip() or "5055"
        for var, port in (("RASA_PORT", rasa_port), ("ACTION_PORT", action_port)):
            if not port.isdigit():
                raise SettingsError(f"invalid gateway setting(s): {var}")
        names = {
            "host": "GATEWAY_HOST",
            "port": "GATEWAY_PORT",
            "rasa_url": "RASA_URL",
            "action_server_url": "ACTION_SERVER_URL",
            "session_secret": "SESSION_SECRET",
            "rasa_timeout": "RASA_TIMEOUT",
            "zalo_app_secret": "ZALO_APP_SECRET",
            "zalo_graph_base": "ZALO_GRAPH_BASE",
            "web_max_inflight": "WEB_MAX_INFLIGHT",
            "web_max_queue": "WEB_MAX_QUEUE",
            "web_queue_timeout": "WEB_QUEUE_TIMEOUT",
            "retry_after_seconds": "WEB_RETRY_AFTER",
            "metrics_token": "METRICS_TOKEN",
        }
        values: dict[str, object] = {
            "rasa_url": f"http://127.0.0.1:{rasa_port}",
            "action_server_url": f"http://127.0.0.1:{action_port}",
        }
        for field, var in names.items():
            raw = env.get(var)
            if raw is not None and raw.strip():
                values[field] = raw.strip()
        urls = [u.strip() for u in env.get("RASA_URLS", "").split(",") if u.strip()]
        if urls:
            names["rasa_urls"] = "RASA_URLS"
            values["rasa_urls"] = tuple(urls)
            values["rasa_url"] = urls[0]  # what single-upstream code (and logs) show
        try:
            values["web"] = web_settings_from_env(env)
        except WebSettingsError as exc:
            raise SettingsError(str(exc)) from None
        try:
            values["zalo"] = zalo_settings_from_env(env)
        except ZaloSettingsError as exc:
            raise SettingsError(str(exc)) from None
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            # Name the variables only: a validation message could echo a secret's value.
            bad = sorted(
                {names.get(str(err["loc"][0]), str(err["loc"][0])) for err in exc.errors()}
            )
            raise SettingsError(f"invalid gateway setting(s): {', '.join(bad)}") from None
