"""The cached subclass walk used by `python -m bot.rasa_server` (pure Python, no Rasa needed)."""

from __future__ import annotations

import abc
from typing import Any

from bot.rasa_server import cached_all_subclasses


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
