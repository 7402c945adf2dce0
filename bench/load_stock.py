"""The stock-configuration model for `make bench-load`: trained once per data/config, cached.

The same domain and training data as the assistant, trained with Rasa's default pipeline and
policies (`bench/stock_config.yml`), into `var/bench/stock-models/<hash>.tar.gz`. The hash covers
the config, the domain and every file under `data/`, so a rerun with nothing changed reuses the
model and a data change retrains it.
"""

from __future__ import annotations

import fcntl
import hashlib
import subprocess
from pathlib import Path

from bot.stack import StackConfig, StackError, base_env

STOCK_CONFIG = Path(__file__).with_name("stock_config.yml")


def training_hash(repo: Path, config: Path = STOCK_CONFIG) -> str:
    """A short digest of what the stock model is trained from (config, domain, data files)."""
    digest = hashlib.sha256()
    files = [
        config,
        repo / "domain.yml",
        *sorted(p for p in (repo / "data").rglob("*") if p.is_file()),
    ]
    for path in files:
        digest.update(
            str(path.relative_to(repo) if path.is_relative_to(repo) else path.name).encode()
        )
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def stock_model(config: StackConfig, cache_dir: Path) -> tuple[Path, bool]:
    """The cached stock model, training it first when missing; (path, trained now)."""
    name = f"stock-{training_hash(config.repo)}"
    model = cache_dir / f"{name}.tar.gz"
    if model.exists():
        return model, False
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Two benches started together train once: the second waits for the first's model.
    with (cache_dir / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if model.exists():
            return model, False
        _train(config, cache_dir, name)
    return model, True


def _train(config: StackConfig, cache_dir: Path, name: str) -> None:
    model = cache_dir / f"{name}.tar.gz"
    cmd = [
        str(config.rasa_bin), "train",
        "--domain", "domain.yml", "--data", "data", "--config", str(STOCK_CONFIG),
        "--out", str(cache_dir), "--fixed-model-name", name,
    ]  # fmt: skip
    log = cache_dir / "train.log"
    with log.open("wb") as out:
        done = subprocess.run(
            cmd, cwd=config.repo, env=base_env(config), stdout=out, stderr=subprocess.STDOUT
        )
    if done.returncode != 0 or not model.exists():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
        raise StackError(f"training the stock model failed (log {log}):\n{tail}")
