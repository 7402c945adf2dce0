"""Rasa 3.6 tokenizer that segments Vietnamese words with underthesea.

"giấy khai sinh" -> ["giấy", "khai sinh"]: multi-syllable words are one token. underthesea
rewrites what it returns (NFC, tone placement "hoà"->"hòa", spelling fixes "nghành"->"ngành",
punctuation split off), so every returned word is aligned back to the ORIGINAL message by
comparing diacritic-folded characters; ``token.text == text[token.start:token.end]`` always.
If a word cannot be aligned, the rest of the message falls back to whitespace tokens.

``token.lemma`` is the normalised, abbreviation-expanded, diacritic-folded form ("Đăng ký" ->
"dang ky", "cccd" -> "can cuoc cong dan"), so featurizers with ``use_lemma`` are
diacritics-insensitive.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sys
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

import bot.text.abbreviations
import bot.text.normalize
import bot.text.telex
from bot.text import fold, folded_syllables, nfc
from bot.text.telex import repair_syllables

logger = logging.getLogger(__name__)

Span = tuple[int, int]
Segmenter = Callable[[str], list[str]]

# How far (in folded characters) a word may be found after the expected position; only
# non-alphanumeric characters that underthesea dropped may be skipped.
_SEARCH_WINDOW = 64
_WHITESPACE_TOKEN_RE = re.compile(r"\S+")


def code_fingerprint(*modules: object) -> str:
    """Hash of the given modules' source files plus bot.text's.

    Rasa caches each component's training output under a key made of its class, config and
    package versions, not our code: without this a changed abbreviation table or alignment
    rule would silently reuse stale tokens on retraining.
    """
    digest = hashlib.sha256()
    for module in (bot.text.normalize, bot.text.abbreviations, bot.text.telex, *modules):
        path = getattr(module, "__file__", None)
        if path:
            with open(path, "rb") as source:
                digest.update(source.read())
    return digest.hexdigest()


def _underthesea_segment(text: str) -> list[str]:
    from underthesea import word_tokenize  # heavy import (CRF model), only when used

    return list(word_tokenize(text))


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return fold(ch)


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Me", "Mc")


class _FoldedStream:
    """The original text folded character by character, whitespace and marks removed, with
    the original offset of every folded character."""

    def __init__(self, text: str) -> None:
        chars: list[str] = []
        offsets: list[int] = []
        gap_before: list[bool] = []  # whitespace between this and the previous folded char
        gap = False
        for index, ch in enumerate(text):
            if ch.isspace():
                gap = True
                continue
            folded = _fold_char(ch)
            for piece in folded:
                chars.append(piece)
                offsets.append(index)
                gap_before.append(gap)
                gap = False
        self.text = text
        self.folded = "".join(chars)
        self.offsets = offsets
        self.gap_before = gap_before

    def span(self, first: int, last: int) -> Span:
        """Original span of folded characters ``first..last`` (inclusive), extended over the
        combining marks that follow (NFD input)."""
        start = self.offsets[first]
        end = self.offsets[last] + 1
        while end < len(self.text) and _is_mark(self.text[end]):
            end += 1
        return start, end

    def match_exact(self, word: str, position: int) -> int | None:
        """Index where ``word`` (folded, no spaces) starts at or shortly after ``position``."""
        found = self.folded.find(word, position, position + len(word) + _SEARCH_WINDOW)
        if found < 0:
            return None
        if any(ch.isalnum() for ch in self.folded[position:found]):
            return None  # would skip real text: not the same word
        return found

    def match_respelled(self, syllables: list[str], position: int) -> int | None:
        """underthesea respells short syllables ("nghành"->"ngành", "baì"->"bài"): accept each
        original letter run that starts with the same letter and has a similar length.
        Returns the end index (exclusive) or None."""
        folded = self.folded
        for number, syllable in enumerate(syllables):
            if not syllable.isalpha() or position >= len(folded):
                return None
            if number > 0 and not self.gap_before[position]:
                return None
            end = position + 1
            while end < len(folded) and folded[end].isalnum() and not self.gap_before[end]:
                end += 1
            run = folded[position:end]
            if not run.isalpha() or run[0] != syllable[0] or abs(len(run) - len(syllable)) > 2:
                return None
            position = end
        return position


def align_words(text: str, words: list[str]) -> tuple[list[Span], int | None]:
    """Align segmented ``words`` to offsets in ``text``.

    Returns the spans of the aligned words and, if some word could not be aligned, the
    offset in ``text`` from which nothing was aligned (else None).
    """
    stream = _FoldedStream(text)
    spans: list[Span] = []
    position = 0
    for word in words:
        folded_word = "".join(_fold_char(ch) for ch in word if not ch.isspace())
        if not folded_word:
            continue
        found = stream.match_exact(folded_word, position)
        if found is not None:
            end = found + len(folded_word)
            spans.append(stream.span(found, end - 1))
            position = end
            continue
        end_respelled = stream.match_respelled(fold(word).split(), position)
        if end_respelled is not None:
            spans.append(stream.span(position, end_respelled - 1))
            position = end_respelled
            continue
        rest = spans[-1][1] if spans else 0
        return spans, rest
    return spans, None


def _trim_span(text: str, start: int, end: int) -> Span | None:
    """Shrink a span to its alphanumeric core ("(ok!)" -> "ok"); None if nothing is left."""
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not (text[end - 1].isalnum() or _is_mark(text[end - 1])):
        end -= 1
    return (start, end) if start < end else None


def whitespace_spans(text: str, offset: int = 0) -> list[Span]:
    """Whitespace tokens of ``text[offset:]`` with punctuation trimmed, as original offsets."""
    spans = []
    for match in _WHITESPACE_TOKEN_RE.finditer(text, offset):
        span = _trim_span(text, match.start(), match.end())
        if span is not None:
            spans.append(span)
    return spans


def lemma_for(token_text: str) -> str:
    """Normalised, abbreviation-expanded, folded form with Telex leftovers repaired
    ("ddăng" -> "dang"); syllables joined by one space."""
    return " ".join(repair_syllables(folded_syllables(token_text)))


def has_marks(text: str) -> bool:
    """True when some letter carries a Vietnamese tone or vowel mark (or is đ)."""
    return fold(text) != text.lower()


def segment_spans(text: str, segmenter: Segmenter = _underthesea_segment) -> list[Span]:
    """Word spans of ``text``: underthesea words aligned to the original offsets, whitespace
    tokens where alignment fails; pure punctuation and emoji tokens are dropped.

    Text typed without any marks gets one token per syllable: underthesea's model was trained
    on marked text and glues unmarked syllables across word boundaries ("lam giay | khai sinh"),
    which splits entity spans; syllables keep them intact and the folded features carry meaning.
    """
    if not text or text.isspace():
        return []
    if not has_marks(text):
        return whitespace_spans(text)
    try:
        words = segmenter(nfc(text))
    except Exception:  # a segmenter bug must never lose the message
        logger.exception("Word segmentation failed; using whitespace tokens.")
        return whitespace_spans(text)
    aligned, unaligned_from = align_words(text, words)
    # underthesea sometimes glues punctuation to a word ("? テスト"): keep the word's core,
    # drop pieces that are only punctuation or emoji.
    spans = [span for span in (_trim_span(text, s, e) for s, e in aligned) if span is not None]
    if unaligned_from is not None:
        logger.debug("Could not align segmented words from offset %d.", unaligned_from)
        spans.extend(whitespace_spans(text, unaligned_from))
    return spans


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class VietnameseTokenizer(Tokenizer):
    """Vietnamese word tokenizer (underthesea) with exact offsets and folded lemmas."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Rasa's standard tokenizer options."""
        return {
            # Flag to check whether to split intents
            "intent_tokenization_flag": False,
            # Symbol on which intent should be split
            "intent_split_symbol": "_",
            # Regular expression to detect tokens
            "token_pattern": None,
            # Symbol on which prefix should be split
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def supported_languages() -> list[str] | None:
        """Any language works (other scripts fall back gracefully); built for "vi"."""
        return None

    @staticmethod
    def required_packages() -> list[str]:
        """underthesea does the segmentation."""
        return ["underthesea"]

    def __init__(self, config: dict[str, Any], segmenter: Segmenter | None = None) -> None:
        """Create the tokenizer; ``segmenter`` replaces underthesea (tests)."""
        super().__init__(config)
        self._segmenter = segmenter or _underthesea_segment

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Invalidate Rasa's training cache when our text-handling code changes."""
        return code_fingerprint(sys.modules[__name__])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseTokenizer:
        """Creates a new component (see parent class for full docstring)."""
        tokenizer = cls(config)
        tokenizer.warm_up()
        return tokenizer

    def warm_up(self) -> None:
        """Load the segmentation model now, not on the first citizen's message (~0.3 s)."""
        segment_spans("xin chào", self._segmenter)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Tokenizes the text of the provided attribute of the incoming message."""
        text = message.get(attribute)
        if not isinstance(text, str):
            return []
        spans = segment_spans(text, self._segmenter)
        if not spans:
            # Like Rasa's WhitespaceTokenizer: a message of only ":)" or "" is one token.
            return [Token(text, 0, lemma=lemma_for(text))]
        tokens = [
            Token(text[start:end], start, end, lemma=lemma_for(text[start:end]))
            for start, end in spans
        ]
        return self._apply_token_pattern(tokens)
