"""Dense retrieval with a sentence-transformers model, when one is configured.

`EMBEDDING_MODEL` names the model: a local directory or a Hugging Face id already in the local
cache (`make models` downloads the README's default where the internet is reachable; nothing is
downloaded at run time: the model is loaded with HF_HUB_OFFLINE semantics by the caller's
environment). Unset: lexical search only, and one log line says so.

Embeddings of the knowledge texts are cached on disk under `var/embeddings/<model key>/` as one
`.npz` keyed by the SHA-256 of each text, so a knowledge edit only embeds the new texts.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = "bkai-foundation-models/vietnamese-bi-encoder"  # README's suggested model
BATCH = 64


def model_name() -> str | None:
    name = os.environ.get("EMBEDDING_MODEL", "").strip()
    return name or None


def cache_dir() -> Path:
    var = Path(os.environ.get("VAR_DIR", REPO_ROOT / "var"))
    return var / "embeddings"


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _model_key(name: str) -> str:
    # a path is keyed by its resolved location and mtime, so a retrained model re-embeds
    path = Path(name).expanduser()
    if path.exists():
        stamp = f"{path.resolve()}:{path.stat().st_mtime_ns}"
        return f"{path.name}-{hashlib.sha256(stamp.encode()).hexdigest()[:12]}"
    return name.replace("/", "__")


class Encoder:
    """A loaded sentence-transformers model with a disk cache of text embeddings."""

    def __init__(self, name: str, model: Any, directory: Path) -> None:
        self.name = name
        self.model = model
        self.directory = directory
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._load_cache()

    @property
    def cache_file(self) -> Path:
        return self.directory / "vectors.npz"

    def _load_cache(self) -> None:
        if not self.cache_file.exists():
            return
        try:
            with np.load(self.cache_file) as data:
                keys, vectors = data["keys"], data["vectors"]
            self._vectors = {str(k): v for k, v in zip(keys, vectors, strict=True)}
        except (OSError, ValueError, KeyError):
            log.warning("embedding cache %s unreadable; rebuilding it", self.cache_file)

    def _save_cache(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self._vectors))
        vectors = np.stack(list(self._vectors.values())) if self._vectors else np.zeros((0, 1))
        tmp = self.directory / "vectors.tmp.npz"
        np.savez(tmp, keys=keys, vectors=vectors)
        tmp.replace(self.cache_file)  # atomic: a concurrent reader never sees half a file

    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised embeddings, one row per text."""
        vectors = self.model.encode(
            texts, batch_size=BATCH, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_corpus(self, texts: list[str]) -> tuple[np.ndarray, int]:
        """Embeddings of ``texts`` from the cache, computing (and saving) only missing ones.
        Returns the matrix and how many texts were newly embedded."""
        with self._lock:
            keys = [text_key(t) for t in texts]
            missing = list(dict.fromkeys(k for k in keys if k not in self._vectors))
            if missing:
                by_key = dict(zip(keys, texts, strict=True))
                fresh = self.encode([by_key[k] for k in missing])
                self._vectors.update(zip(missing, fresh, strict=True))
                self._save_cache()
            if not keys:
                return np.zeros((0, 1), np.float32), 0
            return np.stack([self._vectors[k] for k in keys]), len(missing)


_encoder: Encoder | None = None
_encoder_name: str | None = None
_announced = False
_encoder_lock = threading.Lock()


def load_encoder(name: str, directory: Path | None = None) -> Encoder:
    """Load a sentence-transformers model (local path or cached id) with its embedding cache."""
    from sentence_transformers import SentenceTransformer  # heavy: only when configured

    model = SentenceTransformer(name, device="cpu")
    return Encoder(name, model, directory or cache_dir() / _model_key(name))


def get_encoder() -> Encoder | None:
    """The configured encoder (loaded once per process), or None for lexical-only search.
    A model that fails to load is logged once and search stays lexical."""
    global _encoder, _encoder_name, _announced
    name = model_name()
    with _encoder_lock:
        if name == _encoder_name and (_encoder is not None or _announced):
            return _encoder
        _encoder_name, _encoder, _announced = name, None, True
        if name is None:
            log.info("EMBEDDING_MODEL not set: knowledge search is lexical only")
            return None
        try:
            _encoder = load_encoder(name)
            log.info("dense retrieval on with %s", name)
        except Exception:
            log.exception(
                "could not load EMBEDDING_MODEL=%s: knowledge search is lexical only", name
            )
            _encoder = None
        return _encoder


@dataclass(frozen=True)
class DenseIndex:
    entry_proc: np.ndarray  # int32: row -> procedure id (same ids as the lexical index)
    vectors: np.ndarray  # float32, L2-normalised rows
    encoder: Encoder

    def scores(self, query: str, n_procedures: int) -> np.ndarray:
        """Best cosine per procedure (−1 where a procedure has no text)."""
        q = self.encoder.encode([query])[0]
        sims = self.vectors @ q
        best = np.full(n_procedures, -1.0, dtype=np.float64)
        np.maximum.at(best, self.entry_proc, sims.astype(np.float64))
        return best


def build_dense(encoder: Encoder, entry_proc: np.ndarray, texts: list[str]) -> DenseIndex:
    vectors, fresh = encoder.embed_corpus(texts)
    log.info("dense index: %d texts (%d newly embedded)", len(texts), fresh)
    return DenseIndex(entry_proc, vectors, encoder)
