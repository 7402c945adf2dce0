"""Tests for bot.text (standard library only: runs in both virtualenvs)."""

from __future__ import annotations

import time
import unicodedata

import pytest

from bot.text import (
    ABBREVIATIONS,
    expand_abbreviations,
    fold,
    folded_syllables,
    nfc,
    normalize,
    normalize_folded,
    says_any,
    syllables,
)
from bot.text.abbreviations import AFTER

NFD = "NFD"


def nfd(text: str) -> str:
    return unicodedata.normalize(NFD, text)


# --- nfc -------------------------------------------------------------------------------------


def test_nfc_composes_decomposed_input() -> None:
    composed = "Đăng ký hộ khẩu ở đâu ạ"
    decomposed = nfd(composed)
    assert decomposed != composed
    assert nfc(decomposed) == composed


def test_nfc_reorders_marks_typed_in_another_order() -> None:
    # "ệ" typed as e + dot below + circumflex vs e + circumflex + dot below.
    assert nfc("e\u0323\u0302") == nfc("e\u0302\u0323") == "ệ"


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("hoà", "hòa"),
        ("thuý", "thúy"),
        ("khoẻ", "khỏe"),
        ("Thuỷ", "Thủy"),
        ("HOÀ", "HÒA"),
        ("oà", "òa"),
        ("uỷ ban", "ủy ban"),
    ],
)
def test_nfc_unifies_tone_placement(variant: str, canonical: str) -> None:
    assert nfc(variant) == canonical
    assert nfc(nfd(variant)) == canonical
    assert nfc(canonical) == canonical


@pytest.mark.parametrize("word", ["quý", "quỳ", "hoàng", "ngoài", "toán", "khuya", "của", "huế"])
def test_nfc_keeps_syllables_outside_the_rule(word: str) -> None:
    assert nfc(word) == word


def test_nfc_maps_eth_lookalike_to_d_stroke() -> None:
    assert nfc("\u00d0ăng ký") == "Đăng ký"


# --- fold ------------------------------------------------------------------------------------


def test_fold_removes_all_vowel_and_tone_marks() -> None:
    marked = "àáảãạ ăằắẳẵặ âầấẩẫậ èéẻẽẹ êềếểễệ ìíỉĩị òóỏõọ ôồốổỗộ ơờớởỡợ ùúủũụ ưừứửữự ỳýỷỹỵ"
    expected = "aaaaa aaaaaa aaaaaa eeeee eeeeee iiiii ooooo oooooo oooooo uuuuu uuuuuu yyyyy"
    assert fold(marked) == expected
    assert fold(marked.upper()) == expected


def test_fold_d_stroke_and_uppercase() -> None:
    assert fold("Đăng Ký ĐĐđ") == "dang ky ddd"
    assert fold("ỦY BAN NHÂN DÂN") == "uy ban nhan dan"


def test_fold_handles_nfd_and_leftover_marks() -> None:
    assert fold(nfd("Giấy khai sinh")) == "giay khai sinh"
    # A stray combining acute after a space or an emoji has nothing to compose with.
    assert fold("a \u0301b 😀\u0301") == "a b 😀"


def test_fold_keeps_other_scripts() -> None:
    text = "中文 ガギ Й ПРИВЕТ 😀 👨\u200d👩\u200d👧"
    assert fold(text) == "中文 ガギ й привет 😀 👨\u200d👩\u200d👧"


# --- abbreviations ----------------------------------------------------------------------------


def test_expand_abbreviations_in_context() -> None:
    assert expand_abbreviations("lam giay khai sinh ko dc a") == ("lam giay khai sinh không được a")
    assert expand_abbreviations("cho e hỏi đk kết hôn cần j") == (
        "cho em hỏi đăng ký kết hôn cần gì"
    )


def test_expand_abbreviations_case_and_d_stroke_insensitive() -> None:
    assert expand_abbreviations("Làm CCCD KO Đc") == "Làm căn cước công dân không được"
    assert expand_abbreviations("DC") == "được"


def test_expand_abbreviations_keeps_marked_words_and_non_tokens() -> None:
    # Tone marks are significant: "ạ" is a particle, "khống" a real word.
    assert expand_abbreviations("dạ ạ à khống") == "dạ ạ à khống"
    # Inside e-mails, URLs, hyphenated words and numbers nothing is expanded.
    text = "e-mail a.r@vs.vn http://x.vn/ko 50k k50 ko_dc"
    assert expand_abbreviations(text) == text


def test_expand_abbreviations_at_sentence_punctuation() -> None:
    assert expand_abbreviations("ko. (dc), r!") == "không. (được), rồi!"


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        # southern chat typing: "hk" ending a yes/no question is "không"
        ("làm căn cước cho bé được hk", "làm căn cước cho bé được không"),
        ("nhà thuê có nhập khẩu dc hk", "nhà thuê có nhập khẩu được không"),
        ("hk biết làm sao", "không biết làm sao"),
        ("có cần ký hk", "có cần ký không"),
        # after a word that takes the household register as its object it is "hộ khẩu"
        ("nhập hk cho con", "nhập hộ khẩu cho con"),
        ("Sổ HK bị mất", "Sổ hộ khẩu bị mất"),
        ("có cccd với hk rồi", "có căn cước công dân với hộ khẩu rồi"),
        ("đk hk ở đâu", "đăng ký hộ khẩu ở đâu"),
        ("cắt hk, tách hk được hk", "cắt hộ khẩu, tách hộ khẩu được không"),
        # punctuation between: a new clause
        ("nhập. hk", "nhập. không"),
    ],
)
def test_hk_reads_by_the_word_before(text: str, expanded: str) -> None:
    assert expand_abbreviations(text) == expanded
    assert expand_abbreviations(expanded) == expanded


def test_abbreviation_table_is_well_formed() -> None:
    assert len(ABBREVIATIONS) >= 60
    for key, value in ABBREVIATIONS.items():
        assert key == key.lower() and "đ" not in key, key
        assert value == unicodedata.normalize("NFC", value.lower()), value
        # Expansion must be idempotent: no expansion contains a key as a token.
        assert expand_abbreviations(value) == value, (key, value)
    for key, (value, before) in AFTER.items():
        assert key in ABBREVIATIONS and value == unicodedata.normalize("NFC", value.lower())
        assert all(word == fold(word) for word in before), key
        assert all(expand_abbreviations(f"{word} {value}").endswith(value) for word in before)


# --- normalize --------------------------------------------------------------------------------


def test_normalize_full_pipeline() -> None:
    text = "  “Làm  GKS”\tcho con\u00a0ko  đc ạ…  "
    assert normalize(text) == '"làm giấy khai sinh" cho con không được ạ...'


def test_normalize_is_idempotent() -> None:
    text = "Cho e hỏi ĐK khai sinh ntn, phí bn?? “Hoà” – thuý"
    once = normalize(text)
    assert normalize(once) == once


def test_normalize_folded() -> None:
    marked = normalize_folded("Làm giấy khai sinh cho con cần gì?")
    unmarked = normalize_folded("lam giay khai sinh cho con can j ?")
    assert marked.replace(" ?", "?") == unmarked.replace(" ?", "?")
    assert marked == "lam giay khai sinh cho con can gi?"


@pytest.mark.parametrize(
    "text",
    ["", " ", "\x00\x01\x7f", "\ud800", "😀", "\u0301", "\u200b\ufeff", "中文", "a" * 3, "\n\n"],
)
def test_normalize_never_raises(text: str) -> None:
    for fn in (nfc, fold, normalize, normalize_folded, expand_abbreviations):
        assert isinstance(fn(text), str)
    assert isinstance(syllables(text), list)


def test_normalize_removes_control_and_invisible_characters() -> None:
    assert normalize("abc\x00def\u200bghi\ufeff \ud800 jkl\x1f") == "abc defghi jkl"


def test_normalize_keeps_emoji_sequences() -> None:
    family = "👨\u200d👩\u200d👧"
    assert normalize(f"Xin chào {family}") == f"xin chào {family}"


def test_normalize_fullwidth_and_dotted_capital_i() -> None:
    assert normalize("ＣＣＣＤ！") == "căn cước công dân!"
    assert normalize("İstanbul") == "istanbul"


def test_normalize_long_text_is_fast() -> None:
    text = nfd("Làm giấy khai sinh cho con cần gì ko dc ạ 😀 \n") * 1000  # ~45k chars
    started = time.perf_counter()
    result = normalize_folded(text)
    elapsed = time.perf_counter() - started
    assert result.count("lam giay khai sinh cho con can gi khong duoc a") == 1000
    assert elapsed < 1.0


# --- syllables -------------------------------------------------------------------------------


def test_syllables_drop_punctuation_and_keep_vietnamese_letters() -> None:
    assert syllables("Đăng ký, hộ khẩu?! 😀 (số 12/3)") == [
        "đăng",
        "ký",
        "hộ",
        "khẩu",
        "số",
        "12",
        "3",
    ]


def test_syllables_expand_abbreviations() -> None:
    assert syllables("CCCD ko") == ["căn", "cước", "công", "dân", "không"]


def test_folded_syllables_equal_for_marked_and_unmarked() -> None:
    assert folded_syllables(nfd("Giấy khai sinh của con")) == folded_syllables(
        "giay khai sinh cua con"
    )
    assert folded_syllables("") == []


def test_says_any_matches_whole_folded_syllables() -> None:
    assert says_any("Tra cứu hồ sơ giúp em?", ["tra cuu"])
    assert not says_any("trả cứu", ["tra c"])
    assert not says_any("", ["tra cuu"])
