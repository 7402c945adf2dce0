"""Leftover Telex keystrokes are undone only when that yields a valid syllable."""

import pytest

from bot.text.telex import repair_syllable, repair_syllables


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("kys", "ky"),
        ("ddang", "dang"),
        ("giaays", "giay"),
        ("kieejn", "kien"),
        ("lamf", "lam"),
        ("luaatj", "luat"),
        ("ddieeuf", "dieu"),
        ("laau", "lau"),
    ],
)
def test_leftover_keystrokes_are_repaired(typed: str, expected: str) -> None:
    assert repair_syllable(typed) == expected


@pytest.mark.parametrize(
    "word", ["khong", "nguoi", "truong", "nghieng", "khuyen", "thanks", "tks", "online", "ky", ""]
)
def test_valid_syllables_and_foreign_words_are_kept(word: str) -> None:
    assert repair_syllable(word) == word


def test_repair_is_idempotent() -> None:
    once = repair_syllables(["ddaau", "giaays", "tooi"])
    assert repair_syllables(once) == once == ["dau", "giay", "toi"]
