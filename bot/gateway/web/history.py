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
import uuid
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from bot.gateway.rasa_client import Button, ChatMessage
from bot.state.base import StateStore
from bot.state.keys import HISTORY_KEY_PREFIX, STAFF_MARKER_PREFIX
from bot.text.masking import mask_personal_numbers

log = logging.getLogger(__name__)


class HistoryEntry(BaseModel):
    """One line of the transcript as the page shows it."""

    role: Literal["user", "bot", "staff"]
    text: str
    buttons: list[Button] = Field(default_factory=list)
    at: float
    # Staff messages only: a unique id, so that a page polling for them shows each once.
    id: str | None = None


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

    @staticmethod
    def staff_marker_key(sender_id: str) -> str:
        """When the last staff message was added: a page's poll reads only this small key."""
        return f"{STAFF_MARKER_PREFIX}{sender_id}"

    def _lock(self, sender_id: str) -> asyncio.Lock:
        lock = self._locks.get(sender_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[sender_id] = lock
        return lock

    async def _write(self, sender_id: str, entries: list[HistoryEntry]) -> None:
        entries = entries[-self._max :]
        payload = json.dumps([e.model_dump(exclude_none=True) for e in entries], ensure_ascii=False)
        await self._store.set(self.key(sender_id), payload, ttl=self._ttl)

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
        self, sender_id: str, user_text: str | None, replies: Sequence[ChatMessage]
    ) -> None:
        """Add the citizen's message (None: none, e.g. a prompt the page asked for) and the
        assistant's replies, masked, and renew the expiry."""
        if not self.enabled:
            return
        async with self._lock(sender_id):
            entries = await self.read(sender_id)
            now = self._clock()
            if user_text is not None:
                shown = mask_personal_numbers(_display_text(user_text, entries), self._public)
                entries.append(HistoryEntry(role="user", text=shown, at=now))
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
            await self._write(sender_id, entries)

    async def append_user(self, sender_id: str, user_text: str) -> None:
        """A citizen's message that got no bot answer (the conversation is with staff)."""
        await self.append_turn(sender_id, user_text, [])

    async def append_staff(self, sender_id: str, text: str) -> HistoryEntry:
        """Add a staff member's message (masked like the rest) and note its time for polling.

        Only into a stored conversation: `LookupError` when there is none (unknown or expired),
        `RuntimeError` when history is switched off (`CHAT_HISTORY_DAYS=0`).
        """
        if not self.enabled:
            raise RuntimeError("chat history is disabled")
        async with self._lock(sender_id):
            entries = await self.read(sender_id)
            if not entries:
                raise LookupError("no stored web conversation for this sender")
            entry = HistoryEntry(
                role="staff",
                text=mask_personal_numbers(text, self._public),
                at=self._clock(),
                id=uuid.uuid4().hex,
            )
            entries.append(entry)
            await self._write(sender_id, entries)
            await self._store.set(self.staff_marker_key(sender_id), repr(entry.at), ttl=self._ttl)
        return entry

    async def staff_since(self, sender_id: str, since: float) -> list[HistoryEntry] | None:
        """Staff messages added after `since`; None (without reading the transcript) when the
        marker says there are none, which is what nearly every poll sees."""
        raw = await self._store.get(self.staff_marker_key(sender_id))
        try:
            last = float(raw) if raw else None
        except ValueError:
            last = None
        if last is None or last <= since:
            return None
        return [e for e in await self.read(sender_id) if e.role == "staff" and e.at > since]

    async def clear(self, sender_id: str) -> bool:
        """Delete the transcript (the citizen asked to); True when there was one."""
        await self._store.delete(self.staff_marker_key(sender_id))
        return await self._store.delete(self.key(sender_id))

    @staticmethod
    def as_json(entries: Sequence[HistoryEntry]) -> list[dict[str, Any]]:
        return [e.model_dump(exclude_none=True) for e in entries]
