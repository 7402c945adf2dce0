"""Procedure families: a main procedure and its special-case variants.

Many procedures come in families: "Đăng ký khai sinh" and 13 variants ("... có yếu tố nước
ngoài", "... lưu động", "đăng ký lại khai sinh", "... tại khu vực biên giới"). Citizens who name
no special case mean the main one. A variant is a procedure whose folded title contains every
syllable of another procedure's title, in order (a subsequence), after dropping the "thủ tục"
prefix; its *qualifier* is the syllables it adds ("co yeu to nuoc ngoai", "luu dong", "lai").
Derived from titles alone, so new imported procedures join their family without any edit.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

from bot.knowledge.lexical import STOPWORDS, canon
from bot.knowledge.schema import Knowledge
from bot.text import folded_syllables

MIN_MAIN_SYLLABLES = 3  # "Tách hộ" is not the main procedure of everything with "tách" and "hộ"
_PREFIXES = (("thu", "tuc"),)


def title_syllables(title: str) -> tuple[str, ...]:
    sylls = [canon(s) for s in folded_syllables(title)]
    for prefix in _PREFIXES:
        if tuple(sylls[: len(prefix)]) == prefix:
            sylls = sylls[len(prefix) :]
    return tuple(sylls)


MAX_EXTRA = 16  # a title adding more than this is a different procedure that shares words
MAX_INNER_GAP = 5  # "đăng ký [chấm dứt giám sát việc] giám hộ" is still about guardianship


def _qualifier(main: tuple[str, ...], variant: tuple[str, ...]) -> tuple[str, ...] | None:
    """Syllables ``variant`` adds to ``main`` when ``main`` is a subsequence of it with at most
    one short interruption inside ("đăng ký [lại] khai sinh"), else None."""
    extra: list[str] = []
    gaps: list[int] = []
    i = 0
    for syllable in variant:
        if i < len(main) and syllable == main[i]:
            i += 1
            continue
        extra.append(syllable)
        if 0 < i < len(main):  # inside the main title, not before or after it
            gaps.append(i)  # the position in the main title where it was interrupted
    if i != len(main) or not extra or len(extra) > MAX_EXTRA:
        return None
    inner = Counter(gaps)
    if len(inner) > 1 or any(n > MAX_INNER_GAP for n in inner.values()):
        return None
    return tuple(extra)


@dataclass(frozen=True)
class Families:
    main_of: dict[str, str]  # variant code -> its main procedure's code
    variants: dict[str, tuple[str, ...]]  # main code -> variant codes (closest first)
    qualifiers: dict[str, frozenset[str]]  # variant code -> content syllables it adds

    def family(self, code: str) -> tuple[str, ...]:
        main = self.main_of.get(code, code)
        return (main, *self.variants.get(main, ()))

    def names_variant(self, code: str, query_syllables: set[str], than: str | None = None) -> bool:
        """Whether the query mentions anything that distinguishes variant ``code`` from the
        main procedure (or from procedure ``than`` of the same family)."""
        own = self.qualifiers.get(code, frozenset())
        if than is not None:
            own = own - self.qualifiers.get(than, frozenset())
        return bool(own & query_syllables)

    def named_share(self, code: str, query_syllables: set[str]) -> float:
        """Share of variant ``code``'s qualifier the query names (0 for a main procedure)."""
        own = self.qualifiers.get(code, frozenset())
        return len(own & query_syllables) / len(own) if own else 0.0


def build_families(knowledge: Knowledge) -> Families:
    titles = {code: title_syllables(p.title) for code, p in knowledge.procedures.items()}
    main_of: dict[str, str] = {}
    qualifiers: dict[str, frozenset[str]] = {}
    # A main title's syllables all occur in its variants: index each possible main by its
    # rarest syllable, so a title is only compared with mains sharing that syllable.
    counts = Counter(s for sylls in titles.values() for s in set(sylls))
    by_rarest: dict[str, list[str]] = {}
    for code, sylls in titles.items():
        if len(sylls) >= MIN_MAIN_SYLLABLES:
            by_rarest.setdefault(min(sylls, key=lambda s: (counts[s], s)), []).append(code)
    for code, sylls in titles.items():
        best: tuple[int, str, tuple[str, ...]] | None = None
        candidates = {other for s in set(sylls) for other in by_rarest.get(s, ())}
        for other in sorted(candidates):
            main = titles[other]
            if other == code or len(main) >= len(sylls):
                continue
            extra = _qualifier(main, sylls)
            # the closest (longest) main wins: "khai sinh có yếu tố nước ngoài tại khu vực biên
            # giới" belongs to "khai sinh có yếu tố nước ngoài", not straight to "khai sinh"
            if extra is not None and (best is None or len(main) > best[0]):
                best = (len(main), other, extra)
        if best is not None:
            main_of[code] = best[1]
            qualifiers[code] = frozenset(s for s in best[2] if s not in STOPWORDS)
    # flatten chains: every variant points to the root main procedure
    for code in list(main_of):
        root, seen = main_of[code], {code}
        while root in main_of and root not in seen:
            seen.add(root)
            root = main_of[root]
        if root != main_of[code]:
            # the qualifier against the root is what distinguishes it from the common case
            extra = _qualifier(titles[root], titles[code])
            if extra is None:  # not a clean subsequence of the root: union along the chain
                extra = tuple(set(titles[code]) - set(titles[root]))
            qualifiers[code] = frozenset(s for s in extra if s not in STOPWORDS)
        main_of[code] = root
    variants: dict[str, list[str]] = {}
    for code, main in main_of.items():
        variants.setdefault(main, []).append(code)
    ordered = {
        main: tuple(sorted(codes, key=lambda c: (len(titles[c]), c)))
        for main, codes in variants.items()
    }
    return Families(main_of, ordered, qualifiers)


_cache: dict[int, tuple[Knowledge, Families]] = {}
_lock = threading.Lock()


def families_for(knowledge: Knowledge) -> Families:
    """Families of a knowledge snapshot (cached per snapshot, the latest few kept)."""
    with _lock:
        cached = _cache.get(id(knowledge))
        if cached is not None and cached[0] is knowledge:
            return cached[1]
        result = build_families(knowledge)
        if len(_cache) >= 4:
            _cache.pop(next(iter(_cache)))
        _cache[id(knowledge)] = (knowledge, result)
        return result
