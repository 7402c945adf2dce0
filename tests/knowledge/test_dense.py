"""Dense retrieval with a tiny sentence-transformers model built here, offline, in seconds."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.knowledge import Knowledge

SENTENCES = [
    "đăng ký khai sinh cho con", "đăng ký kết hôn", "đăng ký khai tử người mất",
    "đăng ký thường trú nhập hộ khẩu", "đăng ký tạm trú nhà trọ", "chứng thực bản sao",
    "cấp thẻ căn cước", "giấy xác nhận tình trạng hôn nhân", "đăng ký hộ kinh doanh",
]  # fmt: skip


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from tokenizers import Tokenizer
    from tokenizers.models import WordPiece
    from tokenizers.pre_tokenizers import Whitespace
    from tokenizers.trainers import WordPieceTrainer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    path = tmp_path_factory.mktemp("tiny-st")
    raw = path / "raw"
    raw.mkdir()
    tokenizer = Tokenizer(WordPiece(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = Whitespace()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer.train_from_iterator(
        SENTENCES * 20, WordPieceTrainer(vocab_size=300, special_tokens=specials)
    )
    fast = BertTokenizerFast(tokenizer_object=tokenizer, model_max_length=64)
    fast.save_pretrained(raw)
    config = BertConfig(
        vocab_size=tokenizer.get_vocab_size(), hidden_size=64, num_hidden_layers=2,
        num_attention_heads=2, intermediate_size=128, max_position_embeddings=64,
    )  # fmt: skip
    BertModel(config).save_pretrained(raw)
    word = Transformer(str(raw), max_seq_length=64)
    pooling = Pooling(word.get_embedding_dimension(), pooling_mode="mean")
    out = path / "model"
    SentenceTransformer(modules=[word, pooling]).save(str(out))
    return out


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    return tmp_path / "var"


def dense_module():  # type: ignore[no-untyped-def]
    import bot.knowledge.dense  # noqa: F401

    return sys.modules["bot.knowledge.dense"]


def test_encoder_caches_embeddings_incrementally(tiny_model: Path, offline: Path) -> None:
    dense = dense_module()
    encoder = dense.load_encoder(str(tiny_model))
    first, fresh = encoder.embed_corpus(SENTENCES[:5])
    assert fresh == 5 and first.shape[0] == 5
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-4)
    again = dense.load_encoder(str(tiny_model))  # a new process reads the disk cache
    same, fresh = again.embed_corpus(SENTENCES[:5] + SENTENCES[5:7])
    assert fresh == 2  # only the new texts are embedded
    assert np.allclose(same[:5], first, atol=1e-6)
    assert encoder.cache_file.is_relative_to(offline)


def test_search_fuses_dense_scores(
    tiny_model: Path, offline: Path, shipped: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    dense = dense_module()
    search_mod = sys.modules["bot.knowledge.search"]
    monkeypatch.setenv("EMBEDDING_MODEL", str(tiny_model))
    monkeypatch.setattr(dense, "_encoder_name", None)
    monkeypatch.setattr(dense, "_announced", False)
    assert dense.get_encoder() is not None
    hits = search_mod.search(shipped, "đăng ký kết hôn", k=3)
    assert hits[0].code == "1.000894"  # lexical evidence still leads
    assert all(h.dense is not None and -1.0 <= h.dense <= 1.0 for h in hits)
    assert search_mod.resolve(shipped, "đăng ký kết hôn").code == "1.000894"
    assert any(offline.rglob("vectors.npz"))


def test_without_a_model_search_is_lexical_and_says_so(
    monkeypatch: pytest.MonkeyPatch, shipped: Knowledge, caplog: pytest.LogCaptureFixture
) -> None:
    dense = dense_module()
    monkeypatch.delenv("EMBEDDING_MODEL", raising=False)
    monkeypatch.setattr(dense, "_encoder_name", "something-else")
    monkeypatch.setattr(dense, "_announced", False)
    with caplog.at_level(logging.INFO, logger="bot.knowledge.dense"):
        assert dense.get_encoder() is None
        assert dense.get_encoder() is None
    assert sum("lexical only" in r.getMessage() for r in caplog.records) == 1
    hits = sys.modules["bot.knowledge.search"].search(shipped, "đăng ký kết hôn")
    assert hits[0].dense is None


def test_a_broken_model_falls_back_to_lexical(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, offline: Path
) -> None:
    dense = dense_module()
    monkeypatch.setenv("EMBEDDING_MODEL", str(tmp_path / "no-such-model"))
    monkeypatch.setattr(dense, "_encoder_name", None)
    monkeypatch.setattr(dense, "_announced", False)
    assert dense.get_encoder() is None
