"""The patches of `bot.rasa_server.install()` inside the real Rasa (Rasa env: `make test-nlu`)."""

from __future__ import annotations

import pytest

pytest.importorskip("rasa")  # the patches apply to Rasa's classes; the app env skips this module

from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.processor import MessageProcessor

from bot.rasa_server import install

pytestmark = pytest.mark.rasa

VALID = {
    "events": [{"event": "slot", "name": "procedure_code", "value": "1.001193"}],
    "responses": [{"text": "Dạ, ..."}],
}
INVALID = {"events": [{"event": "slot", "name": 5}], "responses": "not a list"}


@pytest.fixture(scope="module")
def action() -> RemoteAction:
    original = RemoteAction._validate_action_result
    install()
    assert RemoteAction._validate_action_result is not original
    return RemoteAction("action_answer_procedure", None)


def test_a_valid_answer_passes(action: RemoteAction) -> None:
    assert action._validate_action_result(VALID) is True
    assert action._validate_action_result({"events": [], "responses": []}) is True


def test_an_invalid_answer_fails_as_rasa_reports_it(action: RemoteAction) -> None:
    with pytest.raises(ValidationError) as raised:
        action._validate_action_result(INVALID)
    assert "Failed to validate Action server response from API" in raised.value.message
    # Raised twice, the suffix is added once per error (a fresh error each call).
    with pytest.raises(ValidationError) as again:
        action._validate_action_result(INVALID)
    assert again.value.message.count("Failed to validate") == 1


def test_install_is_idempotent(action: RemoteAction) -> None:
    validate = RemoteAction._validate_action_result
    parse = MessageProcessor._parse_message_with_graph
    install()
    assert RemoteAction._validate_action_result is validate
    assert MessageProcessor._parse_message_with_graph is parse
