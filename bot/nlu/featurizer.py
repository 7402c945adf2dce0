"""Diacritic-folded syllable features for Rasa 3.6 (see the architecture doc, "Diacritics").

underthesea segments unmarked text poorly ("lam giay" becomes one word), so word tokens alone
make "lam giay khai sinh" and "làm giấy khai sinh" look different. This featurizer adds, per
token, sparse features that do not depend on marks or on segmentation:

- ``w:<word>``: the folded word, syllables joined by "_" ("khai_sinh", "lam_giay");
- ``s:<syllable>``: each folded syllable of the token ("lam", "giay");
- ``b:<a>_<b>``: folded syllable bigrams over the whole message (optional), each attributed to
  the token holding its second syllable, so the sentence-level bigram set is the same whatever
  the segmentation;
- ``c:<aspect>`` (optional): on each token inside a keyword cue of ``bot.text.aspect_cues``
  ("lệ phí", "bao lâu", "ở đâu", "cần gì"), the same list the answer uses. Cue phrases cover
  ways of asking that the training sentences may not, so DIET can learn "a fee cue" once
  instead of each phrase.

Syllables come from ``bot.text.folded_syllables`` (abbreviations expanded: "cccd" gives
"can", "cuoc", "cong", "dan"), with leftover Telex keystrokes repaired ("kys" -> "ky").
The vocabulary is built in ``train()``; unknown features are ignored at inference. Only the
TEXT attribute is featurised: one row per token (sequence) and the sum of the rows (sentence).
"""

from __future__ import annotations

import logging
import sys
from collections import Counter
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import dump_obj_as_json_to_file, raise_warning, read_json_file

import bot.text.aspect_cues
from bot.nlu.tokenizer import code_fingerprint
from bot.text import folded_syllables
from bot.text.aspect_cues import cue_spans
from bot.text.telex import repair_syllables

logger = logging.getLogger(__name__)

USE_WORD = "use_word"
USE_SYLLABLES = "use_syllables"
USE_BIGRAMS = "use_bigrams"
USE_CUES = "use_cues"
MIN_COUNT = "min_count"


def token_features(tokens: list[Token], config: dict[str, Any]) -> list[list[str]]:
    """Raw feature names for each token (see module docstring)."""
    per_token = [repair_syllables(folded_syllables(token.text)) for token in tokens]
    rows: list[list[str]] = []
    previous: str | None = None
    for syllables in per_token:
        row: list[str] = []
        if syllables:
            if config[USE_WORD]:
                row.append("w:" + "_".join(syllables))
            if config[USE_SYLLABLES]:
                row.extend("s:" + syllable for syllable in syllables)
            for syllable in syllables:
                if config[USE_BIGRAMS] and previous is not None:
                    row.append(f"b:{previous}_{syllable}")
                previous = syllable
        rows.append(row)
    if config.get(USE_CUES):
        for index, aspect in cued_tokens(per_token):
            rows[index].append("c:" + aspect)
    return rows


def cued_tokens(per_token: list[list[str]]) -> list[tuple[int, str]]:
    """(token index, aspect) for each token that holds a syllable of an aspect cue."""
    owner = [index for index, syllables in enumerate(per_token) for _ in syllables]
    flat = [syllable for syllables in per_token for syllable in syllables]
    found = {
        (owner[position], aspect)
        for start, end, aspect in cue_spans(flat)
        for position in range(start, end)
    }
    return sorted(found)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class FoldedSyllableFeaturizer(SparseFeaturizer, GraphComponent):
    """Sparse folded word / syllable / syllable-bigram features for the TEXT attribute."""

    FILENAME = "folded_syllable_vocabulary.json"

    @classmethod
    def required_components(cls) -> list[type]:
        """A tokenizer must run first."""
        return [Tokenizer]

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Invalidate Rasa's training cache when our feature code or the cue list changes."""
        return code_fingerprint(sys.modules[__name__], bot.text.aspect_cues)

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Returns the component's default config."""
        return {
            **SparseFeaturizer.get_default_config(),
            USE_WORD: True,
            USE_SYLLABLES: True,
            USE_BIGRAMS: True,
            # aspect cue features (``bot.text.aspect_cues``): "c:fee" on "lệ phí", "bao nhiêu tiền"
            USE_CUES: False,
            # features seen fewer times than this in training are not in the vocabulary
            MIN_COUNT: 1,
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Validates that the component is configured properly."""
        flags = [config.get(name, True) for name in (USE_WORD, USE_SYLLABLES, USE_BIGRAMS)]
        if not any(flags):
            raise InvalidConfigException(
                f"{cls.__name__}: at least one of {USE_WORD}, {USE_SYLLABLES}, "
                f"{USE_BIGRAMS} must be true."
            )
        min_count = config.get(MIN_COUNT, 1)
        if not isinstance(min_count, int) or min_count < 1:
            raise InvalidConfigException(f"{cls.__name__}: {MIN_COUNT} must be an int >= 1.")

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        vocabulary: dict[str, int] | None = None,
    ) -> None:
        """Instantiates the featurizer, trained when ``vocabulary`` is given."""
        super().__init__(execution_context.node_name, config)
        self._model_storage = model_storage
        self._resource = resource
        self._execution_context = execution_context
        self.vocabulary: dict[str, int] = vocabulary or {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FoldedSyllableFeaturizer:
        """Creates a new untrained component (see parent class for full docstring)."""
        return cls(config, model_storage, resource, execution_context)

    def train(self, training_data: TrainingData) -> Resource:
        """Builds the feature vocabulary over the tokenized training examples."""
        counts: Counter[str] = Counter()
        for example in training_data.training_examples:
            tokens = example.get(TOKENS_NAMES[TEXT]) or []
            for row in token_features(tokens, self._config):
                counts.update(row)
        kept = sorted(name for name, count in counts.items() if count >= self._config[MIN_COUNT])
        self.vocabulary = {name: index for index, name in enumerate(kept)}
        if not self.vocabulary:
            raise_warning(
                f"{self.__class__.__name__} found no features in the training data; "
                f"it will add no features."
            )
        self.persist()
        return self._resource

    def persist(self) -> None:
        """Writes the vocabulary to the model storage."""
        with self._model_storage.write_to(self._resource) as directory:
            dump_obj_as_json_to_file(directory / self.FILENAME, self.vocabulary)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> FoldedSyllableFeaturizer:
        """Loads the trained vocabulary; an untrained instance if there is none."""
        try:
            with model_storage.read_from(resource) as directory:
                vocabulary = read_json_file(directory / cls.FILENAME)
        except (ValueError, FileNotFoundError):
            logger.debug("No vocabulary for %s in resource '%s'.", cls.__name__, resource.name)
            vocabulary = None
        return cls(config, model_storage, resource, execution_context, vocabulary=vocabulary)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurizes the training examples in place."""
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Featurizes the given messages in place."""
        if not self.vocabulary:
            return messages
        for message in messages:
            tokens = message.get(TOKENS_NAMES[TEXT])
            if not tokens:
                continue
            sequence = self.sequence_matrix(tokens)
            sentence = scipy.sparse.coo_matrix(sequence.sum(axis=0))
            self.add_features_to_message(sequence, sentence, TEXT, message)
        return messages

    def sequence_matrix(self, tokens: list[Token]) -> scipy.sparse.coo_matrix:
        """One row per token, one column per known feature (counts)."""
        rows: list[int] = []
        cols: list[int] = []
        for row_index, names in enumerate(token_features(tokens, self._config)):
            for name in names:
                column = self.vocabulary.get(name)
                if column is not None:
                    rows.append(row_index)
                    cols.append(column)
        data = np.ones(len(rows), dtype=np.float32)
        # duplicates (a syllable twice in a token) are summed by scipy
        return scipy.sparse.coo_matrix(
            (data, (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
            shape=(len(tokens), len(self.vocabulary)),
        )
