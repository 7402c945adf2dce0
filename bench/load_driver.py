"""Drive `/api/chat` with the conversation mix: closed loop and open loop.

- Closed loop: N citizens, each sending its conversation's next message as soon as the previous
  answer arrives (and starting a new conversation when one ends). Measures capacity.
- Open loop: messages are due at fixed arrival times (Poisson or uniform) whatever the server
  does; each goes to an idle conversation (a new citizen when all are waiting for an answer).
  Latency counts from the *scheduled* send time, so a slow server cannot hide its queue by
  slowing the load down (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import aiohttp

from bench.load_mix import Conversation
from bench.load_report import PhaseResult

REQUEST_TIMEOUT = 30.0


def arrival_times(rate: float, duration: float, poisson: bool, seed: int = 11) -> list[float]:
    """Send times (seconds from the phase start) of an open-loop phase at `rate` messages/s.

    Poisson: exponential gaps with mean 1/rate (bursty, like independent citizens). Uniform:
    exactly 1/rate apart.
    """
    if rate <= 0 or duration <= 0:
        return []
    times: list[float] = []
    if not poisson:
        gap = 1.0 / rate
        return [i * gap for i in range(int(duration * rate))]
    rng = random.Random(seed)
    t = rng.expovariate(rate)
    while t < duration:
        times.append(t)
        t += rng.expovariate(rate)
    return times


@dataclass
class Citizen:
    """One web-chat user: the session the server issued and what is left to say."""

    turns: list[str]
    session: str | None = None
    busy: bool = False

    @property
    def done(self) -> bool:
        return not self.turns


@dataclass
class ChatTarget:
    url: str
    http: aiohttp.ClientSession
    timeout: float = REQUEST_TIMEOUT
    statuses: dict[int, int] = field(default_factory=dict)

    async def send(self, citizen: Citizen, result: PhaseResult, started: float) -> None:
        """Send the citizen's next message; record latency from `started` (monotonic)."""
        text = citizen.turns.pop(0)
        try:
            async with self.http.post(
                f"{self.url}/api/chat",
                json={"text": text, "session": citizen.session},
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as resp:
                if resp.status != 200:  # 503 overload, 500...: the body may not be JSON
                    await resp.read()
                    result.record_error(f"http {resp.status}")
                    return
                body = await resp.json(content_type=None)
                if not isinstance(body, dict) or not body.get("messages"):
                    result.record_error("empty reply")
                    return
                citizen.session = body["session"]
        except asyncio.TimeoutError:
            result.record_error("timeout")
            return
        except (aiohttp.ClientError, ValueError) as exc:
            result.record_error(type(exc).__name__)
            return
        result.latencies_ms.append((time.monotonic() - started) * 1000)


async def closed_loop(
    target: ChatTarget,
    conversations: Iterator[Conversation],
    users: int,
    duration: float,
    result: PhaseResult,
) -> None:
    """`users` citizens back to back for `duration` seconds (turns in flight finish)."""
    deadline = time.monotonic() + duration

    async def citizen_loop() -> None:
        citizen = Citizen(list(next(conversations).turns))
        while time.monotonic() < deadline:
            if citizen.done:
                citizen = Citizen(list(next(conversations).turns))
            await target.send(citizen, result, time.monotonic())

    started = time.monotonic()
    await asyncio.gather(*(citizen_loop() for _ in range(users)))
    result.seconds = time.monotonic() - started


async def open_loop(
    target: ChatTarget,
    conversations: Iterator[Conversation],
    schedule: list[float],
    result: PhaseResult,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """One message at each scheduled time, each to an idle citizen; waits for every answer."""
    idle: list[Citizen] = []
    tasks: set[asyncio.Task[None]] = set()

    async def turn(citizen: Citizen, due: float) -> None:
        try:
            await target.send(citizen, result, due)
        finally:
            citizen.busy = False
            if not citizen.done:
                idle.append(citizen)

    start = clock()
    for offset in schedule:
        due = start + offset
        delay = due - clock()
        if delay > 0:
            await asyncio.sleep(delay)
        citizen = idle.pop(0) if idle else Citizen(list(next(conversations).turns))
        citizen.busy = True
        task = asyncio.create_task(turn(citizen, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.gather(*tasks)
    result.seconds = clock() - start
