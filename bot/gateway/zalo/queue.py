"""Durable per-user work queue in the shared state.

Every piece of work (a user's message to answer, a welcome, a staff reply) is a `Job` stored in
the shared state before the webhook answers 200, and removed only when it is finished, so that
nothing is lost when Rasa or Zalo is down, or when the gateway restarts or crashes.

Layout in the store:
- map `zalo:jobs:<user>`: job id -> job JSON (job ids sort in the order of the user's messages);
- map `zalo:users`: the users that have pending work (the index a restarted gateway resumes from);
- key `zalo:lease:<user>` (with expiry, renewed while working): which gateway process serves the
  user now. One worker per user keeps the user's messages in order; different users are served
  in parallel, up to `max_parallel` at once. A crashed process's lease lapses and any gateway's
  sweeper picks the user up again.

Failed work is retried with exponential backoff capped at `max_delay` seconds, and given up
(logged as an error) after `max_attempts` tries or `max_age` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from bot.state.base import StateStore

log = logging.getLogger(__name__)

USERS_MAP = "zalo:users"


def jobs_map(user: str) -> str:
    return f"zalo:jobs:{user}"


def lease_key(user: str) -> str:
    return f"zalo:lease:{user}"


def order_key(timestamp_ms: int | None = None) -> str:
    """Sorts by the event's time, then by arrival; unique thanks to the random tail."""
    ts = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    return f"{ts:015d}-{time.time_ns():020d}-{uuid.uuid4().hex[:6]}"


class Job(BaseModel):
    id: str = Field(default_factory=order_key)
    user: str
    kind: str  # "text", "follow", "media" or "staff"
    created: float = Field(default_factory=time.time)
    text: str | None = None
    # Zalo `message` objects still to send, and how many of them went out already.
    outbox: list[dict[str, Any]] | None = None
    sent: int = 0
    # Bot replies respect the handoff pause; staff replies do not.
    bot: bool = True
    attempts: int = 0
    not_before: float = 0.0
    # Free-form facts for logs and measurements (never message text).
    meta: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    done: bool
    retry_after: float | None = None
    reason: str = ""


DONE = Outcome(True)


def retry(reason: str, after: float | None = None) -> Outcome:
    return Outcome(False, after, reason)


Handler = Callable[[Job], Awaitable[Outcome]]


class WorkQueue:
    def __init__(
        self,
        store: StateStore,
        handler: Handler,
        *,
        lease_seconds: float = 15.0,
        sweep_interval: float = 2.0,
        max_parallel: int = 64,
        max_delay: float = 60.0,
        max_age: float = 24 * 3600.0,
        max_attempts: int = 200,
    ) -> None:
        self.store = store
        self.handler = handler
        self.lease_seconds = lease_seconds
        self.sweep_interval = sweep_interval
        self.max_delay = max_delay
        self.max_age = max_age
        self.max_attempts = max_attempts
        self.owner = uuid.uuid4().hex
        self._slots = asyncio.Semaphore(max_parallel)
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._kicked: set[str] = set()
        self._stopping = asyncio.Event()
        self._sweeper: asyncio.Task[None] | None = None
        self.given_up = 0

    # -- producers ----------------------------------------------------------------------------
    async def enqueue(self, job: Job) -> None:
        """Store `job` durably (the caller may acknowledge once this returns) and start it."""
        await self.save(job)
        await self.store.map_set(USERS_MAP, job.user, "1")
        self.kick(job.user)

    async def save(self, job: Job) -> None:
        await self.store.map_set(jobs_map(job.user), job.id, job.model_dump_json())

    def kick(self, user: str) -> None:
        """Make sure a worker looks at `user`'s queue soon."""
        if self._stopping.is_set():
            return
        if user in self._workers:
            self._kicked.add(user)
        else:
            self._spawn(user)

    async def pending(self, user: str | None = None) -> int:
        """How many jobs wait (for one user, or for everyone)."""
        users = [user] if user is not None else list(await self.store.map_items(USERS_MAP))
        return sum([len(await self.store.map_items(jobs_map(u))) for u in users])

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        self._sweeper = asyncio.create_task(self._sweep(), name="zalo-queue-sweeper")

    async def stop(self, grace: float = 5.0) -> None:
        """Let running work finish for up to `grace` seconds; the rest stays stored."""
        self._stopping.set()
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        workers = list(self._workers.values())
        if workers:
            _, late = await asyncio.wait(workers, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    # -- workers ------------------------------------------------------------------------------
    def _spawn(self, user: str) -> None:
        self._workers[user] = asyncio.create_task(self._worker(user), name=f"zalo-user-{user}")

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=max(seconds, 0.0))

    async def _sweep(self) -> None:
        while not self._stopping.is_set():
            try:
                for user in await self.store.map_items(USERS_MAP):
                    if user not in self._workers:
                        self._spawn(user)
            except Exception as exc:  # the store may be briefly unreachable
                log.warning("zalo queue sweep failed: %s", type(exc).__name__)
            await self._sleep(self.sweep_interval)

    async def _heartbeat(self, lease: str) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                if await self.store.get(lease) == self.owner:
                    await self.store.set(lease, self.owner, ttl=self.lease_seconds)
            except Exception as exc:
                log.warning("zalo lease renewal failed: %s", type(exc).__name__)

    async def _load(self, user: str) -> list[Job]:
        jobs: list[Job] = []
        for job_id, raw in (await self.store.map_items(jobs_map(user))).items():
            try:
                jobs.append(Job.model_validate_json(raw))
            except ValidationError:
                log.error("dropped an unreadable stored job %s", job_id)
                await self.store.map_delete(jobs_map(user), job_id)
        return sorted(jobs, key=lambda j: j.id)

    async def _worker(self, user: str) -> None:
        lease = lease_key(user)
        heartbeat: asyncio.Task[None] | None = None
        try:
            if not await self.store.set_if_absent(lease, self.owner, ttl=self.lease_seconds):
                return  # another gateway serves this user; the sweeper looks again later
            heartbeat = asyncio.create_task(self._heartbeat(lease))
            while not self._stopping.is_set():
                self._kicked.discard(user)
                try:
                    if not await self._step(user):
                        break
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("zalo worker error; retrying shortly")
                    await self._sleep(1.0)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("zalo worker could not take the lease: %s", type(exc).__name__)
        finally:
            if heartbeat is not None:
                heartbeat.cancel()
                with contextlib.suppress(Exception):
                    if await self.store.get(lease) == self.owner:
                        await self.store.delete(lease)
            self._workers.pop(user, None)
            if user in self._kicked and not self._stopping.is_set():
                self._kicked.discard(user)
                self._spawn(user)

    async def _step(self, user: str) -> bool:
        """Work on the user's oldest job; False when the queue is empty."""
        jobs = await self._load(user)
        if not jobs:
            await self.store.map_delete(USERS_MAP, user)
            if await self.store.map_items(jobs_map(user)):  # enqueued meanwhile
                await self.store.map_set(USERS_MAP, user, "1")
                return True
            return False
        job = jobs[0]
        wait = job.not_before - time.time()
        if wait > 0:
            await self._sleep(min(wait, self.sweep_interval * 5))
            return True
        async with self._slots:
            await self._run(job)
        return True

    async def _run(self, job: Job) -> None:
        try:
            outcome = await self.handler(job)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("zalo job %s failed unexpectedly", job.id)
            outcome = retry("unexpected error")
        if outcome.done:
            await self.store.map_delete(jobs_map(job.user), job.id)
            return
        job.attempts += 1
        age = time.time() - job.created
        if job.attempts >= self.max_attempts or age > self.max_age:
            self.given_up += 1
            log.error(
                "zalo job %s (%s) given up after %d attempts over %.0f s: %s",
                job.id,
                job.kind,
                job.attempts,
                age,
                outcome.reason,
            )
            await self.store.map_delete(jobs_map(job.user), job.id)
            return
        delay = min(self.max_delay, 2.0 ** (job.attempts - 1)) * random.uniform(0.8, 1.2)
        if outcome.retry_after is not None:
            delay = max(delay, outcome.retry_after)
        job.not_before = time.time() + delay
        log.warning(
            "zalo job %s (%s) will be retried in %.1f s (attempt %d): %s",
            job.id,
            job.kind,
            delay,
            job.attempts,
            outcome.reason,
        )
        await self.save(job)
