"""Procedure families: a main procedure and its special-case variants.

Many procedures come in families: "Đăng ký khai sinh" and 13 variants ("... có yếu tố nước
ngoài", "... lưu động", "đăng ký lại khai sinh", "... tại khu vực biên giới"). Citizens who name
no special case mean the main one. A variant is a procedure whose folded title contains every
syllable of another procedure's title, in order (a subsequence), after dropping the "thủ tục"
prefix; its *qualifier* is the syllables it adds ("co yeu to nuoc ngoai", "luu dong", "lai").
Derived from titles alone, so new imported procedures join their family without any edit.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from dataclasses import dataclass, field

from bot.knowledge.lexical import STOPWORDS, canon
from bot.knowledge.schema import Knowledge
from bot.text import folded_syllables

MIN_MAIN_SYLLABLES = 3  # "Tách hộ" is not the main procedure of everything with "tách" and "hộ"
_PREFIXES = (("thu", "tuc"),)
# Function words that titles use or leave out at will ("Liên thông [các] thủ tục ...", "... hoạt
# động [của] tổ hợp tác"): dropped before titles are compared. Negations ("không", "chưa") and
# words that fold to a stopword but mean something in a title ("thẻ") stay.
TITLE_FILLERS = frozenset(["cac", "cua", "ve", "va", "voi", "cho", "nhung", "co", "da", "duoc"])


def title_syllables(title: str) -> tuple[str, ...]:
    """Folded, canonical syllables of a title without the "thủ tục" prefix and without
    stopwords: "Liên thông các thủ tục ..." and "Liên thông thủ tục ..." align."""
    sylls = [canon(s) for s in folded_syllables(title)]
    for prefix in _PREFIXES:
        if tuple(sylls[: len(prefix)]) == prefix:
            sylls = sylls[len(prefix) :]
    return tuple(s for s in sylls if s not in TITLE_FILLERS)


MAX_EXTRA = 16  # a title adding more than this is a different procedure that shares words
# "đăng ký [chấm dứt giám sát việc] giám hộ", "cấp [gia hạn, điều chỉnh nội dung] giấy phép ...":
# still about the same thing
MAX_INNER_GAP = 6
# Words before the main title: "xóa", "thông báo", "sửa đổi, bổ sung nội dung quyết định" (8). A
# longer lead is another procedure that mentions it: "khai báo thông tin về cư trú đối với người
# chưa đủ điều kiện đăng ký thường trú, đăng ký tạm trú" is no kind of "đăng ký tạm trú".
MAX_LEAD = 8


def _find(seq: tuple[str, ...], part: tuple[str, ...], start: int = 0) -> list[int]:
    """Start positions of ``part`` as a contiguous run in ``seq`` (from ``start`` on)."""
    n = len(part)
    return [i for i in range(start, len(seq) - n + 1) if seq[i : i + n] == part]


Runs = tuple[tuple[str, ...], ...]


def _qualifier(main: tuple[str, ...], variant: tuple[str, ...]) -> Runs | None:
    """Syllables ``variant`` adds to ``main``, as runs of adjacent syllables, when ``variant``
    is ``main`` with words before, after, and at most one short interruption inside ("đăng ký
    [lại] khai sinh"), else None.
    Every split of ``main`` is tried, so an earlier occurrence of its first words does not hide
    the real one ("đăng ký khai sinh kết hợp [đăng ký nhận cha, mẹ, con]")."""
    if not main or len(variant) - len(main) > MAX_EXTRA or len(variant) <= len(main):
        return None
    best: tuple[int, int, int, int] | None = None  # (inner gap, start, split, resume)
    for split in range(len(main)):
        head, tail = main[:split], main[split:]
        for start in _find(variant, head) if head else [None]:
            if start is not None and start > MAX_LEAD:
                break
            begin = 0 if start is None else start + len(head)
            for resume in _find(variant, tail, begin):
                gap = 0 if start is None else resume - begin
                if gap > MAX_INNER_GAP or (start is None and resume > MAX_LEAD):
                    break
                if best is None or gap < best[0]:
                    best = (gap, begin - len(head), split, resume)
                break
    if best is None:
        return None
    _, first, split, resume = best
    used = set(range(first, first + split)) | set(range(resume, resume + len(main) - split))
    runs: list[list[str]] = []
    for i, syllable in enumerate(variant):
        if i in used:
            continue
        if runs and i - 1 not in used and i > 0:
            runs[-1].append(syllable)
        else:
            runs.append([syllable])
    return tuple(tuple(run) for run in runs)


def terms(runs: Runs) -> frozenset[str]:
    """What names a qualifier: a one-syllable run by itself ("lại", "xóa"), a longer one by its
    adjacent pairs ("lưu động", "nước ngoài", "biên giới"). Single syllables of a word do not:
    "nội" (of "thủy nội địa") does not name "điều chỉnh nội dung"."""
    out: set[str] = set()
    for run in runs:
        if len(run) == 1:
            if run[0] not in STOPWORDS:
                out.add(run[0])
            continue
        pairs = [(a, b) for a, b in itertools.pairwise(run)]
        content = [(a, b) for a, b in pairs if a not in STOPWORDS or b not in STOPWORDS]
        # a qualifier of function words only is still what tells the titles apart ("người
        # dịch [không phải] là cộng tác viên")
        out.update(f"{a} {b}" for a, b in content or pairs)
    return frozenset(out)


def _syllables(runs: Runs) -> frozenset[str]:
    return frozenset(s for run in runs for s in run if s not in STOPWORDS)


def query_terms(syllables: list[str | None]) -> set[str]:
    """The query's syllables and pairs of adjacent syllables, compared with ``terms`` (title
    fillers dropped on both sides; None breaks adjacency)."""
    kept = [s for s in syllables if s not in TITLE_FILLERS]
    out = {s for s in kept if s}
    out.update(f"{a} {b}" for a, b in itertools.pairwise(kept) if a and b)
    return out


@dataclass(frozen=True)
class Families:
    main_of: dict[str, str]  # variant code -> its main procedure's code
    variants: dict[str, tuple[str, ...]]  # main code -> variant codes (closest first)
    qualifiers: dict[str, frozenset[str]]  # variant code -> content syllables it adds
    names: dict[str, frozenset[str]] = field(default_factory=dict)  # what names it (``terms``)

    def family(self, code: str) -> tuple[str, ...]:
        main = self.main_of.get(code, code)
        return (main, *self.variants.get(main, ()))

    def names_variant(self, code: str, query_syllables: set[str], than: str | None = None) -> bool:
        """Whether the query mentions anything that distinguishes variant ``code`` from the
        main procedure (or from procedure ``than`` of the same family)."""
        own = self.names.get(code, frozenset())
        if than is not None:
            own = own - self.names.get(than, frozenset())
        return bool(own & query_syllables)

    def qualifier(self, code: str) -> frozenset[str]:
        """The content syllables variant ``code`` adds, or, when it adds function words only
        ("không phải"), their pairs."""
        return self.qualifiers.get(code) or self.names.get(code, frozenset())

    def named_share(self, code: str, query_syllables: set[str]) -> float:
        """Share of variant ``code``'s qualifier the query names (0 for a main procedure); a
        qualifier of function words only ("không phải") by its pairs."""
        own = self.qualifier(code)
        return len(own & query_syllables) / len(own) if own else 0.0


def build_families(knowledge: Knowledge) -> Families:
    titles = {code: title_syllables(p.title) for code, p in knowledge.procedures.items()}
    main_of: dict[str, str] = {}
    qualifiers: dict[str, frozenset[str]] = {}
    names: dict[str, frozenset[str]] = {}
    # A main title's syllables all occur in its variants: index each possible main by its
    # rarest syllable, so a title is only compared with mains sharing that syllable.
    counts = Counter(s for sylls in titles.values() for s in set(sylls))
    by_rarest: dict[str, list[str]] = {}
    for code, sylls in titles.items():
        if len(sylls) >= MIN_MAIN_SYLLABLES:
            by_rarest.setdefault(min(sylls, key=lambda s: (counts[s], s)), []).append(code)
    for code, sylls in titles.items():
        best: tuple[int, str, Runs] | None = None
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
            qualifiers[code] = _syllables(best[2])
            names[code] = terms(best[2])
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
                extra = tuple((s,) for s in sorted(set(titles[code]) - set(titles[root])))
            qualifiers[code] = _syllables(extra)
            names[code] = terms(extra)
        main_of[code] = root
    variants: dict[str, list[str]] = {}
    for code, main in main_of.items():
        variants.setdefault(main, []).append(code)
    ordered = {
        main: tuple(sorted(codes, key=lambda c: (len(titles[c]), c)))
        for main, codes in variants.items()
    }
    return Families(main_of, ordered, qualifiers, names)


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
