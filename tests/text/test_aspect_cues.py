"""Tests for bot.text.aspect_cues (standard library only: runs in both virtualenvs)."""

from __future__ import annotations

import pytest

from bot.text import folded_syllables
from bot.text.aspect_cues import ASPECT_CUES, cue_spans, cued_aspects, last_cued_aspect


def test_spans_cover_the_cue_syllables() -> None:
    syllables = folded_syllables("lệ phí làm sổ hộ khẩu bao nhiêu tiền")
    spans = cue_spans(syllables)
    assert (0, 2, "fee") in spans
    start = syllables.index("bao")
    assert (start, start + 3, "fee") in spans
    assert all(syllables[s:e] for s, e, _ in spans)


def test_a_cue_must_match_whole_syllables() -> None:
    # "phi" inside "phiếu" is not the fee cue, nor "bao" alone a time cue
    assert cue_spans(folded_syllables("phiếu lý lịch tư pháp, bao gồm")) == []


@pytest.mark.parametrize(
    ("text", "aspects"),
    [
        ("đăng ký kết hôn mất bao lâu, lệ phí bao nhiêu", ["fee", "time"]),
        ("nop ho so o dau", ["place"]),
        ("Cần giấy tờ gì?", ["documents"]),
        ("chuyển nơi nhận lương hưu sao", ["steps"]),
        ("làm căn cước thế nào", ["steps"]),
        ("khai báo tạm vắng thì sao", ["steps"]),
        ("đăng ký tạm trú cho sinh viên thì tôi phải làm gì", ["steps"]),
        ("photo công chứng mất bao nhiêu 1 trang", ["fee"]),
        # "cần giấy xác nhận" names the paper asked for, not the papers to bring
        ("cần giấy xác nhận nơi cư trú để xin việc", []),
        # a final "sao" that is a copy or stars asks nothing
        ("xin cấp bản sao", []),
        ("cho 5 sao", []),
        ("xin chào", []),
    ],
)
def test_cued_aspects_in_list_order(text: str, aspects: list[str]) -> None:
    assert cued_aspects(text) == aspects


def test_cues_are_folded_lowercase_syllables() -> None:
    for _, cues in ASPECT_CUES:
        for cue in cues:
            assert cue == " ".join(folded_syllables(cue)), cue


def test_of_overlapping_cues_the_longer_or_later_one_stays() -> None:
    # "mất bao nhiêu" (fee) and "bao nhiêu ngày" (time) overlap: the question is how long
    assert cued_aspects("chứng thực mất bao nhiêu ngày") == ["time"]
    assert cued_aspects("chứng thực mất bao nhiêu") == ["fee"]


@pytest.mark.parametrize(
    ("text", "strong_only", "aspect"),
    [
        ("đã có đủ giấy tờ rồi, giờ nộp ở đâu", False, "place"),
        ("nộp ở đâu, cần giấy tờ gì", False, "documents"),
        ("làm ở xã hay huyện, lấy ngay được không", False, "place"),  # "được không" is weak
        ("chứng thực lấy ngay được không", False, "conditions"),  # but a cue when alone
        ("chứng thực lấy ngay được không", True, None),
        ("xin chào", False, None),
    ],
)
def test_last_cued_aspect(text: str, strong_only: bool, aspect: str | None) -> None:
    assert last_cued_aspect(text, strong_only=strong_only) == aspect


def test_answer_only_cues_are_no_nlu_features() -> None:
    syllables = folded_syllables("chứng thực mất bao nhiêu")
    assert cue_spans(syllables) == []  # what the NLU was measured with
    assert cue_spans(syllables, nlu=False) == [(2, 5, "fee")]
    assert cued_aspects("chứng thực mất bao nhiêu") == ["fee"]
