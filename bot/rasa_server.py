"""`rasa run` with per-turn overheads of Rasa 3.6 removed: `python -m bot.rasa_server run ...`.

Profiling a turn (docs/performance.md) showed Rasa spending ~14 ms of CPU per turn in
`rasa.shared.utils.common.all_subclasses`: every event read back from the tracker store is
resolved by walking the whole `Event` class tree (and `inspect.isabstract` on each class) again.
The tree only changes when a module defining new subclasses is imported, so the walk is cached
per class and recomputed when the number of imported modules or the direct subclasses change.

Runs in the Rasa virtualenv (Python 3.10); everything else is Rasa's own CLI.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

_Walk = Callable[[Any], list[Any]]


def cached_all_subclasses(walk: _Walk) -> _Walk:
    """`walk(cls)` remembered per class, recomputed when the tree of subclasses changes."""
    cache: dict[Any, tuple[tuple[Any, ...], list[Any]]] = {}

    def all_subclasses(cls: Any) -> list[Any]:
        key = _tree(cls)
        hit = cache.get(cls)
        if hit is not None and hit[0] == key:
            return list(hit[1])
        result = walk(cls)
        cache[cls] = (key, result)
        return list(result)

    return all_subclasses


def _tree(cls: Any) -> tuple[Any, ...]:
    """The cache's validity key, O(1)-ish: new classes appear when modules are imported (the
    module count changes) or, rarely, as new direct subclasses."""
    return (len(sys.modules), *cls.__subclasses__())


def install() -> None:
    import rasa.shared.utils.common as common

    if not getattr(common.all_subclasses, "_cached", False):
        cached = cached_all_subclasses(common.all_subclasses)
        cached._cached = True  # type: ignore[attr-defined]
        common.all_subclasses = cached


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
