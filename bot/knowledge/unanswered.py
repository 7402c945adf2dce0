"""Questions the assistant could not match to a procedure, for staff (`kb unanswered`).

`actions/procedures.py` records each one in the shared state (kind "unanswered", masked text,
reason) through `bot.ratings.record_unanswered`. Staff read them grouped: messages that fold to
the same words (case, marks, punctuation, chat abbreviations aside) are one group, counted, most
frequent first, so the most wanted missing aliases or procedures stand out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.ratings import UNANSWERED
from bot.state.base import StateStore
from bot.text import folded_syllables

PAGE = 1000


@dataclass(frozen=True)
class Group:
    key: str  # folded words shared by the group
    example: str  # the most recent wording, as typed (masked)
    count: int
    reasons: tuple[str, ...]


def group_key(text: str) -> str:
    return " ".join(folded_syllables(text))


def group(records: list[tuple[str, str]]) -> list[Group]:
    """(text, reason) records -> groups, most frequent first (ties: alphabetical)."""
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    reasons: dict[str, set[str]] = {}
    for text, reason in records:
        key = group_key(text)
        if not key:
            continue
        counts[key] += 1
        examples[key] = text
        reasons.setdefault(key, set()).add(reason)
    return [
        Group(key, examples[key], n, tuple(sorted(reasons[key])))
        for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


async def load_groups(store: StateStore) -> list[Group]:
    records = [
        (str(r.data.get("text", "")), str(r.data.get("reason", "")))
        async for r in store.iter_records(UNANSWERED, page=PAGE)
    ]
    return group(records)


def render(groups: list[Group], top: int) -> str:
    if not groups:
        return "Chưa có câu hỏi nào chưa trả lời được."
    total = sum(g.count for g in groups)
    lines = [f"{total} câu hỏi chưa trả lời được, {len(groups)} nhóm (nhiều nhất trước):"]
    for g in groups[:top]:
        lines.append(f"{g.count:5d}  {g.example}  [{', '.join(g.reasons)}]")
    if len(groups) > top:
        lines.append(f"... và {len(groups) - top} nhóm khác (--top để xem thêm)")
    lines.append(
        "Gợi ý: thêm cách gọi (aliases) vào knowledge/overrides/<mã>.yml cho thủ tục phù hợp."
    )
    return "\n".join(lines)
