"""Fixtures for knowledge tests: the shipped knowledge and small throwaway knowledge dirs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.knowledge import Knowledge, load_knowledge
from bot.knowledge.loader import DEFAULT_DIR


@pytest.fixture(scope="session")
def shipped() -> Knowledge:
    return load_knowledge(DEFAULT_DIR)


@pytest.fixture
def kdir(tmp_path: Path) -> Path:
    """A writable copy of the shipped knowledge directory."""
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_DIR, target)
    return target
