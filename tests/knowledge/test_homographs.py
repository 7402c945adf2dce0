"""Folded, a stopword also stands for content words ("nha": "nhà", "bao": "báo", "ban":
"bán", "roi": "rơi", "the": "thẻ"): typed with diacritics they are words of the request."""

from __future__ import annotations

import pytest

from bot.knowledge import Knowledge, lexical, resolve, search
from bot.knowledge.search import index_for

REISSUE_ID = "1.014064"  # Cấp lại thẻ căn cước


@pytest.mark.parametrize(
    ("text", "words", "stops"),
    [
        ("bán nhà ở quê", {"ban", "nha"}, {"o"}),  # bán (sell), nhà (house); ở stays a stopword
        ("làm rơi thẻ rồi", {"roi", "the"}, set()),  # rơi (drop) vs rồi (already)
        ("báo cho bạn biết", {"bao"}, {"ban", "biet"}),  # báo (report) vs bao; bạn is "you"
        ("ban nha o que", set(), {"ban", "nha", "o"}),  # unmarked: read folded, as before
        ("bán nha o que", set(), {"ban", "nha", "o"}),  # one marked syllable is not marked typing
    ],
)
def test_marked_homographs_of_stopwords_are_words(text: str, words: set[str], stops: set[str]):
    terms = set(lexical.word_terms(text))
    assert words <= terms
    assert not stops & terms


def test_homograph_terms() -> None:
    assert lexical.homograph("nha o") and lexical.homograph("ban")
    assert not lexical.homograph("nha thue") and not lexical.homograph("the can cuoc")


def test_synonym_wording_does_not_mark_an_unmarked_query(shipped: Knowledge) -> None:
    # "lam can cuoc" is put in title wording ("thẻ căn cước") by a synonym: the citizen did not
    # type "thẻ", so it stays a stopword and adds nothing to the expanded query
    assert lexical.word_terms("thẻ căn cước", marks=False) == ["cuoc", "can cuoc"]


def test_a_homograph_ranks_but_is_no_evidence(shipped: Knowledge) -> None:
    marked = "xin cấp lại thẻ căn cước"
    plain = "xin cap lai the can cuoc"
    a, b = search(shipped, marked, 1)[0], search(shipped, plain, 1)[0]
    assert a.code == b.code == REISSUE_ID
    assert a.score > b.score  # "thẻ" counts for the title that has it
    assert a.match == b.match and a.cover == b.cover  # and do not make it surer


def test_dropped_card_is_reissued(shipped: Knowledge) -> None:
    # "rơi" read as "rồi" left "làm ... cccd" (the first card) level with "cấp lại"
    resolution = resolve(shipped, "con em làm rơi cccd trên xe buýt, giờ làm lại ra sao")
    assert resolution.kind == "found" and resolution.code == REISSUE_ID


def test_unmarked_index_terms_are_unchanged(shipped: Knowledge) -> None:
    # homographs do not lengthen entries nor count in their mass: an unmarked query's cover
    # of "Cấp lại thẻ căn cước" is all of it
    index = index_for(shipped).lexical
    hit = search(shipped, "cap lai the can cuoc", 1)[0]
    assert hit.code == REISSUE_ID and hit.cover == 1.0
    assert any(lexical.homograph(t) for t in index.words.vocab)


def test_a_homograph_bound_to_a_pair_adds_nothing(shipped: Knowledge) -> None:
    # "căn" is nearly always in "căn cước": the pair says it; "rơi" is a word of its own
    index = index_for(shipped).lexical
    known, _, _ = lexical.query_features(index, "làm rơi căn cước")
    kept = {index.words.terms[t] for t in lexical._unpaired(index, known)}
    assert "can cuoc" in kept and "can" not in kept
    assert "roi" in kept
