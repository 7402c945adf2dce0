"""The optional 1-5 rating offered on the web page after inactivity (issue 6).

Goodbye already asks for a rating (Rasa's `utter_goodbye`). A citizen who just stops typing is
asked by the page instead, once, when the conversation had at least one procedure answer and no
rating was offered or given yet. The gateway decides whether a rating is due (it sees every turn);
the page only times the inactivity (`RATING_IDLE_MINUTES`) and asks `POST /api/rating/idle`.
The buttons send the same payloads as the goodbye prompt, so Rasa's `action_record_rating`
stores the score the same way.

Zalo OA conversations are not prompted: a message the citizen did not ask for is a promotional
customer-service message there (restricted, and paid outside the 48 h window).

Two small flags per conversation, expiring with the history; no content, no personal data.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.gateway.rasa_client import Button, ChatMessage
from bot.state.base import StateStore
from bot.state.keys import RATING_ANSWERED_PREFIX, RATING_OFFERED_PREFIX

log = logging.getLogger(__name__)

# Procedure answers carry the helpful / not helpful pair (actions/satisfaction.py).
PROCEDURE_ANSWER_PAYLOAD = "/answer_helpful"
RATING_PAYLOAD = "/rate_service"

PROMPT_TEXT = (
    "Dạ, anh/chị còn cần hỗ trợ gì thêm không ạ? Nếu tiện, anh/chị chấm điểm mức độ hài lòng "
    "với trợ lý giúp em (không bắt buộc):"
)
# The same titles and payloads as `utter_goodbye` in domain.yml (a unit test keeps them equal).
PROMPT_BUTTONS = (
    Button(title="5 ★ Rất hài lòng", payload='/rate_service{"rating":"5"}'),
    Button(title="4 ★", payload='/rate_service{"rating":"4"}'),
    Button(title="3 ★", payload='/rate_service{"rating":"3"}'),
    Button(title="2 ★", payload='/rate_service{"rating":"2"}'),
    Button(title="1 ★ Không hài lòng", payload='/rate_service{"rating":"1"}'),
)
DEFAULT_TTL = 86400.0


def prompt() -> ChatMessage:
    return ChatMessage(text=PROMPT_TEXT, buttons=list(PROMPT_BUTTONS))


def _offers_rating(messages: Sequence[ChatMessage]) -> bool:
    return any(b.payload.startswith(RATING_PAYLOAD) for m in messages for b in m.buttons)


def _answers_procedure(messages: Sequence[ChatMessage]) -> bool:
    return any(b.payload.startswith(PROCEDURE_ANSWER_PAYLOAD) for m in messages for b in m.buttons)


class IdleRating:
    """Whether a conversation is due an inactivity rating prompt, and offering it once."""

    def __init__(self, store: StateStore, ttl: float) -> None:
        self._store = store
        self._ttl = ttl if ttl > 0 else DEFAULT_TTL

    async def observe(
        self, sender_id: str, user_text: str | None, replies: Sequence[ChatMessage]
    ) -> None:
        """Note a turn: a procedure answer makes a rating due; a rating (asked or given) ends it."""
        rated = user_text is not None and user_text.startswith(RATING_PAYLOAD)
        if rated or _offers_rating(replies):
            await self._store.set(f"{RATING_OFFERED_PREFIX}{sender_id}", "1", ttl=self._ttl)
        elif _answers_procedure(replies):
            await self._store.set(f"{RATING_ANSWERED_PREFIX}{sender_id}", "1", ttl=self._ttl)

    async def due(self, sender_id: str) -> bool:
        if await self._store.get(f"{RATING_OFFERED_PREFIX}{sender_id}"):
            return False
        return bool(await self._store.get(f"{RATING_ANSWERED_PREFIX}{sender_id}"))

    async def offer(self, sender_id: str) -> ChatMessage | None:
        """The prompt when due, marking it offered (atomically: two tabs get it once)."""
        if not await self.due(sender_id):
            return None
        if not await self._store.set_if_absent(
            f"{RATING_OFFERED_PREFIX}{sender_id}", "1", self._ttl
        ):
            return None
        return prompt()

    async def forget(self, sender_id: str) -> None:
        for prefix in (RATING_ANSWERED_PREFIX, RATING_OFFERED_PREFIX):
            await self._store.delete(f"{prefix}{sender_id}")
