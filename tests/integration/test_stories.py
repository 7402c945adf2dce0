"""Rasa's own test stories (tests/stories/) against the real action server."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bot.stack import REPO_ROOT, Stack, base_env


def test_rasa_test_stories_pass(redis_stack: Stack, model: Path, tmp_path: Path) -> None:
    config = redis_stack.config
    result = subprocess.run(
        [
            str(config.rasa_bin), "test", "core",
            "--model", str(model),
            "--stories", "tests/stories",
            "--endpoints", str(config.endpoints_path),
            "--out", str(tmp_path / "results"),
            "--fail-on-prediction-errors",
        ],
        cwd=REPO_ROOT, env=base_env(config), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    failed = tmp_path / "results" / "failed_test_stories.yml"
    detail = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:] + detail
