"""The cached subclass walk used by `python -m bot.rasa_server` (pure Python, no Rasa needed)."""

from __future__ import annotations

import abc
from typing import Any

from bot.rasa_server import (
    DEFAULT_PARSE_CACHE_SIZE,
    cached_all_subclasses,
    cached_parse,
    parse_cache_size,
)


def walk(cls: Any) -> list[Any]:
    calls.append(cls)
    subs = cls.__subclasses__()
    return subs + [g for s in subs for g in walk(s)]


calls: list[Any] = []


def test_same_answer_as_the_walk_and_walks_once() -> None:
    class Base(abc.ABC):  # noqa: B024
        pass

    class A(Base):
        pass

    class B(A):
        pass

    cached = cached_all_subclasses(walk)
    calls.clear()
    assert cached(Base) == [A, B]
    first = len(calls)
    assert cached(Base) == [A, B]
    assert len(calls) == first  # served from the cache


def test_a_new_subclass_is_seen() -> None:
    class Base:
        pass

    class A(Base):
        pass

    cached = cached_all_subclasses(walk)
    assert cached(Base) == [A]

    class C(Base):
        pass

    assert cached(Base) == [A, C]


def test_callers_cannot_corrupt_the_cache() -> None:
    class Base:
        pass

    class A(Base):
        pass

    cached = cached_all_subclasses(walk)
    cached(Base).clear()
    assert cached(Base) == [A]


class FakeMessage:
    def __init__(self, text: str | None) -> None:
        self.text = text


class FakeProcessor:
    def __init__(self) -> None:
        self.parses: list[str | None] = []

    def parse(self, message: Any, tracker: Any, only_output_properties: bool = True) -> dict:
        self.parses.append(message.text)
        return {"text": message.text, "intent": {"name": "greet"}, "entities": []}


def test_a_repeated_text_is_parsed_once_and_callers_cannot_corrupt_it() -> None:
    parse = cached_parse(FakeProcessor.parse, size=8)
    processor = FakeProcessor()
    first = parse(processor, FakeMessage("mất bao lâu?"), None)
    first["entities"].append({"entity": "procedure"})  # Rasa mutates parses afterwards
    second = parse(processor, FakeMessage("mất bao lâu?"), None)
    assert processor.parses == ["mất bao lâu?"]
    assert second == {"text": "mất bao lâu?", "intent": {"name": "greet"}, "entities": []}


def test_each_processor_has_its_own_cache() -> None:
    # A newly loaded model comes with a new processor: it must not see the old model's parses.
    parse = cached_parse(FakeProcessor.parse, size=8)
    old, new = FakeProcessor(), FakeProcessor()
    parse(old, FakeMessage("xin chào"), None)
    parse(new, FakeMessage("xin chào"), None)
    assert old.parses == new.parses == ["xin chào"]


def test_least_recently_used_text_leaves_first() -> None:
    parse = cached_parse(FakeProcessor.parse, size=2)
    processor = FakeProcessor()
    for text in ["a", "b", "a", "c", "a", "b"]:
        parse(processor, FakeMessage(text), None)
    # "b" was evicted by "c" ("a" had just been used), so it is parsed again.
    assert processor.parses == ["a", "b", "c", "b"]


def test_personal_numbers_and_non_texts_are_never_kept() -> None:
    parse = cached_parse(FakeProcessor.parse, size=8)
    processor = FakeProcessor()
    for text in ["sdt em 0912345678", "sdt em 0912345678", None, None]:
        parse(processor, FakeMessage(text), None)
    assert processor.parses == ["sdt em 0912345678", "sdt em 0912345678", None, None]
    assert len(processor.__dict__.get("_parse_cache") or []) == 0


def test_size_zero_turns_the_cache_off() -> None:
    parse = cached_parse(FakeProcessor.parse, size=0)
    processor = FakeProcessor()
    parse(processor, FakeMessage("xin chào"), None)
    parse(processor, FakeMessage("xin chào"), None)
    assert processor.parses == ["xin chào", "xin chào"]
    assert parse_cache_size({"NLU_PARSE_CACHE_SIZE": "0"}) == 0
    assert parse_cache_size({}) == DEFAULT_PARSE_CACHE_SIZE
