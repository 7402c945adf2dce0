from __future__ import annotations

import datetime as dt

from bot.knowledge import Knowledge
from bot.knowledge.stats import compute


def test_stats_on_shipped(shipped: Knowledge) -> None:
    stats = compute(shipped, days=30, today=dt.date(2027, 6, 1))
    assert stats.total == len(shipped.procedures) >= 150
    assert stats.per_field["Hộ tịch"] >= 6
    assert "1.001193" not in stats.never_reviewed  # staff reviewed it (override)
    assert "1.001193" in stats.stale_review  # ... more than 30 days before 2027-06-01
    assert len(stats.never_reviewed) == stats.total - 6
    assert "1.001193" not in stats.missing.get("aliases", [])
    text = stats.text()
    assert "Theo lĩnh vực" in text and "Rà soát đã quá 30 ngày" in text


def test_recent_review_is_not_listed(shipped: Knowledge) -> None:
    stats = compute(shipped, days=10_000, today=dt.date(2027, 6, 1))
    assert stats.stale_review == []
