import asyncio
from pathlib import Path

import pytest

from bot.ratings import (
    ASKED,
    in_background,
    parse_score,
    record_asked,
    record_helpfulness,
    record_rating,
    record_unanswered,
)
from bot.state.sqlite_store import SqliteStore
from bot.stats import compute


@pytest.mark.parametrize(
    ("value", "score"),
    [("5", 5), ("4 sao", 4), (3, 3), ("★★", 2), ("0", None), ("6", None), ("", None), (None, None),
     ("12", None), (True, None)],
)  # fmt: skip
def test_parse_score(value: object, score: int | None) -> None:
    assert parse_score(value) == score


async def test_stats(tmp_path: Path) -> None:
    async with SqliteStore(tmp_path / "s.sqlite3") as store:
        for helpful in (True, True, False):
            await record_helpfulness(store, "1.001193", helpful)
        await record_helpfulness(store, "1.000894", False)
        for score in (5, 4, 4):
            await record_rating(store, score, "1.001193")
        with pytest.raises(ValueError):
            await record_rating(store, 9, None)
        for code in ("1.001193", "1.000894", "1.001193"):
            await record_asked(store, code)
        await record_unanswered(store, "visa đi Mỹ, sđt 0912345678", "no_procedure")
        stats = await compute(store)
    assert stats.helpful["1.001193"] == 2 and stats.not_helpful["1.001193"] == 1
    assert stats.not_helpful["1.000894"] == 1
    assert stats.rating_count == 3 and stats.rating_average == pytest.approx(13 / 3)
    assert stats.asked.most_common(1) == [("1.001193", 2)]
    assert stats.unanswered == 1 and "0912345678" not in stats.recent_unanswered[0]
    text = stats.text({"1.001193": "Đăng ký khai sinh"})
    assert "Đăng ký khai sinh (1.001193): 2 / 1 (67% helpful)" in text
    assert "average 4.33/5" in text and "Unanswered questions: 1" in text


async def test_background_record_from_sync_code(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    assert in_background(lambda: store, ASKED, {"procedure": "1.001193"})
    await asyncio.sleep(0.2)
    assert [r.data for r in await store.list_records(ASKED)] == [{"procedure": "1.001193"}]
    await store.close()


def test_background_record_without_a_loop_does_nothing(tmp_path: Path) -> None:
    assert not in_background(lambda: SqliteStore(tmp_path / "s.sqlite3"), ASKED, {})
