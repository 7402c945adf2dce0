"""`python -m bot kb stats`: what the knowledge covers and what needs staff attention."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from bot.knowledge.importer import IMPORT_REVIEWER
from bot.knowledge.schema import Knowledge, Procedure

SECTIONS: tuple[str, ...] = (
    "documents", "channels", "steps", "conditions", "where_to_file", "result",
    "legal_basis", "aliases", "faq",
)  # fmt: skip
SECTION_NAMES = {
    "documents": "giấy tờ",
    "channels": "cách nộp, thời gian, lệ phí",
    "steps": "trình tự",
    "conditions": "điều kiện",
    "where_to_file": "nơi nộp",
    "result": "kết quả",
    "legal_basis": "căn cứ pháp lý",
    "aliases": "cách gọi của người dân (alias)",
    "faq": "hỏi đáp",
}


@dataclass
class Stats:
    total: int = 0
    per_field: Counter[str] = field(default_factory=Counter)
    missing: dict[str, list[str]] = field(default_factory=dict)
    unclear: list[str] = field(default_factory=list)
    never_reviewed: list[str] = field(default_factory=list)  # imported, no staff review yet
    stale_review: list[str] = field(default_factory=list)  # staff review older than N days
    days: int = 180

    def text(self) -> str:
        lines = [f"Tổng số thủ tục: {self.total}", "", "Theo lĩnh vực:"]
        lines += [f"  {n:4d}  {name}" for name, n in self.per_field.most_common()]
        lines += ["", "Thiếu mục (số thủ tục):"]
        for section in SECTIONS:
            codes = self.missing.get(section, [])
            lines.append(f"  {len(codes):4d}  {SECTION_NAMES[section]}")
        lines += [
            "",
            f"Có giá trị chưa rõ (unclear): {len(self.unclear)}",
            f"Chưa được cán bộ rà soát (chỉ có dữ liệu nhập tự động): {len(self.never_reviewed)}",
            f"Rà soát đã quá {self.days} ngày: {len(self.stale_review)}",
        ]
        if self.stale_review:
            lines += [f"  {code}" for code in self.stale_review]
        return "\n".join(lines) + "\n"


def _has(procedure: Procedure, section: str) -> bool:
    return bool(getattr(procedure, section))


def _unclear(procedure: Procedure) -> bool:
    return any(c.unclear for c in procedure.channels) or any(
        g.unclear or any(d.unclear for d in g.items) for g in procedure.documents
    )


def compute(knowledge: Knowledge, *, days: int = 180, today: dt.date | None = None) -> Stats:
    """Coverage summary; ``days``: how old a staff review may be before it is listed."""
    today = today or dt.date.today()
    stats = Stats(total=len(knowledge.procedures), days=days)
    for code in sorted(knowledge.procedures):
        procedure = knowledge.procedures[code]
        stats.per_field[procedure.field or "(không có lĩnh vực)"] += 1
        for section in SECTIONS:
            if not _has(procedure, section):
                stats.missing.setdefault(section, []).append(code)
        if _unclear(procedure):
            stats.unclear.append(code)
        if procedure.review.by == IMPORT_REVIEWER:
            stats.never_reviewed.append(code)
        elif (today - procedure.review.at).days > days:
            stats.stale_review.append(code)
    return stats
