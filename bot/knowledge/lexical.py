"""Lexical retrieval over the knowledge texts: BM25 on folded syllables and syllable bigrams,
plus TF-IDF cosine on character trigrams, with numpy postings.

Why these features:
- folded syllables ("dang", "ki") make text with and without diacritics identical, and the
  abbreviation table ("dk", "gks", "cccd") is applied before folding;
- syllable bigrams ("khai sinh", "ket hon") keep the word-level signal that word segmentation
  would give, without depending on underthesea, which segments unmarked text badly
  (architecture doc, "Facts measured");
- character trigrams over the joined content syllables survive typos ("thuong chu"),
  glued or split words ("khaisinh", "tam tru" vs "tạmtrú") and partial words.

Each searchable text of a procedure (title, alias, FAQ question, document name) is one
"entry". A query is scored against every entry; a procedure's score is its best entry's.
Pure functions + one immutable index per knowledge snapshot.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Container
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np

from bot.knowledge import acronyms
from bot.knowledge.schema import Knowledge, Procedure, SynonymGroup
from bot.text import fold, folded_syllables, syllables, telex

# Field weights: what citizens say (aliases) and the official title count fully; FAQ questions
# a bit less; document names only help when nothing better matches (they share many words).
WEIGHTS = {"title": 1.0, "alias": 1.0, "faq": 0.8, "document": 0.3}
K1 = 1.2
B = 0.5  # entries are short and similar in length: mild length normalisation
CHAR_N = 3

# Question and politeness words (folded) that never identify a procedure: "cần gì", "ở đâu",
# "bao lâu", "ạ". Dropped as unigrams; a bigram is kept when one side is a content word
# ("can cuoc" = "căn cước" survives although "can" = "cần" is dropped). "mất" (lost, died) stays
# a content word: "mất bao lâu", "mất tiền" are question phrases below.
_STOPWORD_TEXT = """a ah ak oi nhe nhi vay the nao gi can bao lau nhieu o dau sao khong ko co duoc
    thi la minh toi em anh chi ban xin chao hoi muon phai nhung cac va voi cua de ra giup
    gium luc may roi chua hay hoac ve nay kia ngay ad admin shop ac ha hay day nhe nha uh u
    vang da duoc biet sao ntn nhu tien cho mot"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# The same words as they are written with their marks. Folded, a stopword also stands for
# content words ("nha": "nhà" house, "bao": "báo" report, "ban": "bán" sell, "roi": "rơi"
# drop, "the": "thẻ" card, "dau": "đầu" first); in a text typed with diacritics a syllable is
# a stopword only when written as one of these, so "bán xe", "làm rơi thẻ", "nhà ở" keep their
# words. Unmarked or half-marked typing is read folded, as before.
_MARKED_STOPWORD_TEXT = """à á ạ ah ak ơi ôi oi nhé nhe nhỉ vậy thế thể nào gì cần bao lâu
    nhiêu nhiều ở đâu sao không ko có được thì là mình tôi em anh chị chỉ bạn xin chào hỏi
    muốn phải những nhưng các và với của để ra giúp giùm lúc mấy rồi chưa hay hãy hoặc về
    này nay kia ngày ad admin shop ác hả hà đây nha nhá uh ừ ư u vâng dạ đã biết ntn như
    tiền cho một"""
MARKED_STOPWORDS = frozenset(_MARKED_STOPWORD_TEXT.split())
# Two-syllable phrases that say WHAT is asked (the intent), not WHICH procedure: removed
# entirely, so "khai sinh cần giấy tờ gì" and "khai tử cần giấy tờ gì" differ only where
# they should.
STOP_PHRASES = frozenset(
    {
        "thu tuc", "giay to", "ho so", "le phi", "thoi gian", "mang theo", "bao lau",
        "o dau", "bao nhieu", "cho hoi", "xin hoi", "tro ly", "nop o", "mat bao",
        "mat may", "may ngay", "bao gio", "the nao", "nhu the", "can nhung", "nhung gi",
        "quy trinh", "cac buoc", "trinh tu", "dieu kien", "can cu", "phap ly", "lam sao",
        "lam the", "chi phi", "mien phi", "lam gi", "ai duoc", "thu gi", "mat tien",
        "mat phi", "mat gi", "het bao", "mat lau",
    }
)  # fmt: skip

_FINAL_Y_RE = re.compile(r"(?<=[^aeiouy])y$")


def canon(syllable: str) -> str:
    # "ký"/"kí", "lý"/"lí" are both in use: a final y after a consonant is read as i.
    return _FINAL_Y_RE.sub("i", syllable)


_MARKED_FINAL_Y = str.maketrans({"y": "i", "ý": "í", "ỳ": "ì", "ỷ": "ỉ", "ỹ": "ĩ", "ỵ": "ị"})


def marked_canon(syllable: str) -> str:
    """``canon`` for a syllable with its marks: "ký" and "kí" are one syllable."""
    if len(syllable) > 1 and syllable[-1] in "yýỳỷỹỵ" and fold(syllable[-2]) not in "aeiouy":
        return syllable[:-1] + syllable[-1].translate(_MARKED_FINAL_Y)
    return syllable


@lru_cache(maxsize=1 << 16)
def marked_terms(text: str) -> tuple[tuple[str, str | None], ...]:
    """(folded term, marked term) for each word term of ``text`` (as ``word_terms``); the
    marked term is None when the term's syllables carry no mark to compare ("khai sinh"), or,
    for a pair, when only one of them does."""
    folded = content_syllables(text)
    marked = [marked_canon(s) for s in syllables(text)]
    if len(marked) != len(folded):
        return ()
    has_mark = [fold(m) != m for m in marked]
    stop = stop_flags(text)
    out: list[tuple[str, str | None]] = []
    for i, f in enumerate(folded):
        if f and not stop[i]:
            out.append((f, marked[i] if has_mark[i] else None))
    for i in range(len(folded) - 1):
        a, b = folded[i], folded[i + 1]
        if a and b and not (stop[i] and stop[i + 1]):
            both = has_mark[i] and has_mark[i + 1]
            out.append((f"{a} {b}", f"{marked[i]} {marked[i + 1]}" if both else None))
    return tuple(out)


@lru_cache(maxsize=1 << 16)
def stop_flags(text: str, marks: bool | None = None) -> tuple[bool, ...]:
    """Per syllable of ``content_syllables(text)``, whether it is a stopword: its folded form
    is one, and, in a text typed with diacritics, it is written as one ("nha" and "nhá" are,
    "nhà" is not). ``marks`` says whether the text was typed with diacritics when the caller
    knows better than the text (a query whose synonyms put title wording in)."""
    folded = content_syllables(text)
    flags = [s is not None and s in STOPWORDS for s in folded]
    if not (_typed_with_marks(text) if marks is None else marks):
        return tuple(flags)
    marked = syllables(text)
    if len(marked) != len(folded):
        return tuple(flags)
    return tuple(
        flag and (fold(m) == m or marked_canon(m) in MARKED_STOPWORDS)
        for flag, m in zip(flags, marked, strict=True)
    )


def homograph(term: str) -> bool:
    """Whether a word term is made only of syllables that, folded, are stopwords ("nha o" of
    "nhà ở"): an unmarked query cannot say it, so it does not count in an entry's mass."""
    return all(s in STOPWORDS for s in term.split())


@lru_cache(maxsize=1 << 16)  # knowledge texts repeat (document names) and rebuilds re-read them
def content_syllables(text: str) -> tuple[str | None, ...]:
    """Folded, canonical syllables with question phrases blanked out (None)."""
    sylls: list[str | None] = [canon(s) for s in folded_syllables(text)]
    for i in range(len(sylls) - 1):
        if sylls[i] and sylls[i + 1] and f"{sylls[i]} {sylls[i + 1]}" in STOP_PHRASES:
            sylls[i] = sylls[i + 1] = None
    return tuple(sylls)


def word_terms(text: str, marks: bool | None = None) -> list[str]:
    """Index terms of a text: folded content syllables plus adjacent-syllable bigrams."""
    sylls = content_syllables(text)
    stop = stop_flags(text, marks)
    unigrams = [s for s, st in zip(sylls, stop, strict=True) if s and not st]
    bigrams = [
        f"{sylls[i]} {sylls[i + 1]}"
        for i in range(len(sylls) - 1)
        if sylls[i] and sylls[i + 1] and not (stop[i] and stop[i + 1])
    ]
    return unigrams + bigrams


def char_terms(text: str, n: int = CHAR_N) -> list[str]:
    """Character n-grams of the content syllables written together ("khaisinh")."""
    joined = "".join(s for s in content_syllables(text) if s and s not in STOPWORDS)
    if len(joined) < n:
        return [joined] if joined else []
    return [joined[i : i + n] for i in range(len(joined) - n + 1)]


# -- synonyms -------------------------------------------------------------------------------------

# (everyday phrase, replacement text, whether the phrase must match with its diacritics),
# longest phrase first. A phrase is compared on folded syllables, except a single marked
# syllable: folded, "đẻ" (give birth) would also be "để" (in order to), "cưới" (wed) "cuối".
SynonymRules = tuple[tuple[tuple[str, ...], str, bool], ...]


# Where a citizen was or goes ("sinh ở Úc", "sang Mỹ định cư", "bên Nhật"): a country is named
# by these words as by "người X" / "quốc tịch X".
PLACE_WORDS = ("o", "ben", "sang", "tai", "tu")


def place_phrases(group: SynonymGroup, vocab: Container[str] = ()) -> list[str]:
    """Phrases derived from a group naming nationalities: for each one-syllable X the group
    has both as "người X" and as "quốc tịch X", and that is no word of the knowledge texts
    ("nhật" is: "cập nhật"; "pháp": "tư pháp"), "ở X", "bên X", "sang X", "tại X", "từ X"
    (folded)."""
    folded = {tuple(canon(fold(s)) for s in syllables(p)) for p in group.everyday}
    countries = [
        key[1]
        for key in sorted(folded)
        if len(key) == 2
        and key[0] == "nguoi"
        and ("quoc", "tich", key[1]) in folded
        and key[1] not in STOPWORDS
        and key[1] not in vocab
    ]
    return [f"{place} {country}" for country in countries for place in PLACE_WORDS]


def synonym_rules(groups: list[SynonymGroup], vocab: Container[str] = ()) -> SynonymRules:
    rules: dict[tuple[tuple[str, ...], bool], str] = {}
    for group in groups:
        for phrase in place_phrases(group, vocab):
            rules.setdefault((tuple(canon(fold(s)) for s in phrase.split()), False), group.term)
        for phrase in group.everyday:
            marked = syllables(phrase)
            exact = len(marked) == 1 and fold(marked[0]) != marked[0]
            key = tuple(marked) if exact else tuple(canon(fold(s)) for s in marked)
            if key:
                rules.setdefault((key, exact), group.term)
    ordered = sorted(rules.items(), key=lambda rule: -len(rule[0][0]))
    return tuple((key, term, exact) for (key, exact), term in ordered)


_Rule = tuple[int, tuple[str, ...], str, bool]  # (rank, phrase, term, exact)


@lru_cache(maxsize=8)
def _rules_by_first(rules: SynonymRules) -> dict[tuple[str, bool], tuple[_Rule, ...]]:
    """The rules by (first syllable, exact), each list in the rules' order (longest first): a
    query position is compared with the few rules that can start there, not all of them."""
    by_first: dict[tuple[str, bool], list[_Rule]] = {}
    for rank, (phrase, term, exact) in enumerate(rules):
        by_first.setdefault((phrase[0], exact), []).append((rank, phrase, term, exact))
    return {key: tuple(group) for key, group in by_first.items()}


def expand(rules: SynonymRules, query: str) -> str | None:
    """The query with each everyday phrase replaced by its title wording (longest match first,
    left to right); None when no phrase occurs."""
    if not rules:
        return None
    by_first = _rules_by_first(rules)
    marked = syllables(query)
    folded = [canon(fold(s)) for s in marked]
    out: list[str] = []
    i = 0
    changed = False
    while i < len(marked):
        candidates = sorted(
            by_first.get((marked[i], True), ()) + by_first.get((folded[i], False), ())
        )
        for _, phrase, term, exact in candidates:
            seq = marked if exact else folded
            if tuple(seq[i : i + len(phrase)]) == phrase:
                out.append(term)
                i += len(phrase)
                changed = True
                break
        else:
            out.append(marked[i])
            i += 1
    return " ".join(out) if changed else None


# -- index ----------------------------------------------------------------------------------------


def entry_texts(procedure: Procedure) -> list[tuple[str, str]]:
    """(kind, text) of everything a citizen's words may match for one procedure."""
    texts = [("title", procedure.title)]
    texts += [("alias", alias) for alias in procedure.aliases]
    for entry in procedure.faq:
        texts += [("faq", entry.question)] + [("faq", alt) for alt in entry.alternates]
    for group in procedure.documents:
        texts += [("document", item.name) for item in group.items]
    return texts


@dataclass(frozen=True)
class Postings:
    """Term -> (entry ids, weights) in CSC-like arrays (one slice per term)."""

    vocab: dict[str, int]
    indptr: np.ndarray  # int64, len(vocab) + 1
    entries: np.ndarray  # int32
    weights: np.ndarray  # float32 (BM25 or tf-idf component)
    idf: np.ndarray  # float64 per term

    @cached_property
    def terms(self) -> list[str]:
        """Term id -> term."""
        return list(self.vocab)

    def gather(self, term_ids: list[int], term_weights: list[float] | None = None) -> tuple:
        if not term_ids:
            return np.empty(0, np.int32), np.empty(0, np.float64)
        spans = [(self.indptr[t], self.indptr[t + 1]) for t in term_ids]
        ids = np.concatenate([self.entries[a:b] for a, b in spans])
        w = [self.weights[a:b].astype(np.float64) for a, b in spans]
        if term_weights is not None:
            w = [part * qw for part, qw in zip(w, term_weights, strict=True)]
        return ids, np.concatenate(w)


def _idf(n: int, df: int) -> float:
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def _postings(docs: list[Counter[str]], weight_fn: str) -> Postings:
    n = len(docs)
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(doc.keys())
    vocab = {term: i for i, term in enumerate(sorted(df))}
    idf = np.array([_idf(n, df[t]) for t in vocab], dtype=np.float64)
    # homographs of stopwords do not lengthen an entry: an unmarked query scores as before
    lengths = np.array(
        [sum(c for t, c in d.items() if not homograph(t)) for d in docs], dtype=np.float64
    )
    avg = float(lengths.mean()) if n else 1.0
    per_term: list[list[tuple[int, float]]] = [[] for _ in vocab]
    for e, doc in enumerate(docs):
        if weight_fn == "bm25":
            norm = K1 * (1 - B + B * lengths[e] / avg)
            for term in doc:
                t = vocab[term]
                # Binary tf: a long title repeating "đăng ký" three times is not more about
                # "đăng ký" than a short one.
                per_term[t].append((e, idf[t] * (K1 + 1) / (1 + norm)))
        else:  # l2-normalised tf-idf, so a dot product is a cosine
            vec = {vocab[term]: tf * idf[vocab[term]] for term, tf in doc.items()}
            size = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            for t, v in vec.items():
                per_term[t].append((e, v / size))
    indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(p) for p in per_term])
    entries = np.fromiter((e for p in per_term for e, _ in p), np.int32, int(indptr[-1]))
    weights = np.fromiter((w for p in per_term for _, w in p), np.float32, int(indptr[-1]))
    return Postings(vocab, indptr, entries, weights, idf)


@dataclass(frozen=True)
class LexicalIndex:
    codes: list[str]  # procedure codes, position = procedure id
    entry_proc: np.ndarray  # int32: entry -> procedure id
    entry_kind: list[str]
    entry_text: list[str]
    entry_weight: np.ndarray  # float64 field weight
    entry_mass: np.ndarray  # float64: sum of the IDF of the entry's distinct word terms
    words: Postings
    chars: Postings
    synonyms: SynonymRules = ()
    acronyms: dict[str, str] = field(default_factory=dict)  # see bot.knowledge.acronyms
    # marked term -> the sorted ids of the entries that have it with exactly these marks
    marked: dict[str, np.ndarray] = field(default_factory=dict)
    # word-term id -> whether the term is a homograph of stopwords (see ``homograph``)
    homographs: frozenset[int] = frozenset()

    @property
    def size(self) -> int:
        return len(self.entry_kind)


def build(knowledge: Knowledge) -> LexicalIndex:
    codes = sorted(knowledge.procedures)
    spelled = acronyms.derive(knowledge)
    entry_proc: list[int] = []
    kinds: list[str] = []
    texts: list[str] = []
    word_docs: list[Counter[str]] = []
    char_docs: list[Counter[str]] = []
    marked: set[tuple[int, str]] = set()
    seen: set[tuple[int, str]] = set()
    for pid, code in enumerate(codes):
        for kind, shown in entry_texts(knowledge.procedures[code]):
            text = acronyms.expand(spelled, shown)  # "chế độ TNLĐ" -> "... tai nạn lao động"
            w = Counter(word_terms(text))
            key = (pid, " ".join(sorted(w)))
            if not w or key in seen:  # same words twice for one procedure: one entry
                continue
            seen.add(key)
            marked.update(
                (len(kinds), m)
                for f, m in marked_terms(text)
                for m in (m or f,)  # unmarked syllables are their own marked form
            )
            entry_proc.append(pid)
            kinds.append(kind)
            texts.append(shown)
            word_docs.append(w)
            char_docs.append(Counter(char_terms(text)))
    words = _postings(word_docs, "bm25")
    chars = _postings(char_docs, "tfidf")
    mass = np.array(
        [sum(words.idf[words.vocab[t]] for t in d if not homograph(t)) for d in word_docs],
        np.float64,
    )
    return LexicalIndex(
        codes=codes,
        entry_proc=np.array(entry_proc, dtype=np.int32),
        entry_kind=kinds,
        entry_text=texts,
        entry_weight=np.array([WEIGHTS[k] for k in kinds], dtype=np.float64),
        entry_mass=mass,
        words=words,
        chars=chars,
        synonyms=synonym_rules(knowledge.synonyms, words.vocab),
        acronyms=spelled,
        marked=_marked_postings(marked),
        homographs=frozenset(i for t, i in words.vocab.items() if homograph(t)),
    )


# -- scoring --------------------------------------------------------------------------------------

UNKNOWN_BIGRAM_WEIGHT = 0.5
MIN_IDEAL = 3.0  # floor for the normaliser: a single common word never scores as a full match
CHAR_WEIGHT = 0.3  # share of the character-trigram cosine in an entry's score
# An entry loses up to this share of its score for the part of it (IDF mass) the query does not
# mention, so "khai sinh" prefers "Đăng ký khai sinh" over "... khai sinh lưu động".
SPECIFICITY = 0.4


@dataclass(frozen=True)
class EntryScores:
    """Per-procedure best entry for one query (only procedures with any match)."""

    proc: np.ndarray  # procedure ids
    score: np.ndarray  # ranking score
    match: np.ndarray  # share of the query's IDF mass the best entry matched (0..1)
    cover: np.ndarray  # share of the best entry's IDF mass the query mentioned (0..1)
    entry: np.ndarray  # best entry id


def query_features(
    index: LexicalIndex, query: str, marks: bool | None = None
) -> tuple[list[int], float, list[int]]:
    """Known word-term ids, the query's ideal IDF mass (unknown terms included), char ids."""
    terms = dict.fromkeys(word_terms(query, marks))
    known = [index.words.vocab[t] for t in terms if t in index.words.vocab]
    unknown = sum(
        _idf(index.size, 0) * (UNKNOWN_BIGRAM_WEIGHT if " " in t else 1.0)
        for t in terms
        if t not in index.words.vocab and not homograph(t)
    )
    # homographs of stopwords ("nhà", "bán") help an entry that has them in the ranking, and
    # count against none: folded, the same query would not have said them
    counted = [t for t in known if t not in index.homographs]
    ideal = max(float(index.words.idf[counted].sum()) + unknown, MIN_IDEAL)
    char_counts = Counter(char_terms(query))
    chars = [index.chars.vocab[c] for c in char_counts if c in index.chars.vocab]
    return known, ideal, chars


_DIGITS_LETTERS_RE = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
MIN_GLUED = 4  # a glued word is at least two syllables of two letters ("chocon")


def _split_word(index: LexicalIndex, word: str) -> str:
    """``word`` (marked, lowercase) split in two where both halves and the pair are words of
    the knowledge texts ("khaisinh" -> "khai sinh", "đăngký" -> "đăng ký"); as is otherwise."""
    folded = canon(fold(word))
    vocab = index.words.vocab
    if len(folded) < MIN_GLUED or folded in vocab or len(folded) != len(word):
        return word
    for cut in range(2, len(folded) - 1):
        a, b = canon(folded[:cut]), canon(folded[cut:])
        known = (a in vocab or a in STOPWORDS) and (b in vocab or b in STOPWORDS)
        if known and f"{a} {b}" in vocab:
            return f"{word[:cut]} {word[cut:]}"
    return word


def split_glued(index: LexicalIndex, query: str) -> str:
    """The query with words typed without their space put apart: digits from letters ("2đứa",
    "25tuoi") and two syllables glued into one ("khaisinh", "đăngký", "chocon") when the
    knowledge texts have both syllables side by side. Unchanged when nothing was glued."""
    words = syllables(query)
    split = [part for w in words for part in _DIGITS_LETTERS_RE.sub(" ", w).split() if part]
    split = [_split_word(index, w) for w in split]
    return " ".join(split) if split != words else query


# A doubled last vowel or nasal final is a slip ("mangg", "đâuu"); "app" is a word.
_DOUBLED_LAST = frozenset("aeiouyng")


def _slip_readings(word: str) -> list[str]:
    """What ``word`` (lowercase, marked or not) may have been meant as, most likely first: it
    without a doubled last letter, or with Telex keys typed with the input method off undone
    ("ddang", "kys", "tamj": `bot.text.telex`)."""
    readings: list[str] = []
    if len(word) > 2 and word[-1] == word[-2] and fold(word[-1]) in _DOUBLED_LAST:
        readings.append(word[:-1])
    # Telex residue comes with the input method off (no marks), and shows as a tone key at the
    # end or a doubled key: "taxi" is a word, not "tai" with an "x"
    if fold(word) == word and telex.shows_keys(word):
        readings.append(telex.repair_syllable(word))
    return [r for r in readings if len(r) > 1 and r != word]


def _repaired_word(index: LexicalIndex, word: str) -> str:
    """``word`` read back from a typing slip (its first reading that is a word of the
    knowledge texts) when it is no such word itself; as is otherwise."""
    folded = canon(fold(word))
    vocab = index.words.vocab
    if not word.isalpha() or folded in vocab or folded in STOPWORDS:
        return word
    for reading in _slip_readings(word):
        key = canon(fold(reading))
        if key in vocab or key in STOPWORDS:
            return reading
    return word


def repair_slips(index: LexicalIndex, query: str) -> str:
    """The query with typing slips read back ("tamj tru" -> "tam tru", "mangg gì" -> "mang
    gì"). Unchanged when there was none."""
    words = syllables(query)
    repaired = [_repaired_word(index, w) for w in words]
    return " ".join(repaired) if repaired != words else query


def prepared(index: LexicalIndex, query: str) -> tuple[str, str | None]:
    """The query as scored: titles' acronyms spelled out, typing slips read back and glued
    words put apart; and that text with everyday words put in title wording (synonyms), None
    when none applies."""
    query = acronyms.expand(index.acronyms, query)
    query = split_glued(index, repair_slips(index, query))
    return query, expand(index.synonyms, query)


def score(index: LexicalIndex, query: str) -> EntryScores | None:
    """Score every entry against ``query``, and against the query with everyday words put in
    title wording (synonyms), and keep each procedure's best entry over both."""
    query, expanded = prepared(index, query)
    plain = _score(index, query)
    if expanded is None:
        return plain
    # read the expansion as the citizen typed: title wording put into an unmarked query does
    # not make its homographs of stopwords content words
    other = _score(index, expanded, _typed_with_marks(query))
    if plain is None or other is None:
        return other if plain is None else plain
    return _best_per_procedure(plain, other)


def _best_per_procedure(a: EntryScores, b: EntryScores) -> EntryScores:
    proc = np.concatenate([a.proc, b.proc])
    sc = np.concatenate([a.score, b.score])
    order = np.lexsort((-sc, proc))
    first = np.ones(order.size, dtype=bool)
    first[1:] = proc[order][1:] != proc[order][:-1]
    pick = order[first]

    def cat(name: str) -> np.ndarray:
        return np.concatenate([getattr(a, name), getattr(b, name)])[pick]

    return EntryScores(
        proc=proc[pick], score=sc[pick], match=cat("match"), cover=cat("cover"), entry=cat("entry")
    )


def _score(index: LexicalIndex, query: str, marks: bool | None = None) -> EntryScores | None:
    known, ideal, char_ids = query_features(index, query, marks)
    known = _unpaired(index, known)
    if not known and not char_ids:
        return None
    n = index.size
    ids, w = index.words.gather(known)
    bm25 = np.bincount(ids, weights=w, minlength=n)
    covered = _covered(index, known, n)
    _mismarked(index, query, bm25, covered)
    # what homographs of stopwords added ranks, and is no evidence of a match (confidence)
    bonus = np.zeros(n)
    extra = [t for t in known if t in index.homographs]
    if extra:
        hids, hw = index.words.gather(extra)
        bonus = np.minimum(np.bincount(hids, weights=hw, minlength=n), bm25)
    char_cos = np.zeros(n)
    if char_ids:
        query_vec = Counter(char_ids)
        qw = [query_vec[c] * float(index.chars.idf[c]) for c in query_vec]
        size = math.sqrt(sum(v * v for v in qw)) or 1.0
        cids, cw = index.chars.gather(list(query_vec), [v / size for v in qw])
        char_cos = np.bincount(cids, weights=cw, minlength=n)
    ranked = np.minimum(bm25 / ideal, 1.5)
    match = np.minimum((bm25 - bonus) / ideal, 1.5)
    cover = np.divide(covered, index.entry_mass, out=np.zeros(n), where=index.entry_mass > 0)
    raw = ((1 - CHAR_WEIGHT) * ranked + CHAR_WEIGHT * char_cos) * index.entry_weight
    entry_score = raw * (1.0 - SPECIFICITY * (1.0 - np.minimum(cover, 1.0)))
    hit = np.flatnonzero(entry_score > 0)
    if hit.size == 0:
        return None
    # best entry per procedure: sort by (procedure, -score) and take the first of each run
    order = hit[np.lexsort((-entry_score[hit], index.entry_proc[hit]))]
    procs = index.entry_proc[order]
    first = np.ones(order.size, dtype=bool)
    first[1:] = procs[1:] != procs[:-1]
    best = order[first]
    return EntryScores(
        proc=index.entry_proc[best],
        score=entry_score[best],
        match=np.minimum(match[best] * index.entry_weight[best], 1.0),
        cover=np.minimum(cover[best], 1.0),
        entry=best,
    )


# A term the query writes with marks ("công nhân", "thuế") matches an entry that has it only
# with other marks ("công nhận", "thuê") at this share of its weight.
MISMARKED_WEIGHT = 0.5


MARKED_SHARE = 0.5  # a query with marks on fewer of its syllables was typed without them


def _typed_with_marks(query: str) -> bool:
    """Whether the citizen typed with diacritics: sloppy typing ("lam can cươc") leaves marks
    out or half in, and its marked syllables say little."""
    sylls = syllables(query)
    return bool(sylls) and sum(fold(s) != s for s in sylls) >= MARKED_SHARE * len(sylls)


_NO_ENTRIES = np.zeros(0, dtype=np.int32)


def _marked_postings(pairs: set[tuple[int, str]]) -> dict[str, np.ndarray]:
    grouped: dict[str, list[int]] = {}
    for entry, term in pairs:
        grouped.setdefault(term, []).append(entry)
    return {term: np.array(sorted(ids), dtype=np.int32) for term, ids in grouped.items()}


def _mismarked(index: LexicalIndex, query: str, bm25: np.ndarray, covered: np.ndarray) -> None:
    """Lower, in place, what an entry gained from query terms that it has only with other
    marks. Only terms a query typed with diacritics writes with marks are compared."""
    if not index.marked or not _typed_with_marks(query):
        return
    for folded, marked in dict(marked_terms(query)).items():
        t = index.words.vocab.get(folded)
        if marked is None or t is None:
            continue
        a, b = index.words.indptr[t], index.words.indptr[t + 1]
        entries = index.words.entries[a:b]
        wrong = ~np.isin(entries, index.marked.get(marked, _NO_ENTRIES), assume_unique=True)
        if not wrong.any():
            continue
        loss = 1.0 - MISMARKED_WEIGHT
        np.subtract.at(bm25, entries[wrong], loss * index.words.weights[a:b][wrong])
        np.subtract.at(covered, entries[wrong], loss * index.words.idf[t])


BOUND = 0.75  # a homograph found in a pair in this share of its entries is bound to the pair


def _unpaired(index: LexicalIndex, known: list[int]) -> list[int]:
    """``known`` without the homographs of stopwords bound to a pair of the query that is no
    homograph: "căn" is all but always in "căn cước", so it says nothing the pair does not.
    A homograph that is a word of its own ("rơi", "bán", "nhà") adds to the ranking."""
    if not any(t in index.homographs for t in known):
        return known
    terms, df = index.words.terms, np.diff(index.words.indptr)
    bound = {
        t
        for t in known
        if t in index.homographs
        for p in known
        if p not in index.homographs
        and terms[t] in terms[p].split()
        and " " in terms[p]
        and df[p] >= BOUND * df[t]
    }
    return [t for t in known if t not in bound]


def _covered(index: LexicalIndex, known: list[int], n: int) -> np.ndarray:
    """Per entry, the IDF mass of the query terms it contains."""
    known = [t for t in known if t not in index.homographs]
    if not known:
        return np.zeros(n)
    ids, _ = index.words.gather(known)
    spans = np.diff(index.words.indptr)[known]
    return np.bincount(ids, weights=np.repeat(index.words.idf[known], spans), minlength=n)
