"""Process plan of `bot.stack`: what each server process is started with."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.stack import TF_THREAD_VARIABLES, Stack, StackConfig, tensorflow_threads_env


def test_cores_are_shared_out_between_rasa_processes() -> None:
    assert tensorflow_threads_env(2, 2, {}) == dict.fromkeys(TF_THREAD_VARIABLES, "1")
    assert tensorflow_threads_env(2, 8, {}) == dict.fromkeys(TF_THREAD_VARIABLES, "4")
    assert tensorflow_threads_env(1, 2, {}) == dict.fromkeys(TF_THREAD_VARIABLES, "2")


def test_more_processes_than_cores_still_get_one_thread() -> None:
    assert tensorflow_threads_env(4, 2, {}) == dict.fromkeys(TF_THREAD_VARIABLES, "1")


def test_an_operator_setting_is_kept() -> None:
    assert tensorflow_threads_env(2, 2, {"TF_INTRA_OP_PARALLELISM_THREADS": "2"}) == {}
    assert tensorflow_threads_env(2, 2, {"TF_INTER_OP_PARALLELISM_THREADS": " 3 "}) == {}
    assert tensorflow_threads_env(2, 2, {"TF_INTRA_OP_PARALLELISM_THREADS": ""}) != {}


def test_rasa_runs_through_the_patched_server(tmp_path: Path) -> None:
    config = StackConfig(
        var_dir=tmp_path, redis_url="redis://127.0.0.1:6379/0", rasa_workers=2, action_workers=1
    )
    commands = Stack(config).commands(tmp_path / "model.tar.gz")
    assert sorted(commands) == ["actions", "gateway", "rasa", "rasa-1"]
    assert commands["rasa-1"][1:3] == ["-m", "bot.rasa_server"]
    assert "--port" in commands["rasa-1"] and str(config.rasa_port + 1) in commands["rasa-1"]


def test_only_rasa_processes_get_a_tensorflow_thread_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in TF_THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    stack = Stack(StackConfig(var_dir=tmp_path, redis_url="redis://127.0.0.1:6379/0"))
    assert all(name in stack.env_for("rasa-1") for name in TF_THREAD_VARIABLES)
    assert not any(name in stack.env_for("gateway") for name in TF_THREAD_VARIABLES)
    assert not any(name in stack.env_for("actions") for name in TF_THREAD_VARIABLES)
