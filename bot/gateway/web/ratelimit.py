"""Token-bucket rate limits per conversation and per client address (in this process).

Each key may spend `per_minute` requests at once and regains them at `per_minute / 60` per
second. The buckets live in memory: with several gateway processes each process counts for
itself, which multiplies the limit by the number of processes (acceptable: the limits protect
Rasa from floods, they are not quotas).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """`check(key)` spends one token; it answers 0 when allowed, else seconds until allowed."""

    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 50_000,
    ) -> None:
        self.per_minute = per_minute
        self._rate = per_minute / 60.0
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def _refill(self, bucket: _Bucket, now: float) -> None:
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(float(self.per_minute), bucket.tokens + elapsed * self._rate)
        bucket.updated = now

    def _prune(self, now: float) -> None:
        """Forget buckets that have refilled completely: they are the same as no bucket."""
        full_after = 60.0
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.updated < full_after}
        if len(self._buckets) >= self._max_keys:  # a flood of distinct keys: start over
            self._buckets.clear()

    def check(self, key: str) -> int:
        """0 when the request may go ahead (a token is spent), else whole seconds to wait."""
        if not self.enabled:
            return 0
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max_keys:
                self._prune(now)
            bucket = _Bucket(tokens=float(self.per_minute), updated=now)
            self._buckets[key] = bucket
        else:
            self._refill(bucket, now)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0
        return max(1, math.ceil((1.0 - bucket.tokens) / self._rate))

    def __len__(self) -> int:
        return len(self._buckets)
