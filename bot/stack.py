"""Start, watch and stop the servers (Rasa, action server, gateway) as one stack.

Used by `make run` (`python -m bot run`) and by the integration tests, so that both start the
assistant the same way. Each server logs to its own file under the stack's log directory.

With Redis the stack runs `RASA_WORKERS` Rasa processes (default: one per core, as far as memory
allows) on consecutive ports from `RASA_PORT`, and `ACTION_WORKERS` action servers from
`ACTION_PORT`; the gateway spreads turns over the Rasa processes and Rasa process i calls action
server i mod M (its own endpoints file: Rasa takes one action URL). Without Redis there is one Rasa
process: the SQLite tracker store and the in-memory lock store are not shared between processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.endpoints import redis_password, render_endpoints, write_endpoints

REPO_ROOT = Path(__file__).resolve().parents[1]


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


# Resident memory of one Rasa server with this bot's model (measured, see docs/deployment.md),
# with some headroom; the default worker count never plans for more than the machine has.
RASA_PROCESS_BYTES = int(1.5 * 2**30)


def usable_cores() -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return cores or 1


def default_rasa_workers() -> int:
    """One Rasa process per core, as many as fit in physical memory (at least one)."""
    cores = usable_cores()
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        memory = RASA_PROCESS_BYTES * (cores or 1)
    return max(1, min(cores or 1, memory // RASA_PROCESS_BYTES - 1))


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
    # Requested process counts (RASA_WORKERS, ACTION_WORKERS; 0 = default). See rasa_count.
    rasa_workers: int = field(default_factory=lambda: _env_int("RASA_WORKERS", 0))
    action_workers: int = field(default_factory=lambda: _env_int("ACTION_WORKERS", 0))

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "logs"

    @property
    def rasa_count(self) -> int:
        """Rasa processes to run: as requested with Redis, always one without (not shared)."""
        if not self.redis_url:
            return 1
        return self.rasa_workers if self.rasa_workers > 0 else default_rasa_workers()

    @property
    def action_count(self) -> int:
        """Action servers: as requested, by default one (a turn's actions cost a few ms)."""
        return max(1, min(self.action_workers or 1, self.rasa_count))

    def single_rasa_reason(self) -> str | None:
        """Why more Rasa processes were asked for than will run, if so (for the start log)."""
        if self.rasa_workers > 1 and not self.redis_url:
            return (
                f"RASA_WORKERS={self.rasa_workers} ignored: without REDIS_URL one Rasa process "
                "runs (the SQLite tracker store and in-memory lock store are not shared)"
            )
        return None

    @property
    def rasa_urls(self) -> list[str]:
        return [f"http://{self.host}:{self.rasa_port + i}" for i in range(self.rasa_count)]

    @property
    def action_urls(self) -> list[str]:
        return [f"http://{self.host}:{self.action_port + j}" for j in range(self.action_count)]

    def endpoints_path_for(self, action_index: int) -> Path:
        """The endpoints file of the Rasa processes that call action server `action_index`."""
        if action_index == 0:
            return self.endpoints_path
        return self.endpoints_path.with_name(
            f"{self.endpoints_path.stem}-{action_index}{self.endpoints_path.suffix}"
        )

    def endpoints(self, action_index: int = 0) -> dict[str, Any]:
        """Rasa's endpoints.yml content for this stack's state backend and an action server."""
        return render_endpoints(
            action_url=f"{self.action_urls[action_index]}/webhook",
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


TF_THREAD_VARIABLES = ("TF_INTRA_OP_PARALLELISM_THREADS", "TF_INTER_OP_PARALLELISM_THREADS")


def tensorflow_threads_env(
    rasa_count: int, cores: int, environ: Mapping[str, str] = os.environ
) -> dict[str, str]:
    """TensorFlow's thread pools for each Rasa process: the cores shared out between them.

    TensorFlow sizes its pools to every core of the machine. With one Rasa process per core,
    each process's DIET inference then spreads one message over all cores and competes with the
    other processes' messages, which lengthens the latency tail under load (docs/performance.md).
    Rasa reads these variables at start. Values set by the operator are kept.
    """
    if any(environ.get(name, "").strip() for name in TF_THREAD_VARIABLES):
        return {}
    threads = str(max(1, cores // max(1, rasa_count)))
    return {name: threads for name in TF_THREAD_VARIABLES}


def _numbered(kind: str, index: int) -> str:
    return kind if index == 0 else f"{kind}-{index}"


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


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
        RASA_URLS=",".join(config.rasa_urls),
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
        """Process name -> command line: `actions`, `actions-1`, ..., `rasa`, `rasa-1`, ...

        Action servers come first so that Rasa finds them when it starts.
        """
        c = self.config
        commands: dict[str, list[str]] = {}
        for j in range(c.action_count):
            commands[_numbered("actions", j)] = [
                str(c.app_python), "-m", "rasa_sdk", "--actions", "actions",
                "--port", str(c.action_port + j),
            ]  # fmt: skip
        for i in range(c.rasa_count):
            endpoints = c.endpoints_path_for(i % c.action_count)
            # `rasa run` through bot.rasa_server: Rasa's CLI with per-turn overheads removed
            commands[_numbered("rasa", i)] = [
                str(c.rasa_bin.parent / "python"), "-m", "bot.rasa_server", "run",
                "--model", str(model),
                "--endpoints", str(endpoints), "--credentials", "credentials.yml",
                "--interface", c.host, "--port", str(c.rasa_port + i),
            ]  # fmt: skip
        commands["gateway"] = [str(c.app_python), "-m", "bot.gateway"]
        return commands

    def env_for(self, name: str) -> dict[str, str]:
        """The environment of process `name` (as in `commands`)."""
        env = base_env(self.config)
        if name.split("-")[0] == "rasa":
            env |= tensorflow_threads_env(self.config.rasa_count, usable_cores(), env)
        return env

    def start(self, model: Path | None = None, timeout: float = 600.0) -> None:
        c = self.config
        c.var_dir.mkdir(parents=True, exist_ok=True)
        c.log_dir.mkdir(parents=True, exist_ok=True)
        for j in range(c.action_count):
            write_endpoints(c.endpoints_path_for(j), c.endpoints(j))
        model = model or latest_model(c.model_dir)
        for name, cmd in self.commands(model).items():
            log = (c.log_dir / f"{name}.log").open("ab")
            self.processes[name] = subprocess.Popen(
                cmd, cwd=c.repo, env=self.env_for(name), stdout=log, stderr=subprocess.STDOUT,
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
        """The gateway is healthy and every Rasa process and action server answers."""
        c = self.config
        urls = [f"{c.gateway_url}/healthz", *(f"{u}/" for u in c.rasa_urls)]
        urls += [f"{u}/health" for u in c.action_urls]
        return all(_answers(url) for url in urls)

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
        names = sorted(
            self.processes, key=lambda n: ("gateway", "rasa", "actions").index(n.split("-")[0])
        )
        for name in names:
            self.stop_one(name)

    def kill(self) -> None:
        """SIGKILL every process at once, as a machine failure would (no graceful shutdown)."""
        for proc in self.processes.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        for proc in self.processes.values():
            proc.wait()
        self.processes.clear()

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
