from __future__ import annotations

from pathlib import Path

from bot.knowledge.unanswered import group, load_groups, render
from bot.ratings import record_unanswered
from bot.state.sqlite_store import SqliteStore


def test_groups_fold_marks_case_and_abbreviations() -> None:
    groups = group(
        [
            ("Xin giấy phép bán rượu", "no_procedure"),
            ("xin giay phep ban ruou", "no_procedure"),
            ("XIN GIẤY PHÉP BÁN RƯỢU?", "no_procedure"),
            ("học bạ", "no_procedure"),
            ("", "no_procedure"),
        ]
    )
    assert [(g.count, g.key) for g in groups] == [
        (3, "xin giay phep ban ruou"),
        (1, "hoc ba"),
    ]
    text = render(groups, top=1)
    assert "4 câu hỏi" in text and "2 nhóm" in text and "1 nhóm khác" in text


async def test_reads_the_shared_state(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "state.sqlite3")
    try:
        for text in ["thủ tục xin visa", "thu tuc xin visa", "số điện thoại 0912345678 nhé"]:
            await record_unanswered(store, text, "no_procedure")
        groups = await load_groups(store)
    finally:
        await store.close()
    assert groups[0].count == 2
    assert all("0912345678" not in g.example for g in groups)  # masked when recorded


def test_empty_is_said_plainly() -> None:
    assert "Chưa có" in render([], top=10)
