"""Age limits: "Cấp thẻ căn cước cho người dưới 14 tuổi" and "... từ đủ 14 tuổi trở lên" share
every other word; the age the citizen gives tells them apart."""

from __future__ import annotations

import pytest

from bot.knowledge import Knowledge, resolve
from bot.knowledge.ages import OLDEST, AgeRange, asked_ages, excludes, title_ages
from bot.knowledge.families import title_syllables
from bot.text import folded_syllables

ID_CARD_UNDER_14, ID_CARD_FROM_14 = "1.014062", "1.014061"


@pytest.mark.parametrize(
    ("title", "ages"),
    [
        ("Cấp thẻ căn cước cho người dưới 14 tuổi", (0, 14)),
        ("Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên", (14, OLDEST)),
        ("Trợ cấp cho người trên 80 tuổi", (81, OLDEST)),
        ("Đăng ký khai sinh", None),
    ],
)
def test_title_ages(title: str, ages: AgeRange | None) -> None:
    assert title_ages(title_syllables(title)) == ages


@pytest.mark.parametrize(
    ("message", "ages"),
    [
        ("bé 3 tuổi có làm căn cước được ko", (3, 4)),
        ("con e du 14 tuoi roi, di lam cccd", (14, 15)),  # "đủ 14": the child's age
        ("làm căn cước cho trẻ dưới 14 tuổi", (0, 14)),
        ("cấp thẻ căn cước từ 14 tuổi thế nào", (14, OLDEST)),
        ("làm căn cước cho con", None),
        ("năm 2023", None),
    ],
)
def test_asked_ages(message: str, ages: AgeRange | None) -> None:
    assert asked_ages(folded_syllables(message)) == ages


def test_excludes_only_ranges_that_do_not_overlap() -> None:
    assert excludes((0, 14), (14, 15))
    assert excludes((14, OLDEST), (6, 7))
    assert not excludes((0, 14), (0, 14))
    assert not excludes((14, OLDEST), (14, 15))
    assert not excludes(None, (3, 4))
    assert not excludes((0, 14), None)


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("bé 3 tuổi có làm căn cước được ko, có bắt buộc ko", ID_CARD_UNDER_14),
        ("bé nhà em 6 tuổi có làm căn cước được chưa", ID_CARD_UNDER_14),
        ("con e du 14 tuoi roi, di lam cccd can mang gi", ID_CARD_FROM_14),
    ],
)
def test_the_age_given_picks_the_procedure(shipped: Knowledge, message: str, code: str) -> None:
    resolution = resolve(shipped, message)
    assert resolution.kind == "found"
    assert resolution.hits[0].code == code


def test_a_range_in_the_message_keeps_the_procedure_for_it(shipped: Knowledge) -> None:
    assert resolve(shipped, "làm căn cước cho trẻ dưới 14 tuổi").hits[0].code == ID_CARD_UNDER_14
