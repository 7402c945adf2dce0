"""Procedure search: which procedure a citizen's words are about, and how sure we are.

Lexical retrieval (`bot.knowledge.lexical`: BM25 on folded syllables and bigrams + character
trigram cosine) always runs; dense retrieval (`bot.knowledge.dense`) is fused in when
`EMBEDDING_MODEL` is set. `resolve` turns the ranking into a decision with confidence bands:

- "found": one procedure; for a family's main procedure, its close special-case variants come
  along in ``Resolution.variants`` so the answer can offer them as buttons;
- "ambiguous": two or three procedures are close, or the question is vague ("đăng ký"): ask;
- "none": nothing fits: say so and record the question for staff.

Families (`bot.knowledge.families`) implement "prefer the common case": a question that names
no special case gets the main procedure, one naming a variant's qualifier gets the variant.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from bot.knowledge import acts, ages, channels, dense, kinds, lexical
from bot.knowledge.families import Families, families_for, query_terms, title_syllables
from bot.knowledge.schema import Knowledge
from bot.text import folded_syllables

CODE_IN_TEXT_RE = re.compile(r"(?<![\d.])(\d\.\d{6})(?![\d])")

# Confidence bands, on the lexical measures of the best entry (see Hit). Tuned on the
# development set tests/eval/procedures_dev.yml (never on the held-out set).
SURE_MATCH = 0.55  # this share of what the citizen typed matched one text: sure
SURE_COVER = 0.6  # the message contains (nearly) a whole alias/title of the procedure: sure
MIN_MATCH = 0.3  # below both minimums nothing fits
MIN_COVER = 0.5
MIN_SHARED = 0.2  # a text of which the query mentions less than this share is no evidence
AMBIGUOUS_RATIO = 0.9  # a runner-up within 90 % of the best: ask which one
FAMILY_RATIO = 0.6  # the main procedure within 60 % of a variant no qualifier named: main wins
MAX_VARIANTS = 3
# A procedure outside the found one's family that scores this share of it is offered under the
# answer ("related"): search is sure, not infallible, and the citizen is one tap from the fix.
# 0.7 on dev2-dev5: 18 of 49 wrong answers get the right one offered; 23 % of right ones get
# the extra line (0.6: 21 and 35 %).
RELATED_RATIO = 0.7
MAX_RELATED = 2
ACT_RATIO = 0.6  # a runner-up that does the act asked, within this share of the best, wins
CLOSE_TITLES = 0.5  # titles sharing this share of their words are told apart by the rest
# Sure by margin: long messages carry context ("ông nội mất ở nhà, ...") that no title matches,
# so the matched share stays low although one procedure clearly stands out from the rest.
SURE_MARGIN = 0.75  # the best rival outside the top's family scored below this share of it
MARGIN_MATCH = 0.25  # and at least this share of the message matched the top's text
# and the message is long (content syllables), or says at least this share of the top's text:
# a short message is no context, its unmatched word is what it asks about ("đăng ký [học
# lái] ô tô", "đăng ký [sim] chính chủ")
MARGIN_LONG = 7
MARGIN_SHORT_COVER = 0.5
NEAR_COVER = 0.4  # nothing fits, but this share of one of its texts is in the message: offer it
LEAN_COVER = 0.5  # no close rival and this share of one of its texts in the message: answer
# A title word pair in at least this share of titles says nothing of the subject ("đăng ký")
COMMON_PAIR_SHARE = 0.08
# For the same reason, a short message with a word that no knowledge text has ("đăng ký kinh
# doanh taxi", "xin giấy phép bán rượu") is never sure: that word is what it asks about, and no
# procedure speaks of it. A word is a syllable with a vowel; shorthand without one ("gpxd",
# "vn", "sv") stands for words the texts may well have.
_VOWEL_RE = re.compile(r"[aeiouy]")
DENSE_WEIGHT = 0.3  # share of the dense cosine in the fused score when a model is configured
DENSE_SURE = 0.75  # cosine at which the dense side alone can make a weak lexical match sure
# A procedure for another kind of organisation than the one the query names (hợp tác xã vs tổ
# hợp tác vs hộ kinh doanh vs công ty) keeps this share of its score and is never sure.
KIND_PENALTY = 0.5
# A close runner-up is no rival when the message contains a whole text of the best hit
# ("đổi chủ hộ") and of the runner-up's best text only a part ("sang tên đổi chủ xe"): it
# scored by matching more words around, not by being what was named.
WHOLE_TEXT = 0.95  # cover at which the best hit's text is said whole
COVER_GAP = 0.25  # and the runner-up's text at least this much less covered


# Papers the citizen already has ("có cccd với hk rồi, giờ làm khai sinh", "đã có khai sinh
# nhưng ...") are the situation, not what is asked: the words of such a span count half in the
# ranking (the message is also scored without them, and the two scores averaged), so a
# procedure matched on the papers held does not outrank the one matched on the request. They
# keep half: having papers is itself a special case ("khai sinh cho người đã có giấy tờ").
POSSESSION_WEIGHT = 0.5
HELD_OPENERS = (("da", "co"), ("co", "san"))  # "đã có X", "có sẵn X"; and "có X rồi"
NOT_HELD = frozenset({"chua", "khong", "ko", "k", "kg"})  # "chưa có X rồi" is not held
# a held span ends at a clause boundary: punctuation or one of these words
HELD_END = frozenset({"roi", "ma", "nhung", "gio", "nen", "thi", "de", "muon"})
# syllables a held span has at most ("căn cước công dân với hộ khẩu"); a longer run to the
# boundary is not taken as held ("đã có giấy phép xây dựng xin điều chỉnh ...")
HELD_MAX = 8
_CLAUSE_RE = re.compile(r"[,.;:!?()\n]+")


def _held(sylls: list[str]) -> list[tuple[int, int]]:
    """(start, end) of the held spans in one clause's folded syllables."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(sylls):
        opener = tuple(sylls[i : i + 2]) in HELD_OPENERS
        start = i + 2 if opener else i + 1
        if not opener and (sylls[i] != "co" or (i and sylls[i - 1] in NOT_HELD)):
            i += 1
            continue
        j = start
        while j < len(sylls) and j - start < HELD_MAX and sylls[j] not in HELD_END:
            j += 1
        ended = j == len(sylls) or sylls[j] in HELD_END  # not cut off by HELD_MAX
        if j > start and ended and (opener or (j < len(sylls) and sylls[j] == "roi")):
            spans.append((start, j))
            i = j
        else:
            i += 1
    return spans


def _clauses(query: str) -> list[list[str]]:
    return [[lexical.canon(s) for s in folded_syllables(c)] for c in _CLAUSE_RE.split(query)]


def held_spans(query: str) -> list[str]:
    """The folded spans of ``query`` naming papers the citizen already has: what follows
    "đã có" / "có sẵn", or what stands between "có" and "rồi", up to a clause boundary."""
    return [" ".join(c[a:b]) for c in _clauses(query) for a, b in _held(c)]


def _without_held(query: str) -> str | None:
    """The query (folded) without the papers the citizen already has; None when it has none."""
    clauses = _clauses(query)
    held = [_held(c) for c in clauses]
    if not any(held):
        return None
    kept = []
    for sylls, spans in zip(clauses, held, strict=True):
        drop = {k for a, b in spans for k in range(a, b)}
        kept.append(" ".join(s for k, s in enumerate(sylls) if k not in drop))
    return ", ".join(kept)


@dataclass(frozen=True)
class Hit:
    code: str
    score: float  # ranking score (lexical, fused with dense when configured)
    matched: str = ""  # the text that matched best (for logs and "did you mean" buttons)
    exact: bool = False  # the query contained this official code
    match: float | None = None  # share of the query's IDF mass the best text matched (0..1)
    cover: float = 0.0  # share of the best text's IDF mass the query mentioned (0..1)
    kind: str = ""  # title / alias / faq / document
    dense: float | None = None  # best cosine when dense retrieval is on


@dataclass(frozen=True)
class Resolution:
    """What the search decided: one procedure, a few candidates to ask about, or nothing."""

    kind: Literal["found", "ambiguous", "none"]
    hits: tuple[Hit, ...] = ()
    variants: tuple[str, ...] = field(default=())  # close family variants of a found main
    # other procedures nearly as close as a found one, offered under the answer
    related: tuple[str, ...] = field(default=())

    @property
    def code(self) -> str | None:
        return self.hits[0].code if self.kind == "found" and self.hits else None

    @property
    def near(self) -> tuple[str, ...]:
        """When nothing fits: the procedures of which at least NEAR_COVER of a text is in the
        message, to offer under "not found" ("sửa mái nhà, lát lại gạch có cần xin phép
        không" says too little of any title to be sure, and names a building permit's
        words)."""
        if self.kind != "none":
            return ()
        return tuple(h.code for h in self.hits if h.cover >= NEAR_COVER)


@dataclass(frozen=True)
class SearchIndex:
    lexical: lexical.LexicalIndex
    families: Families
    dense: dense.DenseIndex | None = None
    # main procedure code -> the syllables of its own texts (title, aliases, FAQ questions)
    main_words: dict[str, frozenset[str]] = field(default_factory=dict)
    titles: dict[str, tuple[str, ...]] = field(default_factory=dict)  # code -> title syllables
    # code -> the kinds of organisation its title names (bot.knowledge.kinds), when any
    kinds: dict[str, frozenset[str]] = field(default_factory=dict)
    # code -> the act phrases of its title (bot.knowledge.acts), when it names an act
    acts: dict[str, frozenset[str]] = field(default_factory=dict)
    # code -> the channel its title names (bot.knowledge.channels), when any
    channels: dict[str, str] = field(default_factory=dict)
    # code -> the age range its title is for (bot.knowledge.ages), when it names one
    ages: dict[str, ages.AgeRange] = field(default_factory=dict)
    # variant code -> the title word pairs that say what it is about (``_subjects``)
    subjects: dict[str, frozenset[str]] = field(default_factory=dict)


def _titles(knowledge: Knowledge) -> dict[str, tuple[str, ...]]:
    return {code: title_syllables(p.title) for code, p in knowledge.procedures.items()}


def _kinds(knowledge: Knowledge) -> dict[str, frozenset[str]]:
    named = {
        code: kinds.subject_kinds(folded_syllables(p.title))
        for code, p in knowledge.procedures.items()
    }
    return {code: found for code, found in named.items() if found}


def _acts(knowledge: Knowledge) -> dict[str, frozenset[str]]:
    named = {code: acts.title_phrases(p.title) for code, p in knowledge.procedures.items()}
    return {code: found for code, found in named.items() if found}


def _channels(titles: dict[str, tuple[str, ...]]) -> dict[str, str]:
    named = {code: channels.title_channel(title) for code, title in titles.items()}
    return {code: channel for code, channel in named.items() if channel}


def _ages(titles: dict[str, tuple[str, ...]]) -> dict[str, ages.AgeRange]:
    named = {code: ages.title_ages(title) for code, title in titles.items()}
    return {code: found for code, found in named.items() if found}


def _subjects(titles: dict[str, tuple[str, ...]], families: Families) -> dict[str, frozenset[str]]:
    """Per variant, the title word pairs that say what it is about: its main procedure's pairs
    that few titles share ("khai tử" of "đăng ký khai tử", not "đăng ký"), and those of any
    main title that its own title has ("khai sinh" of "đăng ký khai sinh kết hợp nhận cha,
    mẹ, con")."""
    pairs = {
        code: frozenset(t for t in query_terms(list(title)) if " " in t)
        for code, title in titles.items()
    }
    shared = Counter(p for title_pairs in pairs.values() for p in title_pairs)
    limit = COMMON_PAIR_SHARE * len(titles)
    main_subject = {
        main: frozenset(p for p in pairs.get(main, ()) if shared[p] < limit)
        for main in families.variants
    }
    any_subject = frozenset().union(*main_subject.values())
    return {
        variant: main_subject[main] | (pairs.get(variant, frozenset()) & any_subject)
        for variant, main in families.main_of.items()
    }


def _main_words(knowledge: Knowledge, families: Families) -> dict[str, frozenset[str]]:
    return {
        code: frozenset(
            s
            for kind, text in lexical.entry_texts(knowledge.procedures[code])
            if kind != "document"
            for s in lexical.content_syllables(text)
            if s
        )
        for code in families.variants
    }


# Knowledge snapshots are immutable, so one index per snapshot; keep only the latest few.
_indexes: dict[int, tuple[Knowledge, SearchIndex]] = {}
_indexes_lock = threading.Lock()


def build_index(knowledge: Knowledge, encoder: dense.Encoder | None = None) -> SearchIndex:
    lex = lexical.build(knowledge)
    dense_index = None
    if encoder is not None:
        dense_index = dense.build_dense(encoder, lex.entry_proc, lex.entry_text)
    families = families_for(knowledge)
    titles = _titles(knowledge)
    return SearchIndex(
        lex,
        families,
        dense_index,
        _main_words(knowledge, families),
        titles,
        _kinds(knowledge),
        _acts(knowledge),
        _channels(titles),
        _ages(titles),
        _subjects(titles, families),
    )


def index_for(knowledge: Knowledge) -> SearchIndex:
    encoder = dense.get_encoder()
    with _indexes_lock:
        cached = _indexes.get(id(knowledge))
        if cached is not None and cached[0] is knowledge:
            index = cached[1]
            if (index.dense is None) == (encoder is None):
                return index
        index = build_index(knowledge, encoder)
        if len(_indexes) >= 4:
            _indexes.pop(next(iter(_indexes)))
        _indexes[id(knowledge)] = (knowledge, index)
        return index


def _ranked(index: SearchIndex, query: str, k: int) -> list[Hit]:
    lex = index.lexical
    scored = lexical.score(lex, query)
    dense_scores = index.dense.scores(query, len(lex.codes)) if index.dense is not None else None
    if scored is None and dense_scores is None:
        return []
    n = len(lex.codes)
    lex_score = np.zeros(n)
    match = np.zeros(n)
    cover = np.zeros(n)
    entry = np.full(n, -1)
    if scored is not None:
        lex_score[scored.proc] = scored.score
        match[scored.proc] = scored.match
        cover[scored.proc] = scored.cover
        entry[scored.proc] = scored.entry
    rest = _without_held(query)
    if rest is not None and scored is not None:
        # papers already held count half: average with the scores of the rest of the message
        rest_score = np.zeros(n)
        rest_scored = lexical.score(lex, rest)
        if rest_scored is not None:
            rest_score[rest_scored.proc] = rest_scored.score
        lex_score = (1 - POSSESSION_WEIGHT) * lex_score + POSSESSION_WEIGHT * rest_score
    final = lex_score
    if dense_scores is not None:
        # Linear fusion on comparable scales: lexical relative to its best, cosine as is.
        top = lex_score.max()
        relative = lex_score / top if top > 0 else lex_score
        final = (1 - DENSE_WEIGHT) * relative + DENSE_WEIGHT * np.maximum(dense_scores, 0.0)
    candidates = np.flatnonzero(final > 0)
    order = candidates[np.lexsort((candidates, -final[candidates]))][:k]
    hits = []
    for pid in order:
        e = int(entry[pid])
        hits.append(
            Hit(
                code=lex.codes[pid],
                score=round(float(final[pid]), 4),
                matched=lex.entry_text[e] if e >= 0 else "",
                match=round(float(match[pid]), 4),
                cover=round(float(cover[pid]), 4),
                kind=lex.entry_kind[e] if e >= 0 else "",
                dense=None if dense_scores is None else round(float(dense_scores[pid]), 4),
            )
        )
    return hits


def _exact(knowledge: Knowledge, query: str) -> list[Hit]:
    return [
        Hit(code, 1.0, knowledge.procedures[code].title, exact=True, match=1.0, cover=1.0)
        for code in dict.fromkeys(CODE_IN_TEXT_RE.findall(query))
        if code in knowledge.procedures
    ]


def search(knowledge: Knowledge, query: str, k: int = 3) -> list[Hit]:
    """Up to ``k`` procedures best matching ``query``, best first; an official code in the
    query ("1.001193") returns that procedure first with ``exact=True``."""
    if not query or not query.strip() or k <= 0:
        return []
    exact = _exact(knowledge, query)
    if exact:
        return exact[:k]
    return _ranked(index_for(knowledge), query, k)


def _sure(hit: Hit) -> bool:
    match = hit.match or 0.0
    by_match = match >= SURE_MATCH and hit.cover >= MIN_SHARED
    if hit.kind != "document" and (by_match or hit.cover >= SURE_COVER):
        return True
    return hit.dense is not None and hit.dense >= DENSE_SURE


def _fits(hit: Hit) -> bool:
    match = hit.match or 0.0
    return (match >= MIN_MATCH and hit.cover >= MIN_SHARED) or hit.cover >= MIN_COVER or _sure(hit)


def _says_variant(hit: Hit, main_words: frozenset[str], query_sylls: set[str]) -> bool:
    """Whether the variant's best text, in citizens' words (an alias, an FAQ question), matched
    a word of the query that no text of the main procedure has ("có căn cước rồi mà chưa từng
    có khai sinh": "căn cước", "chưa từng")."""
    if hit.kind not in ("alias", "faq"):
        return False
    own = {s for s in lexical.content_syllables(hit.matched) if s and s not in lexical.STOPWORDS}
    return bool((own - main_words) & query_sylls)


def _prefer_main(
    hits: list[Hit],
    families: Families,
    query_sylls: set[str],
    main_words: dict[str, frozenset[str]] | None = None,
) -> list[Hit]:
    """Move a family's main procedure first when the best hit is a variant whose qualifier
    the query never names and the main one scored close enough."""
    top = hits[0]
    main = families.main_of.get(top.code)
    if main is None or families.names_variant(top.code, query_sylls):
        return hits
    if main_words is not None and _says_variant(
        top, main_words.get(main, frozenset()), query_sylls
    ):
        return hits
    for i, hit in enumerate(hits[1:], start=1):
        if hit.code == main and hit.score >= FAMILY_RATIO * top.score:
            return [hit, *hits[:i], *hits[i + 1 :]]
    return hits


def _prefer_named_variant(hits: list[Hit], families: Families, query_sylls: set[str]) -> list[Hit]:
    """Move first the family member whose whole qualifier the query names ("đăng ký lại khai
    tử": the "lại" variant), when it scored close enough to the best hit."""
    top = hits[0]
    family = set(families.family(top.code))
    best: tuple[float, int] | None = None
    for i, hit in enumerate(hits[1:], start=1):
        if hit.code not in family or hit.score < FAMILY_RATIO * top.score:
            continue
        share = families.named_share(hit.code, query_sylls)
        # a top that is this special case and more ("lại" + "có yếu tố nước ngoài") stays
        more = families.qualifier(hit.code) <= families.qualifier(top.code)
        if share == 1.0 and share > families.named_share(top.code, query_sylls) and not more:
            size = len(families.qualifiers.get(hit.code, ()))
            if best is None or size > best[0]:
                best = (size, i)
    if best is None:
        return hits
    i = best[1]
    return [hits[i], *hits[:i], *hits[i + 1 :]]


# "không cần nhập khẩu", "không phải người nước ngoài": what follows is ruled out, so it does
# not name a special case.
NEGATIONS = frozenset({("khong", "can"), ("khong", "phai"), ("chua", "can")})
NEGATION_SCOPE = 3  # syllables after the negation that it rules out


def _named_terms(text: str) -> set[str]:
    sylls: list[str | None] = list(lexical.content_syllables(text))
    for i in range(len(sylls) - 1):
        if (sylls[i], sylls[i + 1]) in NEGATIONS:  # the negation itself stays a word
            scope = sylls[i + 2 : i + 2 + NEGATION_SCOPE]
            sylls[i + 2 : i + 2 + NEGATION_SCOPE] = [None] * len(scope)
    return query_terms(sylls)


def _prefer_combined(hits: list[Hit], families: Families, query_terms: set[str]) -> list[Hit]:
    """When the best hit is a variant and a close runner-up of the same family is another
    variant the query names, and one family member is both special cases at once ("khai sinh
    có yếu tố nước ngoài" + "khai sinh cho người đã có hồ sơ" = "khai sinh có yếu tố nước
    ngoài cho người đã có hồ sơ"), that member is meant: move it first."""
    top = hits[0]
    main = families.main_of.get(top.code)
    if main is None:
        return hits
    if not (families.names_variant(top.code, query_terms) or top.kind in ("alias", "faq")):
        return hits
    for other in hits[1:]:
        if other.score < FAMILY_RATIO * top.score:
            break
        if families.main_of.get(other.code) != main:
            continue
        if not families.names_variant(other.code, query_terms, top.code):
            continue
        wanted = families.qualifiers[top.code] | families.qualifiers[other.code]
        combined = [
            code
            for code in families.variants[main]
            if code not in (top.code, other.code) and families.qualifiers[code] >= wanted
        ]
        if not combined:
            continue
        code = min(combined, key=lambda c: (len(families.qualifiers[c]), c))
        for i, hit in enumerate(hits):
            if hit.code == code:
                return [hit, *hits[:i], *hits[i + 1 :]]
        return hits
    return hits


def _own_terms(title: tuple[str, ...], other: frozenset[str]) -> frozenset[str]:
    """What names ``title`` against a title with the syllables ``other``: adjacent pairs in
    the runs of its syllables the other lacks."""
    pairs: set[str] = set()
    i = 0
    while i < len(title):
        if title[i] in other:
            i += 1
            continue
        j = i
        while j < len(title) and title[j] not in other:
            j += 1
        # a one-syllable run is named with a neighbour ("cấp lại", not the "lại" of "nộp lại"),
        # a longer one by its own pairs ("thôi làm", not the "làm hòa" of "làm hòa giải viên")
        span = title[max(0, i - 1) : j + 1] if j - i == 1 else title[i:j]
        pairs.update(
            f"{a} {b}"
            for a, b in itertools.pairwise(span)
            if a not in lexical.STOPWORDS or b not in lexical.STOPWORDS
        )
        i = j
    return frozenset(pairs)


def _contrast(a: tuple[str, ...], b: tuple[str, ...], query_terms: set[str]) -> int:
    """For two close titles (sharing at least CLOSE_TITLES of their syllables), which one the
    query picks by the words only one of them has: 1 for ``a`` ("mô tô nước ... lần đầu" over
    "đăng ký lại ..."; "khai tử ... biên giới" over "khai sinh ... biên giới" when the query
    says "khai tử"), -1 for ``b``, 0 when it names both sides' words or neither."""
    set_a, set_b = frozenset(a), frozenset(b)
    if not a or not b or len(set_a & set_b) < CLOSE_TITLES * len(set_a | set_b):
        return 0
    names_a = bool(_own_terms(a, set_b) & query_terms)
    names_b = bool(_own_terms(b, set_a) & query_terms)
    return int(names_a) - int(names_b)


def _prefer_contrasted(
    hits: list[Hit], titles: dict[str, tuple[str, ...]], query_terms: set[str]
) -> list[Hit]:
    """Move first a close runner-up whose own title words the query names while it names
    none of the best hit's."""
    top = hits[0]
    title = titles.get(top.code, ())
    for i, hit in enumerate(hits[1:], start=1):
        if hit.score < FAMILY_RATIO * top.score:
            break
        if _contrast(titles.get(hit.code, ()), title, query_terms) > 0:
            return [hit, *hits[:i], *hits[i + 1 :]]
    return hits


def _prefer_asked_act(
    hits: list[Hit], title_phrases: dict[str, frozenset[str]], asked: frozenset[str]
) -> list[Hit]:
    """Move first a close runner-up whose title does what the query asks ("đóng cửa quán,
    hủy giấy phép": "chấm dứt hoạt động hộ kinh doanh") when the best hit's title does not
    ("đăng ký thành lập hộ kinh doanh"); one that says it in the query's own words ("đính
    chính") goes before one that only does the same kind of act ("cải chính"). One-syllable
    phrases ("đổi", "hủy") only tell the kind: "đổi chủ hộ" is no "thay đổi chủ xe"."""
    if not asked:
        return hits
    wanted = acts.acts_of(asked)
    top = hits[0]

    def rank(hit: Hit) -> int:
        phrases = title_phrases.get(hit.code, frozenset())
        own_words = any(" " in p for p in phrases & asked)
        return 2 if own_words else 1 if acts.acts_of(phrases) & wanted else 0

    best, best_rank = 0, rank(top)
    for i, hit in enumerate(hits[1:], start=1):
        if hit.score < ACT_RATIO * top.score:
            break
        if (hit_rank := rank(hit)) > best_rank:
            best, best_rank = i, hit_rank
    if best == 0:
        return hits
    return [hits[best], *hits[:best], *hits[best + 1 :]]


def _channel_twin(index: SearchIndex, a: str, b: str) -> bool:
    return channels.twins(
        (index.channels.get(a), index.titles.get(a, ())),
        (index.channels.get(b), index.titles.get(b, ())),
    )


def _prefer_channel(index: SearchIndex, hits: list[Hit], wanted: str) -> list[Hit]:
    """Move first the close twin filed through the channel the query asks for (in person
    unless it says online) when the best hit is the other way of filing the same act."""
    top = hits[0]
    if index.channels.get(top.code, wanted) == wanted:
        return hits
    for i, hit in enumerate(hits[1:], start=1):
        if hit.score < FAMILY_RATIO * top.score:
            break
        if index.channels.get(hit.code) == wanted and _channel_twin(index, top.code, hit.code):
            return [hit, *hits[:i], *hits[i + 1 :]]
    return hits


def _other_kinds(index: SearchIndex, hits: list[Hit], texts: list[str]) -> set[str]:
    """The hits whose procedure is for another kind of organisation than the query names."""
    if not index.kinds:
        return set()
    named = frozenset().union(*(kinds.kinds_in(folded_syllables(t)) for t in texts if t))
    return {h.code for h in hits if kinds.mismatched(index.kinds.get(h.code, frozenset()), named)}


def _other_ages(index: SearchIndex, hits: list[Hit], sylls: list[str]) -> set[str]:
    """The hits whose title is for an age range that excludes the age the query gives."""
    asked = ages.asked_ages(sylls)
    return {h.code for h in hits if ages.excludes(index.ages.get(h.code), asked)}


def _subjectless(index: SearchIndex, hits: list[Hit], query_sylls: set[str]) -> set[str]:
    """The special-case variants among ``hits`` whose subject the query never names: "giấy
    thông hành sang chợ bên kia biên giới" matches the qualifier of "khai tử ... tại khu vực
    biên giới" through synonyms, not its "khai tử"."""
    return {
        h.code
        for h in hits
        if (subject := index.subjects.get(h.code)) and not subject & query_sylls
    }


def _demote(hits: list[Hit], codes: set[str]) -> list[Hit]:
    if not codes:
        return hits
    lowered = [
        dataclasses.replace(h, score=round(h.score * KIND_PENALTY, 4)) if h.code in codes else h
        for h in hits
    ]
    return sorted(lowered, key=lambda h: -h.score)  # stable: ties keep their order


def _content_size(query: str) -> int:
    return sum(1 for s in lexical.content_syllables(query) if s and s not in lexical.STOPWORDS)


# Everyday words no knowledge text needs (kin, time, talk), folded: "làm giấy khai sinh cho con
# gái" or "cần gấp, phải hẹn à" is no less about the procedure it names.
EVERYDAY_WORDS = frozenset(["gai", "re", "thim", "ut", "hen", "som", "tuan", "chut", "xiu"])


def unknown_words(index: SearchIndex, query: str) -> tuple[str, ...]:
    """The words of ``query`` (folded) that no knowledge text has, after titles' acronyms are
    spelled out, glued words put apart and everyday phrases replaced by their terms (synonyms
    such as "người Úc" are known)."""
    lex = index.lexical
    plain, expanded = lexical.prepared(lex, query)
    text = expanded or plain
    return tuple(
        dict.fromkeys(
            s
            for s in lexical.content_syllables(text)
            if s
            and s not in lexical.STOPWORDS
            and s not in lex.words.vocab
            and s not in EVERYDAY_WORDS
            and s.isalpha()
            and len(s) > 1
            and _VOWEL_RE.search(s)
        )
    )


def _query_syllables(query: str, synonyms: lexical.SynonymRules = ()) -> set[str]:
    """Content syllables and adjacent pairs of the query and of its synonym expansion ("người
    Hàn Quốc" names the "có yếu tố nước ngoài" variants), without what a negation rules out."""
    texts = [query, lexical.expand(synonyms, query) or ""]
    return {s for text in texts for s in _named_terms(text)}


def resolve(
    knowledge: Knowledge,
    query: str,
    *,
    ambiguous_ratio: float = AMBIGUOUS_RATIO,
) -> Resolution:
    """Decide which procedure ``query`` is about: "found" (one clear winner, with its close
    family variants), "ambiguous" (ask, offering up to three), or "none" (nothing fits)."""
    if not query or not query.strip():
        return Resolution("none")
    exact = _exact(knowledge, query)
    if exact:
        return Resolution("found", (exact[0],))
    index = index_for(knowledge)
    hits = _ranked(index, query, 10)
    spelled = lexical.acronyms.expand(index.lexical.acronyms, query)
    expanded = lexical.expand(index.lexical.synonyms, spelled) or ""
    spelled_sylls = folded_syllables(spelled)
    # procedures for another kind of organisation or another age than the query names
    mismatched = _other_kinds(index, hits, [query, spelled, expanded])
    mismatched |= _other_ages(index, hits, spelled_sylls)
    sylls = _query_syllables(query, index.lexical.synonyms)
    sylls |= _query_syllables(spelled)
    mismatched |= _subjectless(index, hits, sylls)
    hits = _demote(hits, mismatched)
    if not hits or not _fits(hits[0]):
        return Resolution("none", tuple(hits[:3]))
    families = index.families
    hits = _prefer_combined(hits, families, sylls)
    hits = _prefer_main(hits, families, sylls, index.main_words)
    hits = _prefer_named_variant(hits, families, sylls)
    if hits[0].code not in families.main_of and hits[0].code not in families.variants:
        hits = _prefer_contrasted(hits, index.titles, sylls)
    asked = acts.asked_phrases(query)
    hits = _prefer_asked_act(hits, index.acts, asked)
    hits = _prefer_channel(index, hits, channels.asked_channel(spelled_sylls))
    top = hits[0]
    top_family = set(families.family(top.code))
    top_title = index.titles.get(top.code, ())
    # a close title the query rules out by naming only the top's own words is no rival, nor
    # is one that does not do what the query asks when the top does, nor the top's twin filed
    # the other way (bot.knowledge.channels)
    wanted = acts.acts_of(asked)
    top_does = bool(wanted & acts.acts_of(index.acts.get(top.code, frozenset())))
    ruled_out = {
        h.code
        for h in hits[1:]
        if _contrast(top_title, index.titles.get(h.code, ()), sylls) > 0
        or (top_does and not wanted & acts.acts_of(index.acts.get(h.code, frozenset())))
        or _channel_twin(index, top.code, h.code)
    }
    # Close runners-up from the top's own family are variants to offer, not rivals, unless
    # the query names what distinguishes them.
    rivals = [
        h
        for h in hits[1:]
        if h.score >= ambiguous_ratio * top.score
        and h.code not in ruled_out
        and not (top.cover >= WHOLE_TEXT and h.cover < top.cover - COVER_GAP)
        and not (h.code in top_family and not families.names_variant(h.code, sylls, top.code))
    ]
    runner = max(
        (h.score for h in hits[1:] if h.code not in top_family and h.code not in ruled_out),
        default=0.0,
    )
    short = _content_size(query) < MARGIN_LONG
    unknown = short and bool(unknown_words(index, query))
    by_margin = (
        top.code not in mismatched
        and top.kind != "document"
        and (top.match or 0.0) >= MARGIN_MATCH
        and runner < SURE_MARGIN * top.score
        and (top.cover >= MARGIN_SHORT_COVER or not short)
        and not unknown
    )
    sure = _sure(top) and top.code not in mismatched and not unknown
    # no rival within reach and half of one of its texts in the message: a long message telling
    # the citizen's situation matches little of itself, but names the procedure
    leaning = (
        not (sure or by_margin)
        and top.cover >= LEAN_COVER
        and top.kind != "document"
        and top.code not in mismatched
        and not unknown
    )
    if rivals or not (sure or by_margin or leaning):
        candidates = [top, *rivals] if rivals else hits[:3]
        # close members of the top's family are offered too (as they would come along as
        # variants if the top were sure)
        candidates += [
            h
            for h in hits[1:]
            if h.code in top_family
            and h.score >= ambiguous_ratio * top.score
            and h not in candidates
        ]
        return Resolution("ambiguous", tuple(candidates[:3]))
    variants: tuple[str, ...] = ()
    if top.code in families.variants:
        ranked = [h.code for h in hits if h.code in families.variants[top.code]]
        rest = [c for c in families.variants[top.code] if c not in ranked]
        variants = tuple([*ranked, *rest][:MAX_VARIANTS])
    related: tuple[str, ...] = ()
    if leaning:  # what search would have asked about stays one tap away
        related = tuple(h.code for h in hits[1:3] if h.code not in variants)
    elif not variants:  # under an answer offering special cases, a third message is noise
        related = tuple(
            h.code
            for h in hits[1:]
            if h.code not in top_family and h.score >= RELATED_RATIO * top.score and _fits(h)
        )[:MAX_RELATED]
    return Resolution("found", (top,), variants, related)
