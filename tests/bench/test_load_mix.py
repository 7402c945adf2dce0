"""The load mix: deterministic, every kind present in roughly its share, realistic turns."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.load_mix import (
    FOLLOW_UPS,
    KIND_WEIGHTS,
    MixGenerator,
    ProcedureName,
    SampleDossier,
    sample_dossiers,
)
from bot.text.normalize import fold

PROCEDURES = [
    ProcedureName("Đăng ký khai sinh", ("làm giấy khai sinh", "khai sinh")),
    ProcedureName("Đăng ký kết hôn", ("đăng ký kết hôn",)),
    ProcedureName("Chứng thực bản sao từ bản chính"),
]
DOSSIERS = [SampleDossier("000.00.00.H26-250601-0002", "2345")]


def _draw(seed: int, n: int = 600) -> list:
    generator = MixGenerator(PROCEDURES, DOSSIERS, seed=seed)
    return [generator.next() for _ in range(n)]


def test_same_seed_same_traffic_other_seed_other_traffic() -> None:
    assert _draw(3, 50) == _draw(3, 50)
    assert _draw(3, 50) != _draw(4, 50)


def test_kinds_follow_their_weights() -> None:
    counts = Counter(c.kind for c in _draw(5))
    for kind, weight in KIND_WEIGHTS:
        assert abs(counts[kind] / 600 - weight) < 0.07, (kind, counts)


def test_procedure_conversations_name_a_procedure_then_follow_up() -> None:
    names = {fold(n.lower()) for p in PROCEDURES for n in p.names()}
    folded_questions = 0
    for conv in (c for c in _draw(6) if c.kind == "procedure"):
        question = next(t for t in conv.turns if any(n in fold(t.lower()) for n in names))
        folded_questions += question == fold(question)
        index = conv.turns.index(question)
        follow_ups = {fold(f) for f in FOLLOW_UPS}
        assert fold(conv.turns[index + 1]) in follow_ups  # a follow-up leans on the context
    assert folded_questions > 0  # some typed without marks


def test_dossier_conversation_is_the_form_with_a_sample_code() -> None:
    conv = next(c for c in _draw(7) if c.kind == "dossier")
    assert fold(conv.turns[0]) == "tra cuu tinh trang ho so"
    assert conv.turns[1:3] == ("000.00.00.H26-250601-0002", "2345")


def test_bundled_sample_dossiers_are_read() -> None:
    samples = sample_dossiers()
    assert samples and all(s.code and s.verify.isdigit() for s in samples)


def test_empty_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        MixGenerator([], DOSSIERS)
    with pytest.raises(ValueError):
        MixGenerator(PROCEDURES, [])
