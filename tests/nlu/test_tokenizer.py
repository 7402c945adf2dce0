"""VietnameseTokenizer through Rasa's own Message/TrainingData API (Rasa env only)."""

from __future__ import annotations

import time
import unicodedata

import pytest
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.tokenizer import VietnameseTokenizer, align_words, lemma_for, segment_spans
from bot.text import fold

pytestmark = pytest.mark.rasa


def make_tokenizer(**overrides: object) -> VietnameseTokenizer:
    return VietnameseTokenizer({**VietnameseTokenizer.get_default_config(), **overrides})


@pytest.fixture(scope="module")
def tokenizer() -> VietnameseTokenizer:
    return make_tokenizer()


def tokens_of(tokenizer: VietnameseTokenizer, text: str) -> list[Token]:
    message = Message(data={TEXT: text})
    tokenizer.process([message])
    return message.get(TOKENS_NAMES[TEXT])


def assert_exact_offsets(text: str, tokens: list[Token]) -> None:
    previous_end = 0
    for token in tokens:
        assert token.text == text[token.start : token.end], token
        assert token.start >= previous_end, "tokens overlap or go backwards"
        previous_end = token.end


def test_multi_syllable_words_are_one_token(tokenizer: VietnameseTokenizer) -> None:
    text = "Đăng ký khai sinh cho con cần giấy tờ gì?"
    tokens = tokens_of(tokenizer, text)
    texts = [t.text for t in tokens]
    assert "Đăng ký" in texts
    assert "khai sinh" in texts
    assert "?" not in texts
    assert_exact_offsets(text, tokens)
    lemmas = {t.text: t.lemma for t in tokens}
    assert lemmas["Đăng ký"] == "dang ky"
    assert lemmas["gì"] == "gi"


def test_exact_offsets_on_nfd_input(tokenizer: VietnameseTokenizer) -> None:
    composed = "Làm hộ khẩu ở đâu ạ, thủ tục ủy ban?"
    decomposed = unicodedata.normalize("NFD", composed)
    assert len(decomposed) > len(composed)
    tokens = tokens_of(tokenizer, decomposed)
    assert_exact_offsets(decomposed, tokens)
    # Each token ends after its combining marks: NFC of the slice is a whole word.
    reference = tokens_of(tokenizer, composed)
    assert [unicodedata.normalize("NFC", t.text) for t in tokens] == [t.text for t in reference]
    assert [t.lemma for t in tokens] == [t.lemma for t in reference]


def test_emoji_are_dropped_but_offsets_kept(tokenizer: VietnameseTokenizer) -> None:
    text = "😀 đăng ký kết hôn 👍👍 nhé 👨\u200d👩\u200d👧"
    tokens = tokens_of(tokenizer, text)
    assert_exact_offsets(text, tokens)
    assert all(any(ch.isalnum() for ch in t.text) for t in tokens)
    assert tokens[-1].text == "nhé"


def test_only_emoji_is_one_token_like_rasa(tokenizer: VietnameseTokenizer) -> None:
    tokens = tokens_of(tokenizer, "😀👍")
    assert [(t.text, t.start, t.end) for t in tokens] == [("😀👍", 0, 2)]


def test_unmarked_input_gets_folded_lemmas(tokenizer: VietnameseTokenizer) -> None:
    text = "lam giay khai sinh cho con ko dc a"
    tokens = tokens_of(tokenizer, text)
    assert_exact_offsets(text, tokens)
    lemma_text = " ".join(t.lemma for t in tokens)
    assert lemma_text == "lam giay khai sinh cho con khong duoc a"


def test_marked_and_unmarked_lemmas_share_syllables(tokenizer: VietnameseTokenizer) -> None:
    marked = " ".join(t.lemma for t in tokens_of(tokenizer, "Làm giấy khai sinh cho con"))
    unmarked = " ".join(t.lemma for t in tokens_of(tokenizer, "lam giay khai sinh cho con"))
    assert marked == unmarked == "lam giay khai sinh cho con"


def test_punctuation_and_abbreviations(tokenizer: VietnameseTokenizer) -> None:
    text = "Tôi muốn hỏi...về CCCD!!! (gấp), phí: 50.000đ"
    tokens = tokens_of(tokenizer, text)
    assert_exact_offsets(text, tokens)
    texts = [t.text for t in tokens]
    assert "..." not in texts and "!" not in texts and "(" not in texts
    cccd = next(t for t in tokens if t.text == "CCCD")
    assert cccd.lemma == "can cuoc cong dan"


def test_respelled_words_keep_original_text(tokenizer: VietnameseTokenizer) -> None:
    # underthesea returns "hòa", "thúy", "ngành", "bài" for these.
    text = "hoà bình thuý nghành  baì tập"
    tokens = tokens_of(tokenizer, text)
    assert_exact_offsets(text, tokens)
    joined = " ".join(t.text for t in tokens)
    assert "nghành" in joined and "baì" in joined and "hoà" in joined
    assert " ".join(t.lemma for t in tokens).split() == fold("hoa binh thuy nghanh bai tap").split()


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_text(tokenizer: VietnameseTokenizer, text: str) -> None:
    tokens = tokenizer.tokenize(Message(data={TEXT: text}), TEXT)
    assert len(tokens) == 1 and tokens[0].start == 0 and tokens[0].text == text


def test_training_data_skips_empty_text(tokenizer: VietnameseTokenizer) -> None:
    data = TrainingData([Message(data={TEXT: "", INTENT: "greet"})])
    tokenizer.process_training_data(data)
    assert data.training_examples[0].get(TOKENS_NAMES[TEXT]) is None


def test_very_long_text(tokenizer: VietnameseTokenizer) -> None:
    sentence = unicodedata.normalize("NFD", "Làm giấy khai sinh cho con cần gì ko dc ạ 😀 hoà.\n")
    text = sentence * 400  # ~20k characters
    started = time.perf_counter()
    tokens = tokens_of(tokenizer, text)
    elapsed = time.perf_counter() - started
    assert_exact_offsets(text, tokens)
    assert sum(t.text == "khai sinh" for t in tokens) == 400
    assert elapsed < 10


def test_mixed_scripts(tokenizer: VietnameseTokenizer) -> None:
    text = "Tên 中文 là gì? テスト Привет"
    tokens = tokens_of(tokenizer, text)
    assert_exact_offsets(text, tokens)
    assert {"中文", "テスト", "Привет"} <= {t.text for t in tokens}


def test_intent_tokenization_flag() -> None:
    tokenizer = make_tokenizer(intent_tokenization_flag=True, intent_split_symbol="+")
    example = Message(data={TEXT: "phí bao nhiêu", INTENT: "ask_fee+ask_time"})
    tokenizer.process_training_data(TrainingData([example]))
    assert [t.text for t in example.get(TOKENS_NAMES[INTENT])] == ["ask_fee", "ask_time"]


def test_intent_is_one_token_by_default(tokenizer: VietnameseTokenizer) -> None:
    example = Message(data={TEXT: "phí bao nhiêu", INTENT: "ask_fee"})
    tokenizer.process_training_data(TrainingData([example]))
    assert [t.text for t in example.get(TOKENS_NAMES[INTENT])] == ["ask_fee"]


def test_token_pattern_splits_words_keeping_lemma() -> None:
    tokenizer = make_tokenizer(token_pattern=r"\w+")
    text = "Đăng ký khai sinh"
    tokens = tokens_of(tokenizer, text)
    assert_exact_offsets(text, tokens)
    assert [t.text for t in tokens] == ["Đăng", "ký", "khai", "sinh"]
    assert tokens[0].lemma == "dang ky"


# --- alignment fallbacks (segmenter replaced) ---------------------------------------------


def test_whitespace_fallback_when_words_do_not_align() -> None:
    text = "Làm giấy tờ (gấp) nhé!"
    spans = segment_spans(text, lambda _: ["Làm", "XYZ", "nhé"])
    assert [text[s:e] for s, e in spans] == ["Làm", "giấy", "tờ", "gấp", "nhé"]


def test_segmenter_exception_falls_back_to_whitespace() -> None:
    def broken(_: str) -> list[str]:
        raise RuntimeError("boom")

    tokenizer = VietnameseTokenizer(VietnameseTokenizer.get_default_config(), segmenter=broken)
    text = "đăng ký, kết hôn."
    tokens = tokenizer.tokenize(Message(data={TEXT: text}), TEXT)
    assert [(t.text, t.start, t.end) for t in tokens] == [
        ("đăng", 0, 4),
        ("ký", 5, 7),
        ("kết", 9, 12),
        ("hôn", 13, 16),
    ]


def test_align_words_skips_only_dropped_punctuation() -> None:
    spans, rest = align_words("a -- b", ["a", "b"])
    assert spans == [(0, 1), (5, 6)] and rest is None
    # "b" must not be matched far ahead by skipping the real word "x".
    spans, rest = align_words("a x b", ["a", "b"])
    assert spans == [(0, 1)] and rest == 1


def test_random_input_never_breaks_offsets(tokenizer: VietnameseTokenizer) -> None:
    import random

    alphabet = list("aăâbcdđeêghiklmnoôơpqrstuưvxy AĐƠ.,?!:;-/'\"()\n\t0123456789")
    alphabet += ["\u0300", "\u0301", "\u0323", "😀", "中", "\u200b", "\x00", "\u00d0", "ﬁ"]
    rng = random.Random(1234)
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        tokens = tokenizer.tokenize(Message(data={TEXT: text}), TEXT)
        assert tokens, text
        assert_exact_offsets(text, tokens)


def test_unmarked_text_is_split_into_syllables_not_segmented() -> None:
    # underthesea glues unmarked syllables across words ("lam giay | khai sinh"); the
    # segmenter must not be asked at all for text without marks.
    def glue(_: str) -> list[str]:
        raise AssertionError("segmenter called for unmarked text")

    text = "lam giay khai sinh can gi?"
    spans = segment_spans(text, glue)
    assert [text[s:e] for s, e in spans] == ["lam", "giay", "khai", "sinh", "can", "gi"]
    marked = "làm giấy khai sinh"
    assert [marked[s:e] for s, e in segment_spans(marked, lambda _: ["làm", "giấy khai sinh"])] == [
        "làm",
        "giấy khai sinh",
    ]


def test_lemma_of_telex_typed_text_matches_the_marked_form() -> None:
    assert lemma_for("ddăng kys") == lemma_for("Đăng ký") == "dang ky"
