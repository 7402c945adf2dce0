"""Knowledge package: schema of the staff-edited files, loading with a reload cache, lexical
procedure search and chat-answer formatting. Runs in the modern env (pydantic 2)."""

from bot.knowledge.answer import (
    ASPECT_INTENTS,
    ASPECT_TITLES,
    ASPECTS,
    INTENT_ASPECTS,
    MAX_BUTTONS,
    MAX_CHARS,
    Answer,
    answer,
    asked_aspect,
    aspect_buttons,
    choice_buttons,
    format_hours,
    guess_aspect,
    office_answer,
    short_title,
    variant_buttons,
)
from bot.knowledge.loader import (
    KnowledgeCache,
    KnowledgeError,
    get_knowledge,
    knowledge_dir,
    load_knowledge,
)
from bot.knowledge.schema import CommuneProfile, Knowledge, Procedure
from bot.knowledge.search import Hit, Resolution, resolve, search

__all__ = [
    "ASPECTS",
    "ASPECT_INTENTS",
    "ASPECT_TITLES",
    "INTENT_ASPECTS",
    "MAX_BUTTONS",
    "MAX_CHARS",
    "Answer",
    "CommuneProfile",
    "Hit",
    "Knowledge",
    "KnowledgeCache",
    "KnowledgeError",
    "Procedure",
    "Resolution",
    "answer",
    "asked_aspect",
    "aspect_buttons",
    "choice_buttons",
    "format_hours",
    "get_knowledge",
    "guess_aspect",
    "knowledge_dir",
    "load_knowledge",
    "office_answer",
    "resolve",
    "search",
    "short_title",
    "variant_buttons",
]
