"""Acronyms of the knowledge ("TNLĐ", "BNN", "KCB", "BHTN"), read from the knowledge itself.

Titles write some words as capital initials ("Giải quyết hưởng chế độ TNLĐ, BNN ..."), citizens
write them in full ("tai nạn lao động") or in lowercase ("tnld"). The chat abbreviations of
`bot.text` cover the common ones (BHXH, BHYT, UBND, CMND, GCN...); the others are derived here:
a capitalised token of a title whose spelled-out form (the words whose initials spell it, "tai
nạn lao động" for TNLĐ) occurs in the texts of the procedures that use it. Both the indexed
texts and the query are rewritten with the full form, so either spelling matches the other.
No list to maintain: a newly imported title brings its acronyms along.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from bot.knowledge.schema import Knowledge, Procedure
from bot.text import ABBREVIATIONS, fold, nfc

_WORD_RE = re.compile(r"[^\W\d_]+")
_SEGMENT_RE = re.compile(r"[^,.;:()/\n\-–]+")  # a spelled-out form never crosses punctuation


def _texts(procedure: Procedure) -> Iterator[str]:
    yield procedure.title
    yield from procedure.aliases
    for group in procedure.documents:
        if group.case:
            yield group.case
        for item in group.items:
            yield item.name
        yield from group.notes
    yield from procedure.steps
    yield from procedure.conditions
    if procedure.result:
        yield procedure.result
    for entry in procedure.faq:
        yield entry.question
        yield entry.answer
        yield from entry.alternates
    for document in procedure.legal_basis:
        yield document.title


def _key(token: str) -> str:
    return token.lower().replace("đ", "d")


def derive(knowledge: Knowledge) -> dict[str, str]:
    """Acronym (lowercase, "đ" as "d") -> its most frequent spelled-out form."""
    users: dict[str, set[str]] = {}
    raw_words: set[str] = set()
    for code, procedure in knowledge.procedures.items():
        for token in _WORD_RE.findall(nfc(procedure.title)):
            if len(token) >= 2 and token.isupper():
                users.setdefault(token, set()).add(code)
        for text in _texts(procedure):
            raw_words.update(_WORD_RE.findall(nfc(text)))
    # folded once per distinct word: the texts repeat the same few thousand words many times
    words = {fold(w) for w in raw_words if not w.isupper()}
    table: dict[str, str] = {}
    for acronym, codes in sorted(users.items()):
        key = _key(acronym)
        # a real word ("III" is a numeral, "ADN" is written in lowercase elsewhere), or one the
        # chat abbreviations already spell out
        if fold(acronym) in words or key in ABBREVIATIONS:
            continue
        initials = acronym.lower()
        found: Counter[str] = Counter()
        for code in sorted(codes):
            for text in _texts(knowledge.procedures[code]):
                for segment in _SEGMENT_RE.findall(nfc(text)):
                    tokens = _WORD_RE.findall(segment)
                    for i in range(len(tokens) - len(initials) + 1):
                        span = tokens[i : i + len(initials)]
                        if any(t.isupper() and len(t) > 1 for t in span):
                            continue
                        if "".join(t[0].lower() for t in span) == initials:
                            found[" ".join(t.lower() for t in span)] += 1
        ranked = found.most_common(2)
        if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
            table[key] = ranked[0][0]
    return table


def expand(table: dict[str, str], text: str) -> str:
    """``text`` with each acronym of ``table`` (any case, "đ" or "d") spelled out."""
    if not table:
        return text
    return _WORD_RE.sub(lambda m: table.get(_key(m.group(0)), m.group(0)), nfc(text))
