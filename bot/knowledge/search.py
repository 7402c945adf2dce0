"""First lexical procedure search: BM25 over diacritic-folded syllable unigrams and bigrams.

Each searchable text (title, alias, FAQ question, document name) is one BM25 "entry" with a
field weight; a procedure scores as its best entry. Scores are normalised by the query's IDF
mass (unknown words count too, question words like "cần gì" and aspect phrases like "lệ phí"
are dropped), so they read roughly as "how much of what the citizen typed matched" and
thresholds do not depend on corpus size. Queries without marks or
with chat abbreviations ("dk thuong tru") fold to the same terms as the marked titles.

A later issue replaces or extends this with word-segmented tokens, character n-grams and dense
retrieval; keep the public surface (`search`, `resolve`, `Hit`, `Resolution`) stable.
"""

from __future__ import annotations

import itertools
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from bot.knowledge.schema import Knowledge, Procedure
from bot.text import folded_syllables

CODE_IN_TEXT_RE = re.compile(r"(?<![\d.])(\d\.\d{6})(?![\d])")

# Field weights: what citizens say (aliases) and the official title count fully; FAQ questions
# a bit less; document names only help when nothing better matches (they share many words).
WEIGHTS = {"title": 1.0, "alias": 1.0, "faq": 0.7, "document": 0.3}
K1 = 1.2
B = 0.5  # entries are short and similar in length; mild length normalisation
MIN_IDEAL = 3.0  # floor for the normaliser, so a single common word never scores as a full match
UNKNOWN_BIGRAM_WEIGHT = 0.5

# With hundreds of imported procedures many titles contain the main one's words ("Đăng ký khai
# sinh" vs "Đăng ký khai sinh lưu động"): an entry loses up to this share of its score for the
# part of it (IDF mass) the query does not mention, so the closest entry wins.
SPECIFICITY = 0.4

# Decision thresholds for `resolve` (normalised scores, see module doc).
MIN_SCORE = 0.5
AMBIGUOUS_RATIO = 0.85  # second best within 85 % of the best: ask which one


@dataclass(frozen=True)
class Hit:
    code: str
    score: float  # normalised: ~1.0 = everything known in the query matched one entry
    matched: str = ""  # the text that matched best (for logs and "did you mean" buttons)
    exact: bool = False  # the query contained this official code
    match: float | None = None  # share of the query matched, before SPECIFICITY (None = score)


@dataclass(frozen=True)
class Resolution:
    """What the search decided: one procedure, a few candidates to ask about, or nothing."""

    kind: Literal["found", "ambiguous", "none"]
    hits: tuple[Hit, ...] = ()

    @property
    def code(self) -> str | None:
        return self.hits[0].code if self.kind == "found" and self.hits else None


# Question and politeness words (folded) that never identify a procedure: "cần gì", "ở đâu",
# "bao lâu", "ạ". Dropped as unigrams; a bigram is kept when one side is a content word
# ("can cuoc" = "căn cước" survives although "can" = "cần" is dropped). "mat" is here because
# "mất bao lâu" (how long) is far more common than "mất" (died) alone; "người nhà mất" still
# matches through its bigram.
_STOPWORD_TEXT = """a ah ak oi nhe nhi vay the nao gi can bao lau nhieu o dau sao khong ko co duoc
    thi la minh toi em anh chi ban xin chao hoi muon phai nhung cac va voi cua de ra giup
    gium luc may roi chua hay hoac ve nay kia mat"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Two-syllable phrases that say WHAT is asked (the intent), not WHICH procedure: removed
# entirely, so "khai sinh cần giấy tờ gì" and "khai tử cần giấy tờ gì" differ only where
# they should.
STOP_PHRASES = frozenset(
    {
        "thu tuc",
        "giay to",
        "ho so",
        "le phi",
        "thoi gian",
        "mang theo",
        "bao lau",
        "o dau",
        "bao nhieu",
        "cho hoi",
        "xin hoi",
        "tro ly",
    }
)


_FINAL_Y_RE = re.compile(r"(?<=[^aeiouy])y$")


def _canon(syllable: str) -> str:
    # "ký"/"kí", "lý"/"lí" are both in use: a final y after a consonant is read as i.
    return _FINAL_Y_RE.sub("i", syllable)


def terms(text: str) -> list[str]:
    """Index terms of a text: folded content syllables plus adjacent-syllable bigrams."""
    sylls: list[str | None] = [_canon(s) for s in folded_syllables(text)]
    for i in range(len(sylls) - 1):
        if sylls[i] and sylls[i + 1] and f"{sylls[i]} {sylls[i + 1]}" in STOP_PHRASES:
            sylls[i] = sylls[i + 1] = None
    unigrams = [s for s in sylls if s and s not in STOPWORDS]
    bigrams = [
        f"{a} {b}"
        for a, b in itertools.pairwise(sylls)
        if a and b and (a not in STOPWORDS or b not in STOPWORDS)
    ]
    return unigrams + bigrams


@dataclass
class _Entry:
    code: str
    text: str
    weight: float
    tf: Counter[str]
    length: int
    idf_mass: float = 0.0  # sum of the IDF of its distinct terms, set when the index is built


@dataclass
class SearchIndex:
    entries: list[_Entry]
    df: Counter[str] = field(default_factory=Counter)
    avg_length: float = 1.0
    postings: dict[str, list[int]] = field(default_factory=dict)

    def idf(self, term: str) -> float:
        n = len(self.entries)
        df = self.df.get(term, 0)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def _entry_texts(procedure: Procedure) -> list[tuple[str, str]]:
    texts = [("title", procedure.title)]
    texts += [("alias", alias) for alias in procedure.aliases]
    for entry in procedure.faq:
        texts += [("faq", entry.question)] + [("faq", alt) for alt in entry.alternates]
    for group in procedure.documents:
        texts += [("document", item.name) for item in group.items]
    return texts


def build_index(knowledge: Knowledge) -> SearchIndex:
    entries = []
    for procedure in knowledge.procedures.values():
        for kind, text in _entry_texts(procedure):
            entry_terms = terms(text)
            if entry_terms:
                entries.append(
                    _Entry(
                        procedure.code, text, WEIGHTS[kind], Counter(entry_terms), len(entry_terms)
                    )
                )
    index = SearchIndex(entries)
    for position, entry in enumerate(entries):
        for term in entry.tf:
            index.df[term] += 1
            index.postings.setdefault(term, []).append(position)
    if entries:
        index.avg_length = sum(e.length for e in entries) / len(entries)
    for entry in entries:
        entry.idf_mass = sum(index.idf(term) for term in entry.tf)
    return index


# Knowledge snapshots are immutable, so one index per snapshot; keep only the latest few.
_indexes: dict[int, tuple[Knowledge, SearchIndex]] = {}
_indexes_lock = threading.Lock()


def index_for(knowledge: Knowledge) -> SearchIndex:
    with _indexes_lock:
        cached = _indexes.get(id(knowledge))
        if cached is not None and cached[0] is knowledge:
            return cached[1]
        index = build_index(knowledge)
        if len(_indexes) >= 4:
            _indexes.pop(next(iter(_indexes)))
        _indexes[id(knowledge)] = (knowledge, index)
        return index


def _score_entries(index: SearchIndex, query_terms: Counter[str]) -> dict[int, float]:
    scores: dict[int, float] = {}
    for term in query_terms:
        postings = index.postings.get(term)
        if not postings:
            continue
        idf = index.idf(term)
        for position in postings:
            entry = index.entries[position]
            # Binary tf: a long official title repeating "đăng ký" three times is not more
            # about "đăng ký" than a short one (with hundreds of titles this decided ranks).
            tf = min(entry.tf[term], 1)
            norm = K1 * (1 - B + B * entry.length / index.avg_length)
            scores[position] = scores.get(position, 0.0) + idf * tf * (K1 + 1) / (tf + norm)
    return scores


def search(knowledge: Knowledge, query: str, k: int = 3) -> list[Hit]:
    """Up to ``k`` procedures best matching ``query``, best first; an official code in the
    query ("1.001193") returns that procedure first with ``exact=True``."""
    if not query or k <= 0:
        return []
    hits: list[Hit] = []
    for code in dict.fromkeys(CODE_IN_TEXT_RE.findall(query)):
        if code in knowledge.procedures:
            hits.append(Hit(code, 1.0, knowledge.procedures[code].title, exact=True))
    if hits:
        return hits[:k]

    index = index_for(knowledge)
    query_terms = Counter(terms(query))
    known = [t for t in query_terms if t in index.df]
    if not known:
        return []
    # Unknown terms ("ly" in "ly hôn") count against the match: the citizen asked for something
    # the knowledge may not have. Unknown bigrams count half: some are new word orders of known
    # syllables ("khai sinh cho bé").
    unknown = sum(
        index.idf(t) * (UNKNOWN_BIGRAM_WEIGHT if " " in t else 1.0)
        for t in query_terms
        if t not in index.df
    )
    ideal = max(sum(index.idf(t) for t in known) + unknown, MIN_IDEAL)
    best: dict[str, tuple[float, str, float]] = {}
    for position, raw in _score_entries(index, query_terms).items():
        entry = index.entries[position]
        match = raw * entry.weight / ideal
        covered = sum(index.idf(t) for t in entry.tf if t in query_terms)
        unmentioned = 1.0 - covered / entry.idf_mass if entry.idf_mass else 0.0
        score = match * (1.0 - SPECIFICITY * unmentioned)
        if score > best.get(entry.code, (0.0, "", 0.0))[0]:
            best[entry.code] = (score, entry.text, match)
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))
    return [
        Hit(code, round(score, 4), text, match=round(match, 4))
        for code, (score, text, match) in ranked[:k]
    ]


def resolve(
    knowledge: Knowledge,
    query: str,
    *,
    min_score: float = MIN_SCORE,
    ambiguous_ratio: float = AMBIGUOUS_RATIO,
) -> Resolution:
    """Decide which procedure ``query`` is about: "found" (one clear winner), "ambiguous"
    (the top candidates are too close: ask, offering them), or "none" (nothing fits)."""
    hits = search(knowledge, query, k=3)
    if hits and hits[0].exact:
        return Resolution("found", (hits[0],))
    # "Does anything fit" looks at how much of the query matched; SPECIFICITY only ranks.
    if not hits or max(h.score if h.match is None else h.match for h in hits) < min_score:
        return Resolution("none")
    # Closeness is judged before the score floor: a runner-up just under it still makes the
    # best one uncertain ("đăng ký xe máy" fits several vehicle procedures about equally).
    close = tuple(h for h in hits if h.score >= ambiguous_ratio * hits[0].score)
    if len(close) > 1:
        return Resolution("ambiguous", close)
    return Resolution("found", (hits[0],))
