"""Session tokens, the shared session secret and the settings that configure them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.gateway.sessions import (
    SESSION_SECRET_KEY,
    SessionSigner,
    resolve_session_secret,
)
from bot.gateway.settings import GatewaySettings, SettingsError
from bot.state.sqlite_store import SqliteStore

SECRET = "0123456789abcdef-test-secret"


def test_new_session_verifies_and_sender_is_its_random_part() -> None:
    signer = SessionSigner(SECRET)
    session = signer.new_web_session()
    again = signer.verify(session.token)
    assert again == session
    assert session.kind == "web"
    assert session.sender_id == session.subject
    assert len(session.subject) == 32
    assert session.subject in session.token


def test_sessions_are_unique() -> None:
    signer = SessionSigner(SECRET)
    subjects = {signer.new_web_session().subject for _ in range(200)}
    assert len(subjects) == 200


def test_web_subjects_never_look_like_a_cli_option() -> None:
    # Staff paste sender ids into `python -m bot handoff reply`; 1 in 64 would start with "-".
    signer = SessionSigner(SECRET)
    assert not any(signer.new_web_session().subject.startswith("-") for _ in range(2000))


def _flip(ch: str) -> str:
    return "A" if ch != "A" else "B"


def test_tampered_tokens_are_rejected() -> None:
    signer = SessionSigner(SECRET)
    token = signer.new_web_session().token
    prefix, subject, sig = token.split(".")
    forged = [
        f"{prefix}.{subject}.{sig[:-1]}{_flip(sig[-1])}",  # signature changed
        f"{prefix}.{_flip(subject[0])}{subject[1:]}.{sig}",  # subject changed
        f"z.{subject}.{sig}",  # kind changed: would impersonate a Zalo user
        f"{prefix}.{subject}",
        f"{token}.extra",
        f"{prefix}.{subject}.",
        token + " ",
    ]
    for bad in forged:
        assert signer.verify(bad) is None, bad


@pytest.mark.parametrize(
    "value", [None, 123, "", "abc", "w.short.sig", ["w", "x"], "x" * 5000, "w.é.ü", {"a": 1}]
)
def test_garbage_is_rejected_without_error(value: object) -> None:
    assert SessionSigner(SECRET).verify(value) is None


def test_other_secret_does_not_verify() -> None:
    token = SessionSigner(SECRET).new_web_session().token
    assert SessionSigner(SECRET + "-other").verify(token) is None


def test_zalo_session_binds_to_user() -> None:
    signer = SessionSigner(SECRET)
    session = signer.zalo_session("8481234567890123456")
    assert session.sender_id == "zalo:8481234567890123456"
    assert signer.verify(session.token) == session
    # The same user always gets the same conversation.
    assert signer.zalo_session("8481234567890123456").token == session.token
    with pytest.raises(ValueError):
        signer.zalo_session("12.34")


def test_short_secret_refused_and_never_shown() -> None:
    with pytest.raises(ValueError):
        SessionSigner("short")
    assert SECRET not in repr(SessionSigner(SECRET))


async def test_configured_secret_wins(tmp_path: Path) -> None:
    async with SqliteStore(tmp_path / "s.sqlite3") as store:
        assert await resolve_session_secret(SECRET, store) == SECRET
        assert await store.get(SESSION_SECRET_KEY) is None


async def test_generated_secret_is_shared_between_processes(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    async with SqliteStore(path) as first, SqliteStore(path) as second:
        a = await resolve_session_secret(None, first)
        b = await resolve_session_secret(None, second)
        assert a == b
        assert len(a) >= 32
        # A later start keeps the stored secret, so old sessions stay valid.
        assert await resolve_session_secret(None, first) == a
        token = SessionSigner(a).new_web_session().token
        assert SessionSigner(b).verify(token) is not None


def test_settings_defaults_follow_ports() -> None:
    settings = GatewaySettings.from_env({"RASA_PORT": "6005", "ACTION_PORT": "6055"})
    assert settings.rasa_url == "http://127.0.0.1:6005"
    assert settings.action_server_url == "http://127.0.0.1:6055"
    assert settings.port == 8000
    assert settings.host == "127.0.0.1"
    assert settings.rasa_timeout == 30
    assert settings.session_secret is None
    assert settings.zalo_graph_base == "https://graph.zalo.me"


def test_settings_read_env_and_hide_secrets() -> None:
    settings = GatewaySettings.from_env(
        {
            "GATEWAY_PORT": "9000",
            "GATEWAY_HOST": "0.0.0.0",
            "RASA_URL": "http://rasa:5005/",
            "RASA_PORT": "1",
            "RASA_TIMEOUT": "2.5",
            "SESSION_SECRET": "s3cret-value-for-sessions",
            "ZALO_APP_SECRET": "zalo-app-secret-value",
        }
    )
    assert settings.port == 9000
    assert settings.host == "0.0.0.0"
    assert settings.rasa_url == "http://rasa:5005"
    assert settings.rasa_timeout == 2.5
    assert settings.session_secret is not None
    assert settings.session_secret.get_secret_value() == "s3cret-value-for-sessions"
    shown = repr(settings) + str(settings)
    assert "s3cret-value-for-sessions" not in shown
    assert "zalo-app-secret-value" not in shown


def test_empty_secret_means_unset() -> None:
    assert GatewaySettings.from_env({"SESSION_SECRET": "  "}).session_secret is None


@pytest.mark.parametrize(
    "env",
    [
        {"GATEWAY_PORT": "eighty"},
        {"GATEWAY_PORT": "70000"},
        {"RASA_TIMEOUT": "-1"},
        {"RASA_URL": "rasa:5005"},
        {"RASA_PORT": "x"},
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError) as info:
        GatewaySettings.from_env({**env, "SESSION_SECRET": "do-not-print-me-please"})
    assert next(iter(env)) in str(info.value)
    assert "do-not-print-me-please" not in str(info.value)
