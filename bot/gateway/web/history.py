"""A web conversation's history in the shared state store, masked and with a retention period.

Why it exists: the page shows the conversation again after a reload (Rasa's tracker holds events,
not a citizen-readable transcript, and is not for clients to read).
Personal data: phone and ID numbers are masked before anything is stored (the bot never needs them
back from the transcript), and the key expires `ttl` seconds after the last message.
One JSON list per conversation; turns of one conversation are serialised by a lock per process.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from bot.gateway.rasa_client import Button, ChatMessage
from bot.state.base import StateStore
from bot.state.keys import HISTORY_KEY_PREFIX
from bot.text.masking import mask_personal_numbers

log = logging.getLogger(__name__)


class HistoryEntry(BaseModel):
    """One line of the transcript as the page shows it."""

    role: Literal["user", "bot"]
    text: str
    buttons: list[Button] = Field(default_factory=list)
    at: float


def _display_text(text: str, previous: Sequence[HistoryEntry]) -> str:
    """A button press is stored as the button's title (what the citizen saw), not its payload."""
    for entry in reversed(previous):
        if entry.role == "user":
            break
        for button in entry.buttons:
            if button.payload == text:
                return button.title
    return text


class ChatHistory:
    """Reads and appends a conversation's transcript; `ttl` <= 0 stores nothing."""

    def __init__(
        self,
        store: StateStore,
        ttl: float,
        max_entries: int = 200,
        public_numbers: frozenset[str] = frozenset(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._ttl = ttl
        self._max = max_entries
        self._clock = clock
        self._public = public_numbers
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    @property
    def enabled(self) -> bool:
        return self._ttl > 0

    @staticmethod
    def key(sender_id: str) -> str:
        return f"{HISTORY_KEY_PREFIX}{sender_id}"

    async def read(self, sender_id: str) -> list[HistoryEntry]:
        """The stored transcript, oldest first; empty when none, expired or unreadable."""
        raw = await self._store.get(self.key(sender_id))
        if not raw:
            return []
        try:
            items = json.loads(raw)
            return [HistoryEntry.model_validate(item) for item in items]
        except (ValueError, TypeError, ValidationError):
            log.warning("dropping an unreadable chat history")
            return []

    async def append_turn(
        self, sender_id: str, user_text: str, replies: Sequence[ChatMessage]
    ) -> None:
        """Add the citizen's message and the assistant's replies, masked, and renew the expiry."""
        if not self.enabled:
            return
        lock = self._locks.get(sender_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[sender_id] = lock
        async with lock:
            entries = await self.read(sender_id)
            now = self._clock()
            shown = _display_text(user_text, entries)
            entries.append(
                HistoryEntry(role="user", text=mask_personal_numbers(shown, self._public), at=now)
            )
            for reply in replies:
                entries.append(
                    HistoryEntry(
                        role="bot",
                        text=mask_personal_numbers(reply.text, self._public),
                        buttons=[
                            Button(
                                title=mask_personal_numbers(b.title, self._public),
                                payload=b.payload,
                            )
                            for b in reply.buttons
                        ],
                        at=now,
                    )
                )
            entries = entries[-self._max :]
            payload = json.dumps([e.model_dump() for e in entries], ensure_ascii=False)
            await self._store.set(self.key(sender_id), payload, ttl=self._ttl)

    async def clear(self, sender_id: str) -> bool:
        """Delete the transcript (the citizen asked to); True when there was one."""
        return await self._store.delete(self.key(sender_id))

    @staticmethod
    def as_json(entries: Sequence[HistoryEntry]) -> list[dict[str, Any]]:
        return [e.model_dump() for e in entries]
