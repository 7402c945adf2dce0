"""Dossier status (tra cứu tình trạng hồ sơ): a form for the code and the verification digits,
then a lookup through the dossier provider.

Slot filling is custom (extract_* below) rather than `from_text`, so that a message holding a code
fills the slot whatever intent the NLU gave it, while questions asked midway (procedures, office,
emergencies, "gặp cán bộ", "hủy") leave the form to the rules and the form asks again afterwards.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.procedures import procedure_instead
from bot.dossiers import (
    CODE_HINT,
    DossierNotFound,
    ProviderUnavailable,
    VerificationFailed,
    describe,
    extract_code,
    extract_verification,
    get_provider,
)
from bot.text import says_any

log = logging.getLogger(__name__)

LOOKUP_SLOT = "dossier_lookup"
# Words of a status query ("hồ sơ nộp tuần trước đến đâu rồi", "tra cứu kết quả"), folded. A
# message the NLU called a status query without any of them and without a code may be a
# procedure question that mentions "hồ sơ" ("xin giấy xác nhận ... để bổ sung hồ sơ").
STATUS_WORDS = (
    "tra cuu", "ket qua", "den dau", "xong chua", "co chua", "duoc chua", "da nop", "nop roi",
    "trang thai", "tinh trang ho so", "ma ho so", "bien nhan", "giay hen", "xu ly", "lau qua",
    "chua xong", "chua co", "chua tra", "bao gio co", "bao gio xong", "khi nao co", "tien do",
    "kiem tra", "xem ho so", "ho so cua toi", "ho so cua em", "ho so cua minh",
)  # fmt: skip

FORM = "dossier_form"
CODE_SLOT = "dossier_code"
VERIFY_SLOT = "dossier_verify"
ATTEMPTS_SLOT = "dossier_attempts"
MAX_ATTEMPTS = 3
GAVE_UP = "__gave_up__"  # the citizen did not manage within MAX_ATTEMPTS tries: end the form

# Messages with these intents are questions or commands, not answers to the form's question.
DIGRESSION_INTENTS = frozenset(
    {
        "cancel", "bot_challenge", "ask_office_info", "emergency", "request_human",
        "ask_procedure", "ask_procedure_documents", "ask_procedure_fee", "ask_procedure_time",
        "ask_procedure_place", "ask_procedure_steps", "ask_procedure_conditions",
        "ask_procedure_legal",
    }
)  # fmt: skip

VERIFY_HINT = (
    "Dạ, em cần đúng 4 chữ số cuối của số điện thoại hoặc số CCCD của người nộp hồ sơ "
    '(ví dụ: 5678). Anh/chị vui lòng nhập lại (hoặc gõ "hủy" để dừng).'
)
GAVE_UP_CODE = (
    "Dạ, em vẫn chưa nhận được mã hồ sơ hợp lệ. Anh/chị vui lòng kiểm tra lại mã trên Giấy tiếp "
    'nhận hồ sơ và hẹn trả kết quả, rồi nhắn lại "tra cứu hồ sơ"; hoặc gọi đường dây nóng '
    "của xã để được hỗ trợ ạ."
)
GAVE_UP_VERIFY = (
    "Dạ, em chưa xác minh được người nộp hồ sơ nên chưa thể cung cấp thông tin. Anh/chị có thể "
    'nhắn lại "tra cứu hồ sơ" để thử lại hoặc mang Giấy tiếp nhận đến bộ phận một cửa ạ.'
)
# One answer for an unknown code and a wrong verification: a wrong guess must reveal nothing,
# not even whether the code exists.
NO_MATCH = (
    "Dạ, em không tìm thấy hồ sơ khớp với mã và thông tin xác minh anh/chị cung cấp. Anh/chị "
    "vui lòng kiểm tra lại mã trên Giấy tiếp nhận và 4 số cuối điện thoại/CCCD đã khai khi nộp, "
    'rồi nhắn "tra cứu hồ sơ" để thử lại ạ.'
)
DOWN = (
    "Dạ, hệ thống tra cứu hồ sơ của tỉnh đang tạm thời không phản hồi. Anh/chị vui lòng thử lại "
    "sau ít phút, hoặc gọi đường dây nóng / đến bộ phận một cửa của xã để được kiểm tra trực "
    "tiếp ạ. Em xin lỗi vì sự bất tiện này."
)


def _intent(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""


def _text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def _attempts(tracker: Tracker) -> int:
    value = tracker.get_slot(ATTEMPTS_SLOT)
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


class ValidateDossierForm(FormValidationAction):
    def name(self) -> str:
        return "validate_dossier_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if GAVE_UP in (tracker.get_slot(CODE_SLOT), tracker.get_slot(VERIFY_SLOT)):
            return []  # stop asking: action_dossier_status explains what to do
        return [CODE_SLOT, VERIFY_SLOT]

    async def extract_dossier_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = _text(tracker)
        code = extract_code(text)
        if tracker.get_slot("requested_slot") != CODE_SLOT:
            # Activation message: "tra cứu hồ sơ 000.00.00.H26-250601-0001" fills it at once.
            return {CODE_SLOT: code} if code and tracker.get_slot(CODE_SLOT) is None else {}
        if code:
            return {CODE_SLOT: code}
        if _intent(tracker) in DIGRESSION_INTENTS:
            return {}
        return {CODE_SLOT: text}  # not a code: validation gives the hint

    async def extract_dossier_verify(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != VERIFY_SLOT:
            return {}
        text = _text(tracker)
        digits = extract_verification(text)
        if digits:
            return {VERIFY_SLOT: digits}
        if _intent(tracker) in DIGRESSION_INTENTS:
            return {}
        return {VERIFY_SLOT: text}

    def validate_dossier_code(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        code = extract_code(slot_value) if isinstance(slot_value, str) else None
        if code:
            return {CODE_SLOT: code, ATTEMPTS_SLOT: 0.0}
        attempts = _attempts(tracker) + 1
        if attempts >= MAX_ATTEMPTS:
            return {CODE_SLOT: GAVE_UP, ATTEMPTS_SLOT: 0.0}
        dispatcher.utter_message(text=CODE_HINT)
        return {CODE_SLOT: None, ATTEMPTS_SLOT: float(attempts)}

    def validate_dossier_verify(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        digits = extract_verification(slot_value) if isinstance(slot_value, str) else None
        if digits:
            return {VERIFY_SLOT: digits, ATTEMPTS_SLOT: 0.0}
        attempts = _attempts(tracker) + 1
        if attempts >= MAX_ATTEMPTS:
            return {VERIFY_SLOT: GAVE_UP, ATTEMPTS_SLOT: 0.0}
        dispatcher.utter_message(text=VERIFY_HINT)
        return {VERIFY_SLOT: None, ATTEMPTS_SLOT: float(attempts)}


def _reset() -> list[EventType]:
    # The verification digits are not kept once used (collect the minimum).
    return [SlotSet(CODE_SLOT, None), SlotSet(VERIFY_SLOT, None), SlotSet(ATTEMPTS_SLOT, None)]


class ActionDossierStatus(Action):
    def name(self) -> str:
        return "action_dossier_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        code = tracker.get_slot(CODE_SLOT)
        verify = tracker.get_slot(VERIFY_SLOT)
        if code == GAVE_UP or not code:
            dispatcher.utter_message(text=GAVE_UP_CODE)
            return _reset()
        if verify == GAVE_UP or not verify:
            dispatcher.utter_message(text=GAVE_UP_VERIFY)
            return _reset()
        provider = get_provider()
        try:
            dossier = await provider.lookup(code, verify)
        except (DossierNotFound, VerificationFailed):
            dispatcher.utter_message(text=NO_MATCH)
            return _reset()
        except ProviderUnavailable:
            dispatcher.utter_message(text=DOWN)
            return _reset()
        except Exception:  # a provider bug must still leave the citizen with an answer
            log.exception("dossier lookup failed")
            dispatcher.utter_message(text=DOWN)
            return _reset()
        finally:
            await provider.close()
        dispatcher.utter_message(text=describe(dossier))
        return _reset()


def is_status_query(text: str) -> bool:
    """The message asks how a filed dossier is doing: a status word or a dossier code."""
    return says_any(text, STATUS_WORDS) or extract_code(text) is not None


class ActionCheckDossierQuestion(Action):
    """Before the dossier form: a message with no status word and no code that search is sure
    names a procedure gets that procedure's answer, and the form does not start
    (`dossier_lookup` false); otherwise the form starts."""

    def name(self) -> str:
        return "action_check_dossier_question"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answered = procedure_instead(dispatcher, tracker, unless=is_status_query)
        if answered is not None:
            return [*answered, SlotSet(LOOKUP_SLOT, False)]
        return [SlotSet(LOOKUP_SLOT, True)]
