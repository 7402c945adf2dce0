"""Zalo OA channel settings, read from the environment (architecture: Fixed interfaces)."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

# The environment variable behind each field (error messages name variables, never values).
ENV_NAMES: dict[str, str] = {
    "app_id": "ZALO_APP_ID",
    "oa_secret_key": "ZALO_OA_SECRET_KEY",
    "app_secret": "ZALO_APP_SECRET",
    "access_token": "ZALO_ACCESS_TOKEN",
    "refresh_token": "ZALO_REFRESH_TOKEN",
    "api_base": "ZALO_API_BASE",
    "oauth_base": "ZALO_OAUTH_BASE",
    "admin_token": "ADMIN_TOKEN",
    "dev_skip_signature": "ZALO_DEV_SKIP_SIGNATURE",
    "replay_window": "ZALO_REPLAY_WINDOW_SECONDS",
    "dedupe_ttl": "ZALO_DEDUPE_TTL_SECONDS",
    "send_timeout": "ZALO_SEND_TIMEOUT",
    "retry_max_delay": "ZALO_RETRY_MAX_DELAY",
    "retry_max_age": "ZALO_RETRY_MAX_AGE",
    "lease_seconds": "ZALO_LEASE_SECONDS",
    "sweep_interval": "ZALO_SWEEP_INTERVAL",
    "handoff_ttl": "HANDOFF_TTL_SECONDS",
}


class ZaloSettingsError(ValueError):
    """A Zalo variable holds a value the gateway cannot use (names it, never its value)."""


class ZaloSettings(BaseModel):
    """Secrets are `SecretStr` so that printing the settings never shows them."""

    model_config = ConfigDict(frozen=True)

    app_id: str | None = None
    oa_secret_key: SecretStr | None = None
    app_secret: SecretStr | None = None
    access_token: SecretStr | None = None
    refresh_token: SecretStr | None = None
    api_base: str = "https://openapi.zalo.me"
    oauth_base: str = "https://oauth.zaloapp.com"
    admin_token: SecretStr | None = None
    # Local development only: accept unsigned webhooks (logged loudly at start and per request).
    dev_skip_signature: bool = False
    # A webhook whose `timestamp` is older than this (or this far in the future) is refused.
    replay_window: float = Field(3600.0, gt=0)
    # Seen `msg_id`s are remembered this long; Zalo retries a delivery for up to ~12 hours.
    dedupe_ttl: float = Field(48 * 3600.0, gt=0)
    send_timeout: float = Field(10.0, gt=0)
    # Retry delays double from 1 s up to this; work older than `retry_max_age` is given up.
    retry_max_delay: float = Field(60.0, gt=0)
    retry_max_age: float = Field(24 * 3600.0, gt=0)
    retry_max_attempts: int = Field(200, ge=1)
    # A worker owns a user's queue through a lease renewed while it runs; a crashed worker's
    # users are picked up by any gateway after the lease lapses.
    lease_seconds: float = Field(15.0, gt=0)
    sweep_interval: float = Field(2.0, gt=0)
    # How many users are served at once (each user's messages stay in order).
    max_parallel: int = Field(64, ge=1)
    # Default length of a handoff pause set through the admin API.
    handoff_ttl: float = Field(8 * 3600.0, gt=0)

    @field_validator("api_base", "oauth_base")
    @classmethod
    def _base_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator(
        "app_id",
        "oa_secret_key",
        "app_secret",
        "access_token",
        "refresh_token",
        "admin_token",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @property
    def webhook_enabled(self) -> bool:
        """The webhook processes events only with a key to check them (or the dev switch)."""
        return self.oa_secret_key is not None or self.dev_skip_signature


def zalo_settings_from_env(env: Mapping[str, str]) -> ZaloSettings:
    values: dict[str, object] = {}
    for field, var in ENV_NAMES.items():
        raw = env.get(var)
        if raw is not None and raw.strip():
            values[field] = raw.strip()
    if "dev_skip_signature" in values:
        values["dev_skip_signature"] = str(values["dev_skip_signature"]).lower() in {
            "1",
            "true",
            "yes",
            "on",
        }
    try:
        return ZaloSettings.model_validate(values)
    except ValidationError as exc:
        bad = sorted({ENV_NAMES.get(str(e["loc"][0]), str(e["loc"][0])) for e in exc.errors()})
        raise ZaloSettingsError(f"invalid Zalo setting(s): {', '.join(bad)}") from None
