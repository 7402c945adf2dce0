"""Vietnamese text normalisation: pure functions, standard library only.

Used inside Rasa (bot.nlu) and by knowledge search, so both sides compare text the same way.
Every function accepts any ``str`` (empty, emoji, mixed scripts, control characters, lone
surrogates) and never raises.

Tone-mark placement rule (``nfc``): Vietnamese has two conventions for the open syllables
"oa", "oe", "uy": the traditional one puts the mark on the first vowel ("hòa", "khỏe", "thúy"),
the "new" one on the second ("hoà", "khoẻ", "thuý"). We rewrite to the traditional form, which
is what underthesea and most keyboards produce. Only syllables made of consonants + o/u + a/e/y
with nothing after are touched, so "hoàng", "quý" ("qu" is a consonant), "ngoài" stay as typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from bot.text.abbreviations import ABBREVIATIONS, AFTER

__all__ = [
    "expand_abbreviations",
    "fold",
    "folded_syllables",
    "nfc",
    "normalize",
    "normalize_folded",
    "syllables",
]

# Tone marks: grave, acute, tilde, hook above, dot below.
_TONES = "\u0300\u0301\u0303\u0309\u0323"

# "Ð" (U+00D0, Icelandic eth) and "Ɖ" (U+0189) look exactly like "Đ" and are typed for it by
# some legacy input methods and fonts; underthesea maps them too.
_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u0189": "\u0110"})

# (vowel with tone) -> (bare vowel, tone mark), for the second vowel of "oa", "oe", "uy".
_TONED_SECOND: dict[str, tuple[str, str]] = {
    unicodedata.normalize("NFC", base + tone): (base, tone) for base in "aeyAEY" for tone in _TONES
}
_PAIRS = {("o", "a"), ("o", "e"), ("u", "y")}
_CONSONANTS = frozenset("bcdđghklmnpqrstvx")
_TONE_PLACEMENT_RE = re.compile(
    r"(?<![^\W\d_])([^\W\d_]*?)([oOuU])([" + "".join(_TONED_SECOND) + r"])(?![^\W\d_])"
)


def _move_tone(match: re.Match[str]) -> str:
    onset, first, second = match.group(1), match.group(2), match.group(3)
    bare, tone = _TONED_SECOND[second]
    if (first.lower(), bare.lower()) not in _PAIRS:
        return match.group(0)
    lowered = onset.lower()
    if any(ch not in _CONSONANTS for ch in lowered):
        return match.group(0)
    if first in "uU" and lowered.endswith("q"):  # "quý": the "u" belongs to "qu"
        return match.group(0)
    return onset + unicodedata.normalize("NFC", first + tone) + bare


def nfc(text: str) -> str:
    """Unicode NFC, "Ð"→"Đ", and traditional tone placement ("hoà"→"hòa", "thuý"→"thúy").

    NFC also composes decomposed input (phones sending NFD, Windows-1258 style base letter +
    combining tone) and canonical reordering fixes marks typed in a different order.
    """
    text = unicodedata.normalize("NFC", text).translate(_LOOKALIKES)
    return _TONE_PLACEMENT_RE.sub(_move_tone, text)


def _build_fold_table() -> dict[int, str]:
    """Precomposed Latin letter -> lowercase base letter, for letters whose decomposition is an
    ASCII letter plus combining diacritics (covers every Vietnamese vowel)."""
    table: dict[int, str] = {}
    for start, end in ((0x00C0, 0x024F), (0x1E00, 0x1EFF)):
        for cp in range(start, end + 1):
            decomposed = unicodedata.normalize("NFD", chr(cp))
            base, marks = decomposed[:1], decomposed[1:]
            if (
                marks
                and base.isascii()
                and base.isalpha()
                and all(0x0300 <= ord(m) <= 0x036F for m in marks)
            ):
                table[cp] = base.lower()
    for ch in "đĐ\u00d0\u0189":
        table[ord(ch)] = "d"
    return table


_FOLD_TABLE = _build_fold_table()
# Combining marks still present after NFC had nothing to compose with (a stray accent after a
# space, an emoji, or a letter with no precomposed form): drop them.
_LEFTOVER_MARKS_RE = re.compile("[\u0300-\u036f]+")


def fold(text: str) -> str:
    """Lowercase and remove every tone and vowel mark: "Đăng ký" -> "dang ky".

    Only Latin letters lose their marks; other scripts (CJK, kana with voicing marks,
    Cyrillic "й") keep their characters and are only lowercased.
    """
    text = unicodedata.normalize("NFC", text).lower().translate(_FOLD_TABLE)
    return _LEFTOVER_MARKS_RE.sub("", text)


# Invisible format characters and lone surrogates are removed; ZWJ (U+200D) and variation
# selectors are kept because emoji sequences need them.
_INVISIBLE_RE = re.compile(
    "[\u00ad\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]"
)
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_WHITESPACE_RE = re.compile(r"\s+")

_PUNCTUATION = str.maketrans(
    {
        **{ch: '"' for ch in "“”„‟«»″〝〞"},
        **{ch: "'" for ch in "‘’‚‛′`´"},
        **{ch: "-" for ch in "‐‑‒–—―−"},
        "…": "...",
        "\u3001": ",",
        "\u3002": ".",
        # Full-width ASCII forms (Asian keyboards) -> ASCII.
        **{chr(cp): chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)},
    }
)

# A token is a run of letters/digits that is not part of an e-mail, URL, path or hyphenated word.
_TOKEN_RE = re.compile(r"(?<![\w@/.\-'])[^\W_]+(?![\w@/\-']|\.\w)")


_PREVIOUS_WORD_RE = re.compile(r"([^\W_]+)[ \t]+$")  # the word before, no punctuation between


def _expand_token(match: re.Match[str]) -> str:
    token = match.group(0)
    key = token.lower().replace("đ", "d")
    after = AFTER.get(key)
    if after is not None:
        # "sổ hk" is "sổ hộ khẩu"; "... được hk", "sổ. hk" are not
        before = _PREVIOUS_WORD_RE.search(match.string, max(0, match.start() - 40), match.start())
        if before and fold(before.group(1)) in after[1]:
            return after[0]
    return ABBREVIATIONS.get(key, token)


def expand_abbreviations(text: str) -> str:
    """Replace chat abbreviations and teencode (whole tokens) by their full lowercase words.

    Case-insensitive, and "đ"/"d"-insensitive ("đc" = "dc"); tone marks stay significant so
    real words are never taken for abbreviations. The result is NFC. See
    ``bot.text.abbreviations`` for the table and the ambiguous choices.
    """
    return _TOKEN_RE.sub(_expand_token, unicodedata.normalize("NFC", text))


def normalize(text: str) -> str:
    """Canonical form for matching: NFC + tone placement, lowercase, ASCII quotes and dashes,
    no control/invisible characters, single spaces, stripped, abbreviations expanded."""
    text = _INVISIBLE_RE.sub("", text)
    text = _CONTROL_RE.sub(" ", text)
    # "İ".lower() is "i" + combining dot above; the dot carries nothing for matching.
    text = nfc(text).lower().replace("i\u0307", "i").translate(_PUNCTUATION)
    text = _WHITESPACE_RE.sub(" ", text).strip()
    return expand_abbreviations(text)


def normalize_folded(text: str) -> str:
    """``fold(normalize(text))``: the diacritics-insensitive form ("Làm GKS ko đc à" ->
    "lam giay khai sinh khong duoc a")."""
    return fold(normalize(text))


_SYLLABLE_RE = re.compile(r"[^\W_]+")


def syllables(text: str) -> list[str]:
    """Normalise ``text`` and split it into syllables/words (runs of letters and digits);
    punctuation, emoji and symbols are dropped."""
    return _SYLLABLE_RE.findall(normalize(text))


def folded_syllables(text: str) -> list[str]:
    """Syllables of ``normalize_folded(text)``: "Giấy khai sinh?" -> ["giay", "khai", "sinh"]."""
    return _SYLLABLE_RE.findall(normalize_folded(text))


def says_any(text: str, phrases: Iterable[str]) -> bool:
    """Whether ``text``, folded, contains one of the folded ``phrases`` as whole syllables:
    "tra cuu" is in "Tra cứu hồ sơ?", "tra" is too, "tr" is not."""
    padded = f" {' '.join(folded_syllables(text))} "
    return any(f" {phrase} " in padded for phrase in phrases)
