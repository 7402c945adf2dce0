"""Rasa's Redis lock store made safe for several Rasa processes (loaded by Rasa, Rasa env only).

Rasa 3.6's `RedisLockStore` keeps each conversation's ticket queue in one Redis key and changes it
with GET, modify, SET. Two processes taking a ticket for the same conversation at the same moment
can both read the same queue and both be "now serving": their turns then run at once and the
last tracker written wins, losing the other turn. Cleanup has the same race (a ticket taken between
"anyone waiting?" and DELETE is deleted, and its turn fails with LockError).

This subclass does every read-modify-write of a queue in a Redis transaction (WATCH/MULTI,
retried on conflict), keeps Rasa's ticket order, polls for its turn every 0.1 s instead of 1 s,
renews a waiting ticket at each poll (so a long queue of one conversation's turns never outlives
its tickets: the lifetime only bounds a turn's processing), and gives the key a TTL so that a
process killed while holding a ticket leaves nothing behind (its ticket still blocks that
conversation until it expires: `TICKET_LOCK_LIFETIME`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import WatchError

log = logging.getLogger(__name__)

T = TypeVar("T")

# How often a turn waiting for its conversation checks whether it is its turn.
POLL_SECONDS = 0.1


class AtomicRedisLockStore(RedisLockStore):
    """`endpoints.yml`: `lock_store: {type: bot.rasa_lock_store.AtomicRedisLockStore, ...}`."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url or "localhost", **endpoint_config.kwargs)

    def _key(self, conversation_id: str) -> str:
        return self.key_prefix + conversation_id

    def _transact(
        self, conversation_id: str, change: Callable[[TicketLock | None], tuple[TicketLock, T]]
    ) -> T:
        """Apply `change` to the stored lock atomically; an empty queue deletes the key."""
        key = self._key(conversation_id)
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    new_lock, result = change(lock)
                    new_lock.remove_expired_tickets()
                    pipe.multi()
                    if new_lock.tickets:
                        ttl = max(t.expires for t in new_lock.tickets) - time.time()
                        pipe.set(key, new_lock.dumps(), px=max(1, math.ceil(ttl * 1000)))
                    else:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except WatchError:
                    continue  # another process changed the queue meanwhile: read it again

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def take(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._transact(conversation_id, take)
        except Exception as exc:
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def update_lock(self, conversation_id: str) -> None:
        def prune(lock: TicketLock | None) -> tuple[TicketLock, None]:
            return lock or TicketLock(conversation_id), None

        self._transact(conversation_id, prune)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Give the ticket back; the key goes when nobody else holds one (one transaction)."""

        def release(lock: TicketLock | None) -> tuple[TicketLock, None]:
            lock = lock or TicketLock(conversation_id)
            lock.remove_ticket_for(ticket_number)
            return lock, None

        self._transact(conversation_id, release)

    def _renew(self, conversation_id: str, ticket: int, lifetime: float) -> TicketLock | None:
        """Extend a waiting ticket's life; the lock, or None when the ticket is gone (expired)."""

        def extend(lock: TicketLock | None) -> tuple[TicketLock, TicketLock | None]:
            lock = lock or TicketLock(conversation_id)
            lock.remove_expired_tickets()
            for t in lock.tickets:
                if t.number == ticket:
                    t.expires = time.time() + lifetime
                    return lock, lock
            return lock, None

        return self._transact(conversation_id, extend)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_SECONDS,
    ) -> AsyncGenerator[TicketLock, None]:
        """Rasa's ticket lock, except that a ticket waiting in line is kept alive by its live
        process: the lifetime bounds one turn's processing (or a dead process's ticket), not
        the time spent queuing behind the conversation's other turns."""
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        try:
            while True:
                lock = self._renew(conversation_id, ticket, lock_lifetime)
                if lock is None:
                    raise LockError(f"Lock ticket of conversation '{conversation_id}' expired.")
                if not lock.is_locked(ticket):
                    break
                await asyncio.sleep(min(wait_time_in_seconds, POLL_SECONDS))
            yield lock
        finally:
            self.cleanup(conversation_id, ticket)
