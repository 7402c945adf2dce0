"""Answer questions about administrative procedures from the knowledge files."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.feedback import checked_content
from actions.metrics import count_question
from actions.state import shared_store
from bot.knowledge import (
    INTENT_ASPECTS,
    Knowledge,
    KnowledgeError,
    Procedure,
    Resolution,
    answer,
    asked_aspect,
    choice_buttons,
    get_knowledge,
    guess_aspect,
    resolve,
    search,
    variant_buttons,
)
from bot.ratings import ASKED, UNANSWERED, helpful_buttons, in_background

log = logging.getLogger(__name__)

SLOT = "current_procedure"
ENTITY = "procedure"
MAX_CHOICES = 3
OVERRULE_MATCH = 0.7  # share of an off-topic message one procedure text must match
# The NLU's out_of_scope is overruled from this share: on the development sets, procedure
# questions it sent there matched 0.56-0.92 ("rà soát hộ nghèo hằng năm làm vào tháng mấy"),
# off-topic messages search was sure of at most 0.47 ("vay vốn ngân hàng chính sách ...").
OUT_OF_SCOPE_MATCH = 0.55
# Below it, procedures matching this share of an off-topic message are offered as buttons
SUGGEST_MATCH = 0.4
# A message the NLU took for a report (phản ánh) is answered as a procedure question when one
# procedure text matches this share of it and it asks something ("... thì làm sao", "ở đâu"),
# or OVERRULE_MATCH of it; never when it says it is a report, complaint or suggestion.
REPORT_OVERRULE_MATCH = 0.45
REPORT_CUES = ("phan anh", "gop y", "kien nghi", "khieu nai", "to cao", "to giac", "buc xuc")

ASK_WHICH = "Dạ, anh/chị muốn hỏi thủ tục nào ạ?"
NOT_SURE = (
    "Dạ, em chưa chắc anh/chị hỏi thủ tục nào. Nếu là một trong các thủ tục dưới đây, anh/chị "
    "chọn giúp em; nếu không, anh/chị vui lòng nói rõ tên thủ tục hoặc liên hệ bộ phận một cửa "
    "của xã ạ."
)
NOT_FOUND = (
    "Dạ, em chưa tìm thấy thủ tục phù hợp với câu hỏi của anh/chị. Anh/chị vui lòng nói rõ tên "
    'thủ tục (ví dụ: "đăng ký khai sinh", "đăng ký thường trú") hoặc liên hệ bộ phận một cửa '
    "của xã để được hướng dẫn ạ."
)
OUT_OF_SCOPE = (
    "Dạ, nội dung này nằm ngoài phạm vi hỗ trợ của em. Em có thể giúp anh/chị tra cứu thủ tục "
    "hành chính (giấy tờ, lệ phí, thời gian, nơi nộp, các bước), giờ làm việc và địa chỉ của "
    "xã, hoặc nhận phản ánh, kiến nghị ạ."
)
VARIANTS_NOTE = "Nếu anh/chị thuộc một trường hợp riêng, vui lòng chọn:"
RELATED_NOTE = "Nếu anh/chị hỏi thủ tục khác, có thể là:"
SUGGEST_NOTE = "Nếu anh/chị muốn hỏi về một thủ tục hành chính, có thể là:"
UNAVAILABLE = (
    "Dạ, hệ thống tra cứu thủ tục đang tạm gián đoạn. Anh/chị vui lòng thử lại sau ít phút hoặc "
    "liên hệ bộ phận một cửa của xã ạ."
)


@dataclass(frozen=True)
class Choice:
    """Which procedure a turn is about: one code, candidates to ask about, or none."""

    kind: Literal["found", "ambiguous", "none"]
    codes: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()  # special-case variants of a found main procedure
    related: tuple[str, ...] = ()  # other procedures nearly as close as the found one


FOLLOW_UP_DEPTH = 10  # the current procedure among this many results: a vague follow-up


def _from_search(knowledge: Knowledge, text: str, current: str | None) -> Choice:
    return _choice_of(resolve(knowledge, text), knowledge, text, current)


def _choice_of(
    resolution: Resolution, knowledge: Knowledge, text: str, current: str | None
) -> Choice:
    if resolution.kind == "found":
        return Choice("found", (resolution.hits[0].code,), resolution.variants, resolution.related)
    if resolution.kind == "ambiguous":
        codes = tuple(hit.code for hit in resolution.hits)
        # "đăng ký thì mất bao lâu" while talking about khai sinh: stay with the conversation
        if current is not None and (
            current in codes
            or current in {h.code for h in search(knowledge, text, k=FOLLOW_UP_DEPTH)}
        ):
            return Choice("found", (current,))
        return Choice("ambiguous", codes)
    return Choice("none")


def pick_procedure(
    knowledge: Knowledge, mentions: list[str], text: str, current: str | None
) -> Choice:
    """An exact code (button payload) first; then the whole message when search is sure of it
    (it says more than the extracted mention: "khai sinh cho con lai chồng người Nhật" is the
    foreign-element variant, the mention "khai sinh" alone the main procedure); when search
    hesitates between a few, the mention only if it picks the best of them, else the
    conversation's current procedure if among them, else ask; when the message matches
    nothing, the mention; then the current procedure. An unsure search asks, not guesses."""
    if current not in knowledge.procedures:
        current = None
    cleaned = [m.strip() for m in mentions if isinstance(m, str) and m.strip()]
    for mention in cleaned:
        if mention in knowledge.procedures:  # a button payload: exactly what was chosen
            return Choice("found", (mention,))
    whole: Resolution | None = None
    if text and not text.startswith("/"):
        whole = resolve(knowledge, text)
        if whole.kind == "found":
            return Choice("found", (whole.hits[0].code,), whole.variants, whole.related)
        if whole.kind == "ambiguous":
            # The mention is part of the message and says less than all of it: "tên con trong
            # [giấy khai sinh] bị viết sai" names the paper, not the procedure (cải chính hộ
            # tịch). It settles the question only when it agrees with the message's best guess.
            best = whole.hits[0].code
            for mention in cleaned:
                choice = _from_search(knowledge, mention, current)
                if choice.kind == "found" and choice.codes[0] == best:
                    return choice
            return _choice_of(whole, knowledge, text, current)  # the search already run
    pending: Choice | None = None
    for mention in cleaned:
        choice = _from_search(knowledge, mention, current)
        if choice.kind == "found":
            return choice
        pending = pending or (choice if choice.kind == "ambiguous" else None)
    if pending is not None:
        return pending
    if current is not None:
        return Choice("found", (current,))
    return Choice("none", whole.near[:MAX_CHOICES] if whole is not None else ())


def offer_alternatives(
    dispatcher: CollectingDispatcher,
    knowledge: Knowledge,
    variants: Sequence[str],
    related: Sequence[str],
    aspect: str,
) -> None:
    """Under an answer: the family's special cases (the common case was answered), then other
    procedures search found nearly as close, each one tap away."""
    for codes, note in ((variants, VARIANTS_NOTE), (related, RELATED_NOTE)):
        procedures = [knowledge.procedures[c] for c in codes if c in knowledge.procedures]
        if procedures:
            dispatcher.utter_message(text=note, buttons=variant_buttons(procedures, aspect))


class ActionAnswerProcedure(Action):
    def name(self) -> str:
        return "action_answer_procedure"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            knowledge = get_knowledge()
        except KnowledgeError:
            log.exception("knowledge could not be loaded")
            dispatcher.utter_message(text=UNAVAILABLE)
            return []
        message: dict[str, Any] = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name") or ""
        text = message.get("text") or ""
        aspect = INTENT_ASPECTS.get(intent, "summary")
        if not text.startswith("/"):  # a button's payload names its aspect exactly
            aspect = asked_aspect(aspect, text)
        mentions = list(tracker.get_latest_entity_values(ENTITY))
        if _is_form_report(tracker) and not mentions and resolve(knowledge, text).kind != "found":
            # The NLU took the citizen's report for a procedure question ("... nhiều ngày"
            # sounds like "how long"): it is the answer the feedback form asked for.
            content = checked_content(text, dispatcher)
            return [] if content is None else [SlotSet("feedback_content", content)]
        choice = pick_procedure(knowledge, mentions, text, tracker.get_slot(SLOT))

        if choice.kind == "found":
            procedure = knowledge.procedures[choice.codes[0]]
            reply = answer(procedure, aspect, knowledge.profile)
            # Three section buttons + the helpful/not helpful pair stay within Zalo's 5.
            buttons = reply.buttons[:3] + helpful_buttons(procedure.code)
            dispatcher.utter_message(text=reply.text, buttons=buttons)
            offer_alternatives(dispatcher, knowledge, choice.variants, choice.related, aspect)
            in_background(shared_store, ASKED, {"procedure": procedure.code})
            count_question("answered")
            return [SlotSet(SLOT, procedure.code)]
        if choice.kind == "ambiguous":
            count_question("ambiguous")
            candidates = [knowledge.procedures[c] for c in choice.codes[:MAX_CHOICES]]
            dispatcher.utter_message(text=ASK_WHICH, buttons=choice_buttons(candidates, aspect))
            return []
        near = [knowledge.procedures[c] for c in choice.codes if c in knowledge.procedures]
        if near:
            dispatcher.utter_message(text=NOT_SURE, buttons=choice_buttons(near, aspect))
        else:
            dispatcher.utter_message(text=NOT_FOUND)
        in_background(shared_store, UNANSWERED, {"text": text, "reason": "no_procedure"})
        count_question("no_procedure")
        return []


def answer_from_search(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    min_match: float = 0.0,
    offer: bool = False,
    accept: Callable[[Procedure], bool] | None = None,
    suggest_after: str | None = None,
) -> list[EventType] | None:
    """For turns the NLU did not call a procedure question: when search is SURE which procedure
    the message is about, answer it (aspect from keyword cues) and return the events; with
    `offer`, when it has a few close candidates, ask which one with buttons (better than
    "please rephrase") and return []; else None and the caller falls back. One search per turn.
    New aliases then help at once, even for phrasings the NLU was never trained on. `accept`
    limits the procedures that may be answered. With `suggest_after`, a procedure search picks
    below `min_match` (matching at least SUGGEST_MATCH of the message) is offered as a button
    after that text, and [] is returned: "đi khám quên thẻ bhyt, xin thanh toán lại tiền được
    không" sounds off-topic to the NLU but is a procedure of the commune."""
    text = (tracker.latest_message or {}).get("text") or ""
    if not text or text.startswith("/"):
        return None
    try:
        knowledge = get_knowledge()
    except KnowledgeError:
        return None
    resolution = resolve(knowledge, text)
    aspect = guess_aspect(text)
    found = resolution.kind == "found" and (resolution.hits[0].match or 0.0) >= min_match
    if found and (accept is None or accept(knowledge.procedures[resolution.hits[0].code])):
        procedure = knowledge.procedures[resolution.hits[0].code]
        reply = answer(procedure, aspect, knowledge.profile)
        dispatcher.utter_message(
            text=reply.text, buttons=reply.buttons[:3] + helpful_buttons(procedure.code)
        )
        offer_alternatives(dispatcher, knowledge, resolution.variants, resolution.related, aspect)
        in_background(shared_store, ASKED, {"procedure": procedure.code})
        count_question("answered")
        return [SlotSet(SLOT, procedure.code)]
    # only when search picks one: a few half-fitting candidates ("mua bảo hiểm xe máy": health,
    # social, agricultural insurance) are no suggestion
    if (
        suggest_after is not None
        and resolution.kind == "found"
        and (resolution.hits[0].match or 0.0) >= SUGGEST_MATCH
    ):
        codes = [resolution.hits[0].code, *resolution.related][:MAX_CHOICES]
        suggested = [knowledge.procedures[c] for c in codes if c in knowledge.procedures]
        dispatcher.utter_message(text=suggest_after)
        dispatcher.utter_message(text=SUGGEST_NOTE, buttons=choice_buttons(suggested, aspect))
        return []
    codes = [h.code for h in resolution.hits if h.code in knowledge.procedures]
    if offer and resolution.kind == "ambiguous" and codes:
        candidates = [knowledge.procedures[code] for code in codes[:MAX_CHOICES]]
        dispatcher.utter_message(text=ASK_WHICH, buttons=choice_buttons(candidates, aspect))
        count_question("ambiguous")
        return []
    return None


def procedure_instead(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    unless: Callable[[str], bool] | None = None,
) -> list[EventType] | None:
    """The NLU gave the message a service intent (report, deletion, dossier status, office,
    person, complaint, emergency...), but it may be a procedure question phrased in a way the
    NLU never saw. When the message shows none of that intent's own signs (``unless``, often
    ``partial(says_any, phrases=<the intent's words>)``) and
    search is sure which procedure it names (``overrule_match``), answer it and return the
    events; else None, and the intent's own answer follows."""
    text = (tracker.latest_message or {}).get("text") or ""
    if not text or text.startswith("/") or (unless is not None and unless(text)):
        return None  # a button payload is exactly what was chosen
    return answer_from_search(dispatcher, tracker, min_match=overrule_match(text))


def overrule_match(text: str) -> float:
    """How much of a message one procedure text must match for search to overrule the NLU's
    non-procedure intent: less when the message asks something ("... thì làm sao")."""
    return REPORT_OVERRULE_MATCH if guess_aspect(text) != "summary" else OVERRULE_MATCH


def _is_form_report(tracker: Tracker) -> bool:
    """The feedback form is waiting for the report's free text."""
    loop = (tracker.active_loop or {}).get("name")
    return loop == "feedback_form" and tracker.get_slot("requested_slot") == "feedback_content"


class ActionOutOfScope(Action):
    """The NLU called the message out of scope; knowledge search may still be sure it names a
    procedure (a phrasing the NLU never saw, a new alias or synonym): then answer it."""

    def name(self) -> str:
        return "action_out_of_scope"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # The NLU was confident it is off-topic: overrule it only when most of the message
        # matches one procedure text ("bảo hiểm xe máy" is not "bảo hiểm y tế").
        answered = answer_from_search(
            dispatcher, tracker, min_match=OUT_OF_SCOPE_MATCH, suggest_after=OUT_OF_SCOPE
        )
        if answered is not None:
            return answered
        dispatcher.utter_message(text=OUT_OF_SCOPE)
        return []
