"""`python -m bot stats`: helpfulness per procedure, ratings, most asked procedures, unanswered."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bot.ratings import ASKED, HELPFULNESS, RATING, UNANSWERED
from bot.state.base import Record, StateStore


async def _all(store: StateStore, kind: str) -> list[Record]:
    return [r async for r in store.iter_records(kind, page=1000)]


@dataclass
class ServiceStats:
    helpful: Counter[str] = field(default_factory=Counter)
    not_helpful: Counter[str] = field(default_factory=Counter)
    ratings: Counter[int] = field(default_factory=Counter)
    asked: Counter[str] = field(default_factory=Counter)
    unanswered: int = 0
    recent_unanswered: list[str] = field(default_factory=list)

    @property
    def rating_count(self) -> int:
        return sum(self.ratings.values())

    @property
    def rating_average(self) -> float | None:
        n = self.rating_count
        return sum(s * c for s, c in self.ratings.items()) / n if n else None

    def text(self, names: dict[str, str] | None = None, top: int = 10) -> str:
        names = names or {}

        def label(code: str) -> str:
            return f"{names[code]} ({code})" if code in names else code

        lines = ["Helpfulness per procedure (helpful / not helpful):"]
        codes = sorted(
            set(self.helpful) | set(self.not_helpful),
            key=lambda c: -(self.helpful[c] + self.not_helpful[c]),
        )
        for code in codes:
            yes, no = self.helpful[code], self.not_helpful[code]
            lines.append(f"  {label(code)}: {yes} / {no} ({100 * yes / (yes + no):.0f}% helpful)")
        if not codes:
            lines.append("  (none yet)")
        avg = self.rating_average
        lines.append(
            f"Ratings: {self.rating_count}"
            + (f", average {avg:.2f}/5 " if avg is not None else "")
            + (
                "(" + ", ".join(f"{s}★ {self.ratings[s]}" for s in range(5, 0, -1)) + ")"
                if self.rating_count
                else ""
            )
        )
        lines.append(f"Most asked procedures (top {top}):")
        for code, count in self.asked.most_common(top):
            lines.append(f"  {count:5d}  {label(code)}")
        if not self.asked:
            lines.append("  (none yet)")
        lines.append(f"Unanswered questions: {self.unanswered}")
        lines += [f"  - {t}" for t in self.recent_unanswered]
        return "\n".join(lines)


async def compute(store: StateStore, recent: int = 5) -> ServiceStats:
    stats = ServiceStats()
    for record in await _all(store, HELPFULNESS):
        code = str(record.data.get("procedure") or "(unknown)")
        (stats.helpful if record.data.get("helpful") else stats.not_helpful)[code] += 1
    for record in await _all(store, RATING):
        score = record.data.get("score")
        if isinstance(score, int) and 1 <= score <= 5:
            stats.ratings[score] += 1
    for record in await _all(store, ASKED):
        if record.data.get("procedure"):
            stats.asked[str(record.data["procedure"])] += 1
    unanswered = await _all(store, UNANSWERED)
    stats.unanswered = len(unanswered)
    stats.recent_unanswered = [str(r.data.get("text", "")) for r in unanswered[-recent:]]
    return stats
