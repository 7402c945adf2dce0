"""Emergencies and complaints: intents whose fixed answer is right unless the NLU misheard a
procedure question ("công nhận hộ có mức sống trung bình" is no emergency, "khiếu nại ... bao
lâu thì được trả lời" asks about the complaint procedure itself)."""

from __future__ import annotations

from functools import partial

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.procedures import answer_from_search, overrule_match, procedure_instead
from bot.emergency import is_emergency
from bot.knowledge import Procedure
from bot.text import fold, says_any
from bot.text.aspect_cues import cued_aspects

COMPLAINT_WORDS = ("khieu nai", "to cao")


# Aspects that ask about the papers or rights that follow an accident ("làm hồ sơ tai nạn lao
# động cần những gì", "bị thương có được hỗ trợ không"), not for help now. "ở đâu" and "làm
# sao" stay emergencies ("cháy nhà gọi ở đâu").
AFTERMATH_ASPECTS = frozenset({"documents", "fee", "time", "legal", "conditions"})


def asks_about_aftermath(text: str) -> bool:
    """The message asks about papers, costs, deadlines, law or rights."""
    return bool(AFTERMATH_ASPECTS & set(cued_aspects(text)))


class ActionEmergency(Action):
    """The emergency numbers; a procedure answer instead when the message has no emergency
    word at all (`bot.emergency`) and search is sure which procedure it names. A message
    with emergency words that asks about papers or rights gets the numbers first, then the
    procedure's answer when search is sure, or its close candidates."""

    def name(self) -> str:
        return "action_emergency"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = (tracker.latest_message or {}).get("text") or ""
        emergency = is_emergency(text)
        answered = None if emergency else procedure_instead(dispatcher, tracker)
        if answered is not None:
            return answered
        dispatcher.utter_message(response="utter_emergency")
        if emergency and asks_about_aftermath(text):
            # The numbers are given whatever follows, so search overrules nothing here: as in
            # the fallback, a sure procedure is answered and close ones are offered.
            return answer_from_search(dispatcher, tracker, offer=True) or []
        return []


def is_complaint_procedure(procedure: Procedure) -> bool:
    """A procedure for handling a complaint or a denunciation ("Giải quyết khiếu nại ...")."""
    title = fold(procedure.title)
    return any(word in title for word in COMPLAINT_WORDS)


# Words by which a message speaks of a complaint or a denunciation (folded).
COMPLAINT_CUES = (
    "khieu nai", "to cao", "to giac", "khoi kien", "muon kien", "di kien", "don thu",
    "bat binh", "sai pham", "tham nhung", "nhung nhieu", "hach dich", "lam sai",
)  # fmt: skip


class ActionComplaintProcedure(Action):
    """How complaints and denunciations work (`utter_complaint_info`), then, when the message
    asks about one of the complaint procedures and search is sure which, its answer. A message
    the NLU called a complaint with no complaint word at all ("xin xét hộ cận nghèo nộp đơn cho
    trưởng thôn hay lên xã") gets the procedure search is sure of instead."""

    def name(self) -> str:
        return "action_complaint_procedure"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = (tracker.latest_message or {}).get("text") or ""
        answered = procedure_instead(
            dispatcher, tracker, unless=partial(says_any, phrases=COMPLAINT_CUES)
        )
        if answered is not None:
            return answered
        dispatcher.utter_message(response="utter_complaint_info")
        answered = answer_from_search(
            dispatcher, tracker, min_match=overrule_match(text), accept=is_complaint_procedure
        )
        return answered or []
