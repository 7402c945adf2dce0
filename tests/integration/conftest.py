"""Real servers for integration tests: one trained model and one Redis-backed stack per session.

The model is trained (or reused when data and config are unchanged) in the repo's `models/`, the
same as `make run`. Each stack gets free ports, its own var dir and its own Redis key prefix, so the
tests never touch a developer's running assistant or data.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.stack import REPO_ROOT, Stack, StackConfig, train
from tests.integration.helpers import REDIS_URL, stack_config


@pytest.fixture(scope="session")
def model() -> Path:
    return train(StackConfig())


@pytest.fixture(scope="session")
def redis_stack(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    var_dir = tmp_path_factory.mktemp("redis-stack")
    # A copy of the knowledge, so that tests can edit it under the running servers.
    knowledge = var_dir / "knowledge"
    shutil.copytree(REPO_ROOT / "knowledge", knowledge)
    config = stack_config(var_dir, REDIS_URL)
    config.extra_env["KNOWLEDGE_DIR"] = str(knowledge)
    stack = Stack(config)
    stack.start(model)
    yield stack
    stack.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.integration)
