"""Real servers for integration tests: one trained model and one Redis-backed stack per session.

The model is trained (or reused when data and config are unchanged) in the repo's `models/`, the
same as `make run`. Each stack gets free ports, its own var dir and its own Redis key prefix, so the
tests never touch a developer's running assistant or data.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.stack import Stack, StackConfig, train
from tests.integration.helpers import REDIS_URL, stack_config


@pytest.fixture(scope="session")
def model() -> Path:
    return train(StackConfig())


@pytest.fixture(scope="session")
def redis_stack(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack(stack_config(tmp_path_factory.mktemp("redis-stack"), REDIS_URL))
    stack.start(model)
    yield stack
    stack.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.integration)
