"""Start, watch and stop the three servers (Rasa, action server, gateway) as one stack.

Used by `make run` (`python -m bot run`) and by the integration tests, so that both start the
assistant the same way. Each server logs to its own file under the stack's log directory.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.endpoints import redis_password, render_endpoints, write_endpoints

REPO_ROOT = Path(__file__).resolve().parents[1]


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


@dataclass
class StackConfig:
    """Where things are and which ports and state backend the stack uses."""

    repo: Path = REPO_ROOT
    rasa_port: int = field(default_factory=lambda: _env_int("RASA_PORT", 5005))
    action_port: int = field(default_factory=lambda: _env_int("ACTION_PORT", 5055))
    gateway_port: int = field(default_factory=lambda: _env_int("GATEWAY_PORT", 8000))
    host: str = field(default_factory=lambda: os.environ.get("BIND_HOST", "127.0.0.1"))
    redis_url: str | None = field(default_factory=lambda: os.environ.get("REDIS_URL") or None)
    var_dir: Path = field(
        default_factory=lambda: Path(os.environ.get("VAR_DIR", REPO_ROOT / "var")).resolve()
    )
    model_dir: Path = field(default_factory=lambda: REPO_ROOT / "models")
    endpoints_path: Path = field(default_factory=lambda: REPO_ROOT / "endpoints.yml")
    key_prefix: str = field(default_factory=lambda: os.environ.get("STATE_PREFIX", "commune"))
    # Conversations (Rasa's Redis tracker records) expire after this many days without activity.
    retention_days: int = field(default_factory=lambda: _env_int("DATA_RETENTION_DAYS", 30))
    rasa_bin: Path = field(
        default_factory=lambda: Path(os.environ.get("RASA_BIN", REPO_ROOT / ".venv/rasa/bin/rasa"))
    )
    app_python: Path = field(default_factory=lambda: Path(sys.executable))
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "logs"

    def endpoints(self) -> dict[str, Any]:
        """Rasa's endpoints.yml content for this stack's state backend and action server."""
        return render_endpoints(
            action_url=f"{self.action_url}/webhook",
            redis_url=self.redis_url,
            var_dir=self.var_dir,
            key_prefix=self.key_prefix,
            retention_days=self.retention_days,
        )

    @property
    def gateway_url(self) -> str:
        return f"http://{self.host}:{self.gateway_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://{self.host}:{self.action_port}"


class StackError(RuntimeError):
    """A server failed to start; the message says which and shows its log tail."""


def base_env(config: StackConfig) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(config.repo),
        RASA_TELEMETRY_ENABLED="false",
        VAR_DIR=str(config.var_dir),
        STATE_PREFIX=config.key_prefix,
        RASA_PORT=str(config.rasa_port),
        ACTION_PORT=str(config.action_port),
        GATEWAY_PORT=str(config.gateway_port),
        GATEWAY_HOST=config.host,
        RASA_URL=config.rasa_url,
        ACTION_SERVER_URL=config.action_url,
    )
    if config.redis_url:
        env["REDIS_URL"] = config.redis_url
        password = redis_password(config.redis_url)
        if password:
            env["REDIS_PASSWORD"] = password
    else:
        env.pop("REDIS_URL", None)
    env.update(config.extra_env)
    return env


def train(config: StackConfig) -> Path:
    """Train a model unless Rasa finds one matching the current data and config; return it.

    The procedure lookup table is regenerated from the knowledge first, so that new procedures
    and aliases reach the NLU with the next training without a manual step.
    """
    from bot.knowledge import knowledge_dir, load_knowledge
    from bot.nlu_data import DEFAULT_OUTPUT, write_lookups

    write_lookups(load_knowledge(knowledge_dir()), config.repo / DEFAULT_OUTPUT)
    cmd = [
        str(config.rasa_bin), "train",
        "--domain", "domain.yml", "--data", "data", "--config", "config.yml",
        "--out", str(config.model_dir),
    ]  # fmt: skip
    subprocess.run(cmd, cwd=config.repo, env=base_env(config), check=True)
    return latest_model(config.model_dir)


def latest_model(model_dir: Path) -> Path:
    models = sorted(model_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise StackError(f"no trained model in {model_dir}: run `make train`")
    return models[-1]


class Stack:
    """The running servers. Use as a context manager, or call start() and stop()."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def commands(self, model: Path) -> dict[str, list[str]]:
        c = self.config
        return {
            "actions": [
                str(c.app_python), "-m", "rasa_sdk", "--actions", "actions",
                "--port", str(c.action_port),
            ],
            "rasa": [
                str(c.rasa_bin), "run", "--model", str(model),
                "--endpoints", str(c.endpoints_path), "--credentials", "credentials.yml",
                "--interface", c.host, "--port", str(c.rasa_port),
            ],
            "gateway": [str(c.app_python), "-m", "bot.gateway"],
        }  # fmt: skip

    def start(self, model: Path | None = None, timeout: float = 240.0) -> None:
        c = self.config
        c.var_dir.mkdir(parents=True, exist_ok=True)
        c.log_dir.mkdir(parents=True, exist_ok=True)
        write_endpoints(c.endpoints_path, c.endpoints())
        model = model or latest_model(c.model_dir)
        env = base_env(c)
        for name, cmd in self.commands(model).items():
            log = (c.log_dir / f"{name}.log").open("ab")
            self.processes[name] = subprocess.Popen(
                cmd, cwd=c.repo, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        try:
            self.wait_healthy(timeout)
        except BaseException:
            self.stop()
            raise

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.processes.items():
                if proc.poll() is not None:
                    raise StackError(
                        f"{name} exited with {proc.returncode}:\n{self.log_tail(name)}"
                    )
            if self.healthy():
                return
            time.sleep(0.5)
        raise StackError(
            f"stack not healthy after {timeout:.0f} s:\n"
            + "\n".join(self.log_tail(n) for n in self.processes)
        )

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.config.gateway_url}/healthz", timeout=3) as resp:
                return resp.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.config.log_dir / f"{name}.log"
        if not path.exists():
            return f"--- {name}: no log"
        text = path.read_text(errors="replace").splitlines()[-lines:]
        return f"--- {name} ({path}):\n" + "\n".join(text)

    def stop_one(self, name: str, grace: float = 10.0) -> None:
        proc = self.processes.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def stop(self) -> None:
        # Gateway first so no new traffic reaches the others while they stop.
        for name in ("gateway", "rasa", "actions", *list(self.processes)):
            self.stop_one(name)

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
