"""The conversations `make bench-load` sends: a realistic mix drawn from the knowledge.

A conversation is a short list of citizen messages sent in order on one web-chat session:

- procedure (most traffic): a question naming a procedure by its title or one of its aliases,
  typed with or without Vietnamese marks, then follow-ups that lean on the context ("mất bao
  lâu?", "lệ phí bao nhiêu"), sometimes a greeting before and a thank-you after;
- dossier lookup: the dossier form with a code and verification digits of the bundled sample
  provider (`bot/dossiers/sample_dossiers.yml`);
- small talk: greetings, who are you, office hours, goodbye.

Procedure names come from the knowledge files (titles, aliases), never from the blind held-out
sets under tests/heldout. Everything is drawn from a seeded `random.Random`: the same seed gives
the same mix, so two configurations are measured on the same traffic.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.text.normalize import fold

# (kind, weight): the share of conversations of each kind.
KIND_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("procedure", 0.6),
    ("dossier", 0.15),
    ("smalltalk", 0.25),
)
QUESTION_PATTERNS = (
    "{name} cần giấy tờ gì?",
    "làm {name} cần những gì ạ",
    "thủ tục {name}",
    "cho hỏi {name} cần chuẩn bị gì",
    "{name} làm như thế nào",
)
FOLLOW_UPS = ("mất bao lâu?", "lệ phí bao nhiêu", "nộp ở đâu", "cần những giấy tờ gì")
GREETINGS = ("xin chào", "chào bạn", "chao ad", "alo")
THANKS = ("cảm ơn", "cam on nhe", "ok cảm ơn bạn")
SMALL_TALK = ("bạn là ai", "uỷ ban làm việc giờ nào", "bạn có phải người thật không")
GOODBYES = ("tạm biệt", "bye")
COMMON_WEIGHT = 10.0  # a procedure with aliases is asked this many times as often as one without
FOLD_SHARE = 0.4  # questions typed without marks, as on a phone keyboard
SAMPLE_DOSSIERS = Path(__file__).resolve().parents[1] / "bot/dossiers/sample_dossiers.yml"


@dataclass(frozen=True)
class ProcedureName:
    """How citizens may name one procedure: its title and aliases."""

    title: str
    aliases: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        return (self.title, *self.aliases)


@dataclass(frozen=True)
class Conversation:
    kind: str
    turns: tuple[str, ...]


@dataclass(frozen=True)
class SampleDossier:
    code: str
    verify: str


def procedure_names_from_knowledge() -> list[ProcedureName]:
    """Every procedure's title and aliases from the knowledge files (`KNOWLEDGE_DIR`)."""
    from bot.knowledge import knowledge_dir, load_knowledge

    knowledge = load_knowledge(knowledge_dir())
    return [ProcedureName(p.title, tuple(p.aliases)) for p in knowledge.procedures.values()]


def sample_dossiers(path: Path = SAMPLE_DOSSIERS) -> list[SampleDossier]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [SampleDossier(str(d["code"]), str(d["verify"])) for d in raw["dossiers"]]


class MixGenerator:
    """Draws conversations of the mix; deterministic for a given seed."""

    def __init__(
        self,
        procedures: Sequence[ProcedureName],
        dossiers: Sequence[SampleDossier],
        seed: int = 7,
        weights: Iterable[tuple[str, float]] = KIND_WEIGHTS,
    ) -> None:
        if not procedures:
            raise ValueError("the mix needs at least one procedure name")
        if not dossiers:
            raise ValueError("the mix needs at least one sample dossier")
        self.procedures = list(procedures)
        self.dossiers = list(dossiers)
        self.procedure_weights = [COMMON_WEIGHT if p.aliases else 1.0 for p in self.procedures]
        self.rng = random.Random(seed)
        pairs = list(weights)
        self.kinds = [k for k, _ in pairs]
        self.weights = [w for _, w in pairs]

    def _maybe_fold(self, text: str) -> str:
        return fold(text) if self.rng.random() < FOLD_SHARE else text

    def procedure(self) -> Conversation:
        rng = self.rng
        procedure = rng.choices(self.procedures, self.procedure_weights)[0]
        # Citizens mostly ask about the common procedures, which are the ones staff gave aliases.
        name = (
            rng.choice(procedure.aliases)
            if procedure.aliases and rng.random() < 0.7
            else procedure.title
        )
        question = rng.choice(QUESTION_PATTERNS).format(name=name[0].lower() + name[1:])
        turns = [rng.choice(GREETINGS)] if rng.random() < 0.3 else []
        turns.append(self._maybe_fold(question))
        turns.extend(self._maybe_fold(f) for f in rng.sample(FOLLOW_UPS, rng.randint(1, 2)))
        if rng.random() < 0.5:
            turns.append(rng.choice(THANKS))
        return Conversation("procedure", tuple(turns))

    def dossier(self) -> Conversation:
        sample = self.rng.choice(self.dossiers)
        opener = self._maybe_fold("tra cứu tình trạng hồ sơ")
        return Conversation("dossier", (opener, sample.code, sample.verify, "cảm ơn"))

    def smalltalk(self) -> Conversation:
        rng = self.rng
        turns = (rng.choice(GREETINGS), rng.choice(SMALL_TALK), rng.choice(GOODBYES))
        return Conversation("smalltalk", turns)

    def next(self) -> Conversation:
        kind = self.rng.choices(self.kinds, self.weights)[0]
        return getattr(self, kind)()

    def __iter__(self) -> Iterator[Conversation]:
        while True:
            yield self.next()


def default_generator(seed: int = 7) -> MixGenerator:
    return MixGenerator(procedure_names_from_knowledge(), sample_dossiers(), seed=seed)
