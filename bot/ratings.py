"""Satisfaction records: helpful / not helpful per procedure answer, 1-5 ratings of the service,
procedures asked and questions left unanswered. Durable records in the shared state; no sender
id is kept (statistics need none)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from bot.privacy import mask_personal_data
from bot.state.base import StateStore

log = logging.getLogger(__name__)

HELPFULNESS = "helpfulness"
RATING = "rating"
ASKED = "asked"
UNANSWERED = "unanswered"
MAX_TEXT = 300
HELPFUL_INTENT = "answer_helpful"
NOT_HELPFUL_INTENT = "answer_not_helpful"
_background: set[asyncio.Task[Any]] = set()


def helpful_buttons(code: str) -> list[dict[str, str]]:
    """The pair shown under a procedure answer; the payload carries the procedure's code."""
    return [
        {"title": "👍 Hữu ích", "payload": f'/{HELPFUL_INTENT}{{"procedure":"{code}"}}'},
        {"title": "👎 Chưa hữu ích", "payload": f'/{NOT_HELPFUL_INTENT}{{"procedure":"{code}"}}'},
    ]


def parse_score(value: Any) -> int | None:
    """A 1-5 rating from an entity value or text ("5", "4 sao", "★★★"), or None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        score = int(value)
        return score if 1 <= score <= 5 else None
    if not isinstance(value, str):
        return None
    stars = value.count("★") or value.count("⭐")
    if stars:
        return stars if 1 <= stars <= 5 else None
    digits = [c for c in value if c.isdigit()]
    if len(digits) == 1 and 1 <= int(digits[0]) <= 5:
        return int(digits[0])
    return None


async def record_helpfulness(store: StateStore, procedure: str | None, helpful: bool) -> None:
    await store.add_record(HELPFULNESS, {"procedure": procedure, "helpful": helpful})


async def record_rating(store: StateStore, score: int, procedure: str | None) -> None:
    if not 1 <= score <= 5:
        raise ValueError("a rating is 1 to 5")
    await store.add_record(RATING, {"score": score, "procedure": procedure})


async def record_asked(store: StateStore, procedure: str) -> None:
    await store.add_record(ASKED, {"procedure": procedure})


async def record_unanswered(store: StateStore, text: str, reason: str) -> None:
    """A question the assistant could not answer, masked (for staff to improve the knowledge)."""
    masked = mask_personal_data(" ".join((text or "").split()))[:MAX_TEXT]
    await store.add_record(UNANSWERED, {"text": masked, "reason": reason})


def in_background(make_store: Callable[[], StateStore], kind: str, data: dict[str, Any]) -> bool:
    """Add a record without waiting, from synchronous code running inside an event loop (a
    sync rasa-sdk action). False, and nothing recorded, when no loop runs (unit tests)."""

    async def add() -> None:
        try:
            if kind == UNANSWERED:
                await record_unanswered(make_store(), str(data.get("text", "")), data["reason"])
            else:
                await make_store().add_record(kind, data)
        except Exception:  # statistics must never break an answer
            log.exception("could not record %s", kind)

    try:
        task = asyncio.get_running_loop().create_task(add())
    except RuntimeError:
        return False
    _background.add(task)
    task.add_done_callback(_background.discard)
    return True
