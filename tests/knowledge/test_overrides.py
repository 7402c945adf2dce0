from __future__ import annotations

from bot.knowledge.overrides import Override, field_hash, merge, stale_corrections
from bot.knowledge.schema import Procedure

BASE = Procedure.model_validate(
    {
        "code": "1.000001",
        "title": "Thủ tục cấp giấy A",
        "portal_url": "https://dichvucong.gov.vn/x",
        "channels": [{"channel": "Trực tiếp", "time": "1", "fee": "Miễn phí", "unclear": True}],
        "steps": ["Nộp hồ sơ"],
        "review": {"by": "import", "at": "2026-01-01"},
    }
)


def test_staff_side_wins_and_adds() -> None:
    override = Override.model_validate(
        {
            "code": "1.000001",
            "aliases": ["giấy A", "Giấy  A"],
            "faq": [{"question": "Mất bao lâu?", "answer": "Một ngày làm việc."}],
            "channels": [{"channel": "Trực tiếp", "time": "1 Ngày làm việc", "fee": "Miễn phí"}],
            "review": {"by": "Cán bộ tư pháp", "at": "2026-02-01"},
        }
    )
    merged = merge(BASE, override)
    assert merged.aliases == ["giấy A"]  # deduplicated
    assert merged.faq[0].question == "Mất bao lâu?"
    assert merged.channels[0].time == "1 Ngày làm việc" and not merged.channels[0].unclear
    assert merged.steps == BASE.steps and merged.title == BASE.title  # not overridden
    assert merged.review.by == "Cán bộ tư pháp"


def test_stale_correction_is_detected_by_hash() -> None:
    override = Override.model_validate(
        {"code": "1.000001", "steps": ["Bước đã sửa"], "source_hashes": {}}
    )
    [(field, recorded, now)] = stale_corrections(BASE, override)
    assert (field, recorded) == ("steps", None)
    pinned = Override.model_validate(
        {"code": "1.000001", "steps": ["Bước đã sửa"], "source_hashes": {"steps": now}}
    )
    assert stale_corrections(BASE, pinned) == []
    changed = BASE.model_copy(update={"steps": ["Nộp hồ sơ trực tuyến"]})
    assert field_hash(changed, "steps") != now
    assert [f for f, _, _ in stale_corrections(changed, pinned)] == ["steps"]


def test_additions_need_no_hash() -> None:
    override = Override.model_validate({"code": "1.000001", "aliases": ["giấy A"]})
    assert stale_corrections(BASE, override) == []
