"""Repair of leftover Telex keystrokes in diacritic-folded syllables (pure Python).

Phones with a Telex keyboard that fails to compose leave the mark keys in the text:
"ddăng kys" (đăng ký), "giaays" (giấy), "lamf" (làm), "kieejn" (kiện). After folding, these
differ from the intended syllable only by doubled vowels/"dd" and a tone key (s f r x j) that
no Vietnamese syllable can contain after its vowel. Undoing them gives the NLU features and
knowledge search the same syllables as correctly typed text. Only used on folded,
abbreviation-expanded syllables.
"""

from __future__ import annotations

import re
from functools import lru_cache

_VOWELS = "aeiouy"
# A Vietnamese syllable: initial consonants, a vowel nucleus, optional final consonant.
_SYLLABLE_RE = re.compile(r"^([b-df-hj-np-tv-xz]*)([aeiouy]+)(c|ch|m|n|ng|nh|p|t)?$")
_FIRST_VOWEL_RE = re.compile(r"[aeiouy]")
_TONE_KEY_RE = re.compile(r"[sfrxj]")
_DOUBLED_RE = re.compile(r"(aa|ee|oo|dd|aw|ow|uw)")
_DOUBLED = {"aa": "a", "ee": "e", "oo": "o", "dd": "d", "aw": "a", "ow": "o", "uw": "u"}


@lru_cache(maxsize=8192)
def repair_syllable(syllable: str) -> str:
    """The syllable without Telex leftovers when that makes it a valid syllable, else as is.

    "kys" -> "ky", "ddang" -> "dang", "giaays" -> "giay", "kieejn" -> "kien",
    "thanks" -> "thanks" (no valid syllable results), "khong" -> "khong" (already valid).
    """
    if len(syllable) < 3 or not syllable.isascii() or not syllable.isalpha():
        return syllable
    if _SYLLABLE_RE.match(syllable) and not _DOUBLED_RE.search(syllable):
        return syllable
    repaired = _strip_tone_key(syllable)
    repaired = _DOUBLED_RE.sub(lambda m: _DOUBLED[m.group(0)], repaired)
    if repaired != syllable and _SYLLABLE_RE.match(repaired):
        return repaired
    return syllable


def _strip_tone_key(syllable: str) -> str:
    """Removes the first tone key that follows the first vowel ("lamf" -> "lam")."""
    vowel = _FIRST_VOWEL_RE.search(syllable)
    if vowel is None:
        return syllable
    key = _TONE_KEY_RE.search(syllable, vowel.end())
    if key is None:
        return syllable
    return syllable[: key.start()] + syllable[key.end() :]


def shows_keys(word: str) -> bool:
    """Whether an unmarked word bears Telex keys: a tone key at its end or a doubled key
    ("kys", "tamj", "ddang"); "taxi" has its "x" inside a word."""
    return bool(word) and (word[-1] in "sfrxj" or bool(_DOUBLED_RE.search(word)))


def repair_syllables(syllables: list[str]) -> list[str]:
    """``repair_syllable`` over a list."""
    return [repair_syllable(syllable) for syllable in syllables]
