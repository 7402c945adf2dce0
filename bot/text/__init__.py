"""Vietnamese text normalisation shared by the Rasa components and knowledge search.

Standard library only, so it imports in both virtualenvs.
"""

from bot.text.abbreviations import ABBREVIATIONS
from bot.text.normalize import (
    expand_abbreviations,
    fold,
    folded_syllables,
    nfc,
    normalize,
    normalize_folded,
    says_any,
    syllables,
)

__all__ = [
    "ABBREVIATIONS",
    "expand_abbreviations",
    "fold",
    "folded_syllables",
    "nfc",
    "normalize",
    "normalize_folded",
    "says_any",
    "syllables",
]
