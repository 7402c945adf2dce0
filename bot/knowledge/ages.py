"""Age limits in procedure titles ("Cấp thẻ căn cước cho người dưới 14 tuổi" / "... từ đủ 14
tuổi trở lên") against the age a message gives ("bé 3 tuổi", "con em đủ 14 tuổi").

Such titles share every other word, so the lexical score cannot tell them apart; the age the
citizen gives can. A procedure whose age range excludes that age is the wrong one.
"""

from __future__ import annotations

from collections.abc import Sequence

AGE_WORD = "tuoi"
OLDEST = 200
# Folded words before "<N> tuổi" in a title and the range they open: [low, high).
_BELOW = ("duoi",)
_FROM = (("tu", "du"), ("du",), ("tu",), ("tren",))
# In a message "đủ 14 tuổi" is the child's age, not a range.
_QUERY_FROM = (("tu", "du"), ("tu",), ("tren",))

AgeRange = tuple[int, int]


def _number_before_age(sylls: Sequence[str], i: int) -> int | None:
    """The number at ``i`` when "tuổi" follows it."""
    if i + 1 < len(sylls) and sylls[i + 1] == AGE_WORD and sylls[i].isdigit():
        return int(sylls[i])
    return None


def _range_at(sylls: Sequence[str], i: int, starts: tuple[tuple[str, ...], ...]) -> AgeRange | None:
    """The age range "<words> <N> tuổi" at ``i`` opens: below N after "dưới", from N after one
    of ``starts`` (after "trên", above N); else None."""
    age = _number_before_age(sylls, i)
    if age is None:
        return None
    before = tuple(sylls[max(0, i - 2) : i])
    if before[-1:] == _BELOW:
        return (0, age)
    if any(before[-len(words) :] == words for words in starts):
        return (age + 1, OLDEST) if before[-1:] == ("tren",) else (age, OLDEST)
    return None


def title_ages(title_sylls: Sequence[str]) -> AgeRange | None:
    """The age range a title is for, or None (most titles name none)."""
    for i in range(len(title_sylls)):
        found = _range_at(title_sylls, i, _FROM)
        if found is not None:
            return found
    return None


def asked_ages(query_sylls: Sequence[str]) -> AgeRange | None:
    """The first age a message gives ("bé 3 tuổi", "đủ 14 tuổi": that age) or names as a range
    ("trẻ dưới 6 tuổi", "từ 14 tuổi"), or None."""
    for i in range(len(query_sylls)):
        age = _number_before_age(query_sylls, i)
        if age is not None:
            return _range_at(query_sylls, i, _QUERY_FROM) or (age, age + 1)
    return None


def excludes(ages: AgeRange | None, asked: AgeRange | None) -> bool:
    """Whether a title's age range and the one the message gives do not overlap."""
    return ages is not None and asked is not None and (asked[1] <= ages[0] or ages[1] <= asked[0])
