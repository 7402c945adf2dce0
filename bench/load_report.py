"""Figures of a load run: latency percentiles, throughput, CPU per message, Markdown tables."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) with linear interpolation between ranks; NaN when empty."""
    if not 0.0 <= q <= 1.0:
        raise ValueError("q must be within 0..1")
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = q * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class PhaseResult:
    """One measured phase (closed loop with N users, or open loop at a rate) of one config."""

    config: str  # "ours" or "stock"
    mode: str  # "closed" or "open"
    load: str  # "16 users" or "20 msg/s"
    seconds: float  # wall time from the first send to the last answer (or give-up)
    latencies_ms: list[float] = field(default_factory=list)  # successful turns only
    errors: int = 0  # non-200 answers, timeouts, connection failures
    error_kinds: dict[str, int] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # per server: user + system

    @property
    def ok(self) -> int:
        return len(self.latencies_ms)

    @property
    def sent(self) -> int:
        return self.ok + self.errors

    @property
    def throughput(self) -> float:
        """Successful turns per second of the phase."""
        return self.ok / self.seconds if self.seconds > 0 else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    def cpu_ms_per_message(self, server: str) -> float:
        """CPU ms of `server` per *answered* message: a refused (503) message costs the servers
        next to nothing, so dividing by all sent ones would flatter an overloaded phase."""
        seconds = self.cpu_seconds.get(server)
        return seconds * 1000 / self.ok if seconds is not None and self.ok else math.nan

    def record_error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


SERVERS = ("rasa", "actions", "gateway")


def _ms(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.0f}"


def _cpu(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.1f}"


def markdown_table(results: Sequence[PhaseResult]) -> str:
    """One row per phase: load, throughput, latency percentiles, errors, CPU ms per message."""
    head = (
        "| config | mode | load | msg/s | p50 ms | p95 ms | p99 ms | errors | "
        + " | ".join(f"CPU ms/answer {s}" for s in SERVERS)
        + " |"
    )
    rows = [head, "|" + "---|" * (7 + len(SERVERS) + 1)]
    for r in results:
        errors = str(r.errors)
        if r.error_kinds:
            errors += " (" + ", ".join(f"{k} {n}" for k, n in sorted(r.error_kinds.items())) + ")"
        cells = [
            r.config, r.mode, r.load, f"{r.throughput:.1f}",
            _ms(r.p(0.50)), _ms(r.p(0.95)), _ms(r.p(0.99)), errors,
            *(_cpu(r.cpu_ms_per_message(s)) for s in SERVERS),
        ]  # fmt: skip
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def ratios(results: Sequence[PhaseResult], ours: str = "ours", stock: str = "stock") -> list[str]:
    """Lines comparing the two configs phase by phase: throughput, p95 and Rasa CPU."""
    stock_by_load = {(r.mode, r.load): r for r in results if r.config == stock}
    lines = []
    for r in results:
        other = stock_by_load.get((r.mode, r.load))
        if r.config != ours or other is None:
            continue
        parts = []
        if other.throughput > 0:
            parts.append(f"throughput ×{r.throughput / other.throughput:.2f}")
        if r.ok and other.ok and r.p(0.95) > 0:
            parts.append(f"p95 ÷{other.p(0.95) / r.p(0.95):.2f}")
        ours_cpu, stock_cpu = r.cpu_ms_per_message("rasa"), other.cpu_ms_per_message("rasa")
        if not math.isnan(ours_cpu) and not math.isnan(stock_cpu) and ours_cpu > 0:
            parts.append(f"Rasa CPU per message ÷{stock_cpu / ours_cpu:.2f}")
        lines.append(f"- {r.mode} {r.load}: " + (", ".join(parts) or "no comparable figures"))
    return lines
