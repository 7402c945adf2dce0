"""FoldedSyllableFeaturizer through Rasa's graph-component API (Rasa env only)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import bot.text.aspect_cues
from bot.nlu.featurizer import FoldedSyllableFeaturizer
from bot.nlu.tokenizer import VietnameseTokenizer, code_fingerprint

pytestmark = pytest.mark.rasa

TRAINING = [
    ("Làm giấy khai sinh cho con cần gì?", "ask_documents"),
    ("Đăng ký kết hôn mất bao lâu", "ask_time"),
    ("Lệ phí làm căn cước công dân bao nhiêu", "ask_fee"),
    ("nộp hồ sơ ở đâu", "ask_place"),
]


@pytest.fixture(scope="module")
def tokenizer() -> VietnameseTokenizer:
    return VietnameseTokenizer(VietnameseTokenizer.get_default_config())


@pytest.fixture
def model_storage(tmp_path: Path) -> ModelStorage:
    return LocalModelStorage(tmp_path)


@pytest.fixture
def resource() -> Resource:
    return Resource("folded_syllable_featurizer")


@pytest.fixture
def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name="folded_syllable_featurizer")


def make_featurizer(
    model_storage: ModelStorage,
    resource: Resource,
    context: ExecutionContext,
    **overrides: Any,
) -> FoldedSyllableFeaturizer:
    config = {**FoldedSyllableFeaturizer.get_default_config(), **overrides}
    return FoldedSyllableFeaturizer.create(config, model_storage, resource, context)


def training_data(tokenizer: VietnameseTokenizer) -> TrainingData:
    data = TrainingData([Message(data={TEXT: t, INTENT: i}) for t, i in TRAINING])
    return tokenizer.process_training_data(data)


def featurize(
    featurizer: FoldedSyllableFeaturizer, tokenizer: VietnameseTokenizer, text: str
) -> tuple[Message, Any, Any]:
    message = Message(data={TEXT: text})
    tokenizer.process([message])
    featurizer.process([message])
    sequence, sentence = message.get_sparse_features(TEXT)
    return message, sequence, sentence


@pytest.fixture
def trained(
    tokenizer: VietnameseTokenizer,
    model_storage: ModelStorage,
    resource: Resource,
    context: ExecutionContext,
) -> FoldedSyllableFeaturizer:
    featurizer = make_featurizer(model_storage, resource, context)
    featurizer.train(training_data(tokenizer))
    return featurizer


def test_vocabulary_has_words_syllables_and_bigrams(trained: FoldedSyllableFeaturizer) -> None:
    vocabulary = trained.vocabulary
    assert {"w:khai_sinh", "s:khai", "s:sinh", "b:khai_sinh", "b:giay_khai"} <= set(vocabulary)
    assert {"s:dang", "s:ky", "b:dang_ky"} <= set(vocabulary)
    assert sorted(vocabulary.values()) == list(range(len(vocabulary)))
    assert all(name == name.lower() and "đ" not in name for name in vocabulary)


def test_shapes(trained: FoldedSyllableFeaturizer, tokenizer: VietnameseTokenizer) -> None:
    message, sequence, sentence = featurize(trained, tokenizer, "Làm giấy khai sinh cần gì")
    tokens = message.get("text_tokens")
    size = len(trained.vocabulary)
    assert sequence.features.shape == (len(tokens), size)
    assert sentence.features.shape == (1, size)
    assert sequence.is_sparse() and sequence.type == "sequence"
    origins = {f.origin for f in message.features}
    assert origins == {"folded_syllable_featurizer"}  # the node name is the identifier
    # sentence row = sum of token rows
    np.testing.assert_array_equal(
        sentence.features.toarray()[0], sequence.features.toarray().sum(axis=0)
    )


def test_training_data_gets_features(
    trained: FoldedSyllableFeaturizer, tokenizer: VietnameseTokenizer
) -> None:
    data = trained.process_training_data(training_data(tokenizer))
    for example in data.training_examples:
        sequence, sentence = example.get_sparse_features(TEXT)
        assert sequence is not None and sentence is not None
        assert sentence.features.sum() > 0


def _columns(featurizer: FoldedSyllableFeaturizer, prefixes: tuple[str, ...]) -> list[int]:
    return [i for name, i in featurizer.vocabulary.items() if name.startswith(prefixes)]


def test_marked_and_unmarked_share_syllable_features(
    trained: FoldedSyllableFeaturizer, tokenizer: VietnameseTokenizer
) -> None:
    _, _, marked = featurize(trained, tokenizer, "Làm giấy khai sinh cho con cần gì?")
    _, _, unmarked = featurize(trained, tokenizer, "lam giay khai sinh cho con can j")
    columns = _columns(trained, ("s:", "b:"))
    marked_vec = marked.features.toarray()[0][columns]
    unmarked_vec = unmarked.features.toarray()[0][columns]
    assert marked_vec.sum() > 5
    np.testing.assert_array_equal(marked_vec, unmarked_vec)


def test_without_word_features_sentences_are_identical(
    tokenizer: VietnameseTokenizer,
    model_storage: ModelStorage,
    resource: Resource,
    context: ExecutionContext,
) -> None:
    featurizer = make_featurizer(model_storage, resource, context, use_word=False)
    featurizer.train(training_data(tokenizer))
    _, _, marked = featurize(featurizer, tokenizer, "Đăng ký kết hôn mất bao lâu")
    _, _, unmarked = featurize(featurizer, tokenizer, "dang ky ket hon mat bao lau")
    np.testing.assert_array_equal(marked.features.toarray(), unmarked.features.toarray())


def test_unknown_features_are_ignored(
    trained: FoldedSyllableFeaturizer, tokenizer: VietnameseTokenizer
) -> None:
    message, sequence, _ = featurize(trained, tokenizer, "xyzzy quux 😀 khai sinh ạ")
    assert sequence.features.shape[0] == len(message.get("text_tokens"))
    dense = sequence.features.toarray()
    assert dense[0].sum() == 0 and dense[1].sum() == 0  # unknown words: empty rows
    words = [t.text for t in message.get("text_tokens")]
    assert dense[words.index("khai sinh")][trained.vocabulary["w:khai_sinh"]] == 1


def test_persist_and_load_round_trip(
    trained: FoldedSyllableFeaturizer,
    tokenizer: VietnameseTokenizer,
    model_storage: ModelStorage,
    resource: Resource,
    context: ExecutionContext,
) -> None:
    loaded = FoldedSyllableFeaturizer.load(
        {**FoldedSyllableFeaturizer.get_default_config()}, model_storage, resource, context
    )
    assert loaded.vocabulary == trained.vocabulary
    text = "cho em hỏi lệ phí đăng ký kết hôn"
    _, seq_a, sent_a = featurize(trained, tokenizer, text)
    _, seq_b, sent_b = featurize(loaded, tokenizer, text)
    np.testing.assert_array_equal(seq_a.features.toarray(), seq_b.features.toarray())
    np.testing.assert_array_equal(sent_a.features.toarray(), sent_b.features.toarray())


def test_load_without_resource_is_untrained_and_adds_nothing(
    tokenizer: VietnameseTokenizer, model_storage: ModelStorage, context: ExecutionContext
) -> None:
    loaded = FoldedSyllableFeaturizer.load(
        FoldedSyllableFeaturizer.get_default_config(), model_storage, Resource("missing"), context
    )
    assert loaded.vocabulary == {}
    message = Message(data={TEXT: "khai sinh"})
    tokenizer.process([message])
    loaded.process([message])
    assert message.get_sparse_features(TEXT) == (None, None)


def test_min_count_prunes_rare_features(
    tokenizer: VietnameseTokenizer,
    model_storage: ModelStorage,
    resource: Resource,
    context: ExecutionContext,
) -> None:
    featurizer = make_featurizer(model_storage, resource, context, min_count=2)
    featurizer.train(training_data(tokenizer))
    assert "s:bao" in featurizer.vocabulary  # "bao lâu", "bao nhiêu"
    assert "s:khai" not in featurizer.vocabulary


def test_empty_text_message_is_skipped(trained: FoldedSyllableFeaturizer) -> None:
    message = Message(data={TEXT: ""})
    trained.process([message])
    assert message.get_sparse_features(TEXT) == (None, None)


@pytest.mark.parametrize(
    "overrides",
    [{"use_word": False, "use_syllables": False, "use_bigrams": False}, {"min_count": 0}],
)
def test_invalid_config(
    overrides: dict[str, Any],
    model_storage: ModelStorage,
    resource: Resource,
    context: ExecutionContext,
) -> None:
    with pytest.raises(InvalidConfigException):
        make_featurizer(model_storage, resource, context, **overrides)


def test_fingerprint_addon_tracks_text_code() -> None:
    first = FoldedSyllableFeaturizer.fingerprint_addon({})
    assert first == FoldedSyllableFeaturizer.fingerprint_addon({})
    assert first != VietnameseTokenizer.fingerprint_addon({})  # each adds its own module
    assert first is not None and len(first) == 64
    # the cue list is part of what the featurizer computes: editing it retrains
    module = sys.modules[FoldedSyllableFeaturizer.__module__]
    assert first == code_fingerprint(module, bot.text.aspect_cues) != code_fingerprint(module)


def test_cue_features_mark_the_tokens_of_an_aspect_cue(
    tokenizer: VietnameseTokenizer,
    model_storage: ModelStorage,
    resource: Resource,
    context: ExecutionContext,
) -> None:
    featurizer = make_featurizer(model_storage, resource, context, use_cues=True)
    featurizer.train(training_data(tokenizer))
    assert {"c:documents", "c:time", "c:fee", "c:place"} <= set(featurizer.vocabulary)
    # a cue phrase no training sentence used still gets the fee feature
    message, sequence, _ = featurize(featurizer, tokenizer, "đổi cccd tốn phí ko")
    column = featurizer.vocabulary["c:fee"]
    cued = [
        t.text
        for t, row in zip(message.get("text_tokens"), sequence.features.toarray(), strict=True)
        if row[column]
    ]
    assert cued and all(word in {"tốn", "phí", "tốn phí", "ko"} for word in cued)


def test_cue_features_are_off_by_default(trained: FoldedSyllableFeaturizer) -> None:
    assert not any(name.startswith("c:") for name in trained.vocabulary)
