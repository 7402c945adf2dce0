"""`rasa run` with per-turn overheads of Rasa 3.6 removed: `python -m bot.rasa_server run ...`.

Profiling a turn (docs/performance.md) showed Rasa spending ~14 ms of CPU per turn in
`rasa.shared.utils.common.all_subclasses`: every event read back from the tracker store is
resolved by walking the whole `Event` class tree (and `inspect.isabstract` on each class) again.
The tree only changes when a module defining new subclasses is imported, so the walk is cached
per class and recomputed when the number of imported modules or the direct subclasses change.

The NLU parse (tokenizer, featurizers, DIET) is the other large part of a turn, and its result
depends on the text alone: the pipeline reads nothing of the tracker or the message's metadata.
Citizens send the same short messages all day ("mất bao lâu?", "cảm ơn", "lệ phí bao nhiêu"), so
each processor remembers the parses of recent texts (`NLU_PARSE_CACHE_SIZE`, default 4096, 0 =
off). A new model gets a new processor and so an empty cache. Texts with a long run of digits
(phone, ID and dossier numbers) are never kept: they are personal and do not repeat.

Largest of all: after every custom action Rasa checks the action server's answer with
`jsonschema.validate`, which first validates Rasa's (large, constant) events schema against the
JSON Schema meta-schema, about 50 ms of CPU per call. Validating against a validator built once
keeps the same check and the same error, without that repeated work.

Runs in the Rasa virtualenv (Python 3.10); everything else is Rasa's own CLI.
"""

from __future__ import annotations

import copy
import os
import re
import sys
from collections import OrderedDict
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


# Six digits or more: a phone, ID or dossier number (dates and fees have fewer in a row).
_PERSONAL_NUMBER = re.compile(r"\d{6,}")
DEFAULT_PARSE_CACHE_SIZE = 4096


class ParseCache:
    """The last `size` parses by text, least recently used out first; copies in and out, so
    that Rasa's later changes to a parse never reach the cache."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[str, bool], dict[str, Any]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def cacheable(text: object) -> bool:
        return isinstance(text, str) and not _PERSONAL_NUMBER.search(text)

    def get(self, text: str, only_output_properties: bool) -> dict[str, Any] | None:
        key = (text, only_output_properties)
        parse = self._entries.get(key)
        if parse is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(key)
        return copy.deepcopy(parse)

    def put(self, text: str, only_output_properties: bool, parse: dict[str, Any]) -> None:
        if self.size <= 0:
            return
        self._entries[(text, only_output_properties)] = copy.deepcopy(parse)
        self._entries.move_to_end((text, only_output_properties))
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


_ParseWithGraph = Callable[..., dict[str, Any]]


def cached_parse(parse_with_graph: _ParseWithGraph, size: int) -> _ParseWithGraph:
    """`MessageProcessor._parse_message_with_graph` with a `ParseCache` per processor."""

    def parse(
        processor: Any, message: Any, tracker: Any, only_output_properties: bool = True
    ) -> dict[str, Any]:
        text = getattr(message, "text", None)
        if size <= 0 or not ParseCache.cacheable(text):
            return parse_with_graph(processor, message, tracker, only_output_properties)
        cache = processor.__dict__.get("_parse_cache")
        if cache is None:
            cache = processor.__dict__["_parse_cache"] = ParseCache(size)
        hit = cache.get(text, only_output_properties)
        if hit is not None:
            return hit
        result = parse_with_graph(processor, message, tracker, only_output_properties)
        cache.put(text, only_output_properties, result)
        return result

    return parse


def parse_cache_size(env: dict[str, str] | os._Environ[str] = os.environ) -> int:
    value = env.get("NLU_PARSE_CACHE_SIZE", "").strip()
    return int(value) if value else DEFAULT_PARSE_CACHE_SIZE


def precompiled_validation(schema: dict[str, Any], suffix: str) -> Callable[[Any, Any], bool]:
    """A `RemoteAction._validate_action_result` that checks `schema` once, then only answers:
    True when valid, else the best-matching `ValidationError` (as `jsonschema.validate` raises
    it) with `suffix` appended to its message."""
    from jsonschema import validators
    from jsonschema.exceptions import best_match

    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)

    def validate_action_result(action: Any, result: Any) -> bool:
        error = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += suffix
        raise error

    return validate_action_result


def install() -> None:
    import rasa.shared.utils.common as common
    from rasa.core.processor import MessageProcessor

    if not getattr(common.all_subclasses, "_cached", False):
        cached = cached_all_subclasses(common.all_subclasses)
        cached._cached = True  # type: ignore[attr-defined]
        common.all_subclasses = cached

    graph_parse = MessageProcessor._parse_message_with_graph
    if not getattr(graph_parse, "_cached", False):
        parse = cached_parse(graph_parse, parse_cache_size())
        parse._cached = True  # type: ignore[attr-defined]
        MessageProcessor._parse_message_with_graph = parse  # type: ignore[method-assign]

    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    if not getattr(RemoteAction._validate_action_result, "_cached", False):
        validate = precompiled_validation(
            RemoteAction.action_response_format_spec(),
            # Rasa's own wording (rasa/core/actions/action.py), so its logs read the same.
            ". Failed to validate Action server response from API, make sure your response "
            "from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions",
        )
        validate._cached = True  # type: ignore[attr-defined]
        RemoteAction._validate_action_result = validate  # type: ignore[method-assign]


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
