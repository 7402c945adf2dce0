import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import actions.dossiers as dossier_actions
from actions.dossiers import (
    DOWN,
    GAVE_UP,
    NO_MATCH,
    ActionCheckDossierQuestion,
    ActionDossierStatus,
    ValidateDossierForm,
)
from bot.dossiers import CODE_HINT, ProviderUnavailable

DOMAIN: dict[str, Any] = {
    "slots": {
        "dossier_code": {"type": "text", "mappings": [{"type": "custom"}]},
        "dossier_verify": {"type": "text", "mappings": [{"type": "custom"}]},
        "dossier_attempts": {"type": "float", "mappings": [{"type": "custom"}]},
    },
    "forms": {"dossier_form": {"required_slots": ["dossier_code", "dossier_verify"]}},
}


def tracker(text: str, intent: str = "inform", **slots: Any) -> Tracker:
    return Tracker(
        sender_id="citizen-1",
        slots={"requested_slot": "dossier_code", **slots},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9}},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": "dossier_form"},
        latest_action_name="action_listen",
    )


def validate(t: Tracker) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateDossierForm().run(dispatcher, t, DOMAIN))
    return dispatcher.messages, {e["name"]: e["value"] for e in events}


def test_code_is_taken_and_normalised() -> None:
    messages, slots = validate(tracker("mã là 000.00.00.h26-250601-0001"))
    assert slots == {"dossier_code": "000.00.00.H26-250601-0001", "dossier_attempts": 0.0}
    assert messages == []


def test_malformed_code_gets_the_hint_then_gives_up_on_the_third_try() -> None:
    messages, slots = validate(tracker("12345"))
    assert messages[0]["text"] == CODE_HINT
    assert slots == {"dossier_code": None, "dossier_attempts": 1.0}
    messages, slots = validate(tracker("abc", dossier_attempts=2.0))
    assert messages == []
    assert slots["dossier_code"] == GAVE_UP
    assert slots["requested_slot"] is None  # the form stops asking


@pytest.mark.parametrize("intent", ["ask_procedure_fee", "cancel", "emergency", "request_human"])
def test_questions_midway_are_not_taken_as_a_code(intent: str) -> None:
    messages, slots = validate(tracker("đăng ký kết hôn lệ phí bao nhiêu", intent))
    assert slots == {} and messages == []  # Rasa rejects the form; the rules answer


def test_a_code_counts_whatever_the_intent() -> None:
    _, slots = validate(tracker("000.00.00.H26-250601-0002", "nlu_fallback"))
    assert slots["dossier_code"] == "000.00.00.H26-250601-0002"


def test_verification_digits() -> None:
    t = tracker("4 số cuối là 2345", requested_slot="dossier_verify", dossier_code="X-1")
    _, slots = validate(t)
    assert slots["dossier_verify"] == "2345"
    messages, slots = validate(tracker("không nhớ", requested_slot="dossier_verify"))
    assert "4 chữ số cuối" in messages[0]["text"] and slots["dossier_verify"] is None


def test_activation_message_with_a_code_prefills_it() -> None:
    t = tracker(
        "tra cứu hồ sơ 000.00.00.H26-250601-0002", "ask_dossier_status", requested_slot=None
    )
    _, slots = validate(t)
    assert slots == {"dossier_code": "000.00.00.H26-250601-0002", "dossier_attempts": 0.0}


def run_status(**slots: Any) -> tuple[str, list[Any]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionDossierStatus().run(dispatcher, tracker("", **slots), {}))
    return dispatcher.messages[0]["text"], events


def test_status_found_in_sample() -> None:
    text, events = run_status(dossier_code="000.00.00.H26-250601-0004", dossier_verify="4567")
    assert "có thể đến nhận" in text
    assert SlotSet("dossier_verify", None) in events  # the digits are not kept


def test_wrong_verification_reveals_nothing() -> None:
    wrong, _ = run_status(dossier_code="000.00.00.H26-250601-0004", dossier_verify="0000")
    unknown, _ = run_status(dossier_code="000.00.00.H26-250601-0099", dossier_verify="4567")
    assert wrong == unknown == NO_MATCH
    assert "Chứng thực" not in wrong


def test_provider_down_gives_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    class Down:
        async def lookup(self, code: str, verify: str) -> None:
            raise ProviderUnavailable("timeout")

        async def close(self) -> None:
            pass

    monkeypatch.setattr(dossier_actions, "get_provider", lambda: Down())
    text, _ = run_status(dossier_code="000.00.00.H26-250601-0004", dossier_verify="4567")
    assert text == DOWN


def test_gave_up_explains_what_to_do() -> None:
    text, _ = run_status(dossier_code=GAVE_UP)
    assert "Giấy tiếp nhận" in text


def check(text: str) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    t = tracker(text, "ask_dossier_status")
    events = ActionCheckDossierQuestion().run(dispatcher, t, DOMAIN)
    return dispatcher.messages, events


@pytest.mark.parametrize(
    "text",
    [
        "hồ sơ em nộp tuần trước đến đâu rồi",
        "tra cứu hồ sơ đăng ký khai sinh",  # names a procedure, but asks for the status
        "kiem tra ho so giup em",
        "000.00.00.H26-250601-0001",
        "hồ sơ",  # nothing sure: the form asks for the code
    ],
)
def test_status_queries_start_the_form(text: str) -> None:
    messages, events = check(text)
    assert events == [SlotSet("dossier_lookup", True)]
    assert messages == []


def test_a_procedure_question_taken_for_a_status_query_is_answered() -> None:
    messages, events = check("ông mất rồi, làm hồ sơ xóa đăng ký thường trú cho ông cần gì")
    assert events[-1] == SlotSet("dossier_lookup", False)
    assert SlotSet("current_procedure", "1.003197") in events
    assert "(mã 1.003197)" in messages[0]["text"]
