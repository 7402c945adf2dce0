"""Answer questions about the commune office: hours, receiving points, hotline, portal."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.procedures import procedure_instead
from bot.knowledge import KnowledgeError, get_knowledge, office_answer
from bot.text import says_any

log = logging.getLogger(__name__)

# Which part of the profile the citizen asked about, from the intent name or, failing that,
# from folded keywords in the message. Checked in order; the first match wins.
TOPIC_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("hotline", ("hotline", "so dien thoai", "dien thoai", "sdt", "lien he", "email", "goi")),
    ("portal", ("cong dich vu", "truc tuyen", "online", "website", "trang web", "nop mang")),
    ("hours", ("gio", "may gio", "lam viec", "mo cua", "thu bay", "chu nhat", "nghi trua")),
    ("address", ("dia chi", "o dau", "cho nao", "tru so", "ban do", "duong")),
)
# Words only an office question has; without one, a message the NLU called an office question
# may ask where to file a procedure ("mua bhyt hộ gia đình ở đâu, xã có bán không").
OFFICE_WORDS = (
    "gio lam viec", "may gio", "mo cua", "lam viec", "thu bay", "chu nhat", "nghi trua",
    "hotline", "so dien thoai", "dien thoai", "sdt", "email", "dia chi", "tru so", "ban do",
    "website", "trang web",
)  # fmt: skip
INTENT_TOPICS = {"hours": "hours", "address": "address", "location": "address",
                 "hotline": "hotline", "contact": "hotline", "phone": "hotline",
                 "portal": "portal"}  # fmt: skip


def office_topic(intent: str, text: str) -> str:
    """The office topic asked about ("hours", "address", "hotline", "portal" or "all")."""
    for suffix, topic in INTENT_TOPICS.items():
        if intent.endswith(suffix):
            return topic
    for topic, keywords in TOPIC_KEYWORDS:
        if says_any(text, keywords):
            return topic
    return "all"


class ActionOfficeInfo(Action):
    """The office's hours, address, hotline or portal; a procedure's answer instead when the
    message does not speak of the office and search is sure which procedure it names."""

    def name(self) -> str:
        return "action_office_info"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answered = procedure_instead(
            dispatcher, tracker, unless=partial(says_any, phrases=OFFICE_WORDS)
        )
        if answered is not None:
            return answered
        try:
            profile = get_knowledge().profile
        except KnowledgeError:
            log.exception("knowledge could not be loaded")
            profile = None
        message: dict[str, Any] = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name") or ""
        topic = office_topic(intent, message.get("text") or "")
        dispatcher.utter_message(text=office_answer(profile, topic).text)
        return []
