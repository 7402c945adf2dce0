"""`make bench-load`: throughput and latency of the whole stack under a realistic chat load.

    python -m bench.load [--duration 15] [--users 8,16,32] [--rates 20] [--skip-stock]

Starts the real stack (Rasa, action server, gateway on Redis, as a province deploys it) on free
ports with the latest trained model, sends the conversation mix of `bench/load_mix.py` through
`/api/chat`, closed loop (N citizens back to back) then open loop (a fixed arrival rate), and
measures throughput, latency percentiles, errors and the CPU seconds each server spent per
message. Then the same load against the same bot trained with Rasa's stock configuration
(`bench/stock_config.yml`, cached under `var/bench/stock-models/`), and the ratio. Prints a
Markdown table and writes it into `docs/performance.md` between the bench-load markers.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import aiohttp
import psutil
import typer

from bench.load_driver import ChatTarget, arrival_times, closed_loop, open_loop
from bench.load_mix import Conversation, MixGenerator, default_generator
from bench.load_report import PhaseResult, markdown_table, ratios
from bench.load_stock import stock_model
from bot.stack import REPO_ROOT, Stack, StackConfig, StackError, latest_model

DOC = REPO_ROOT / "docs/performance.md"
BEGIN, END = "<!-- bench-load:begin -->", "<!-- bench-load:end -->"
WARM_UP_SECONDS = 5.0

app = typer.Typer(add_completion=False, help=__doc__.splitlines()[0])


def bench_config(var_dir: Path, redis_url: str) -> StackConfig:
    """The integration tests' stack (free ports, own Redis key prefix, test session secret) with
    chat rate limits off: one client address sends everything."""
    from tests.integration.helpers import stack_config  # as bench/eval.py does

    config = stack_config(var_dir, redis_url)
    config.extra_env.update(RATE_LIMIT_SESSION_PER_MINUTE="0", RATE_LIMIT_ADDRESS_PER_MINUTE="0")
    return config


# -- CPU accounting ---------------------------------------------------------------------------


def server_kind(name: str) -> str:
    """`rasa`, `rasa-2`, `actions1` -> `rasa`, `rasa`, `actions`: CPU adds up per kind."""
    match = re.match(r"[a-z]+", name)
    return match.group(0) if match else name


def _tree_times(pid: int) -> dict[int, float]:
    """CPU seconds (user + system) of a process and its live descendants (Sanic workers)."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return {}
    times: dict[int, float] = {}
    for proc in procs:
        try:
            t = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        times[proc.pid] = t.user + t.system
    return times


@dataclass
class CpuMeter:
    """CPU seconds per server kind between `start()` and `stop()`."""

    stack: Stack
    before: dict[str, dict[int, float]] = field(default_factory=dict)

    def snapshot(self) -> dict[str, dict[int, float]]:
        return {name: _tree_times(p.pid) for name, p in self.stack.processes.items()}

    def start(self) -> None:
        self.before = self.snapshot()

    def stop(self) -> dict[str, float]:
        after = self.snapshot()
        used: dict[str, float] = {}
        for name, procs in after.items():
            earlier = self.before.get(name, {})
            spent = sum(t - earlier.get(pid, 0.0) for pid, t in procs.items())
            kind = server_kind(name)
            used[kind] = used.get(kind, 0.0) + spent
        return used


# -- one configuration ------------------------------------------------------------------------


@dataclass
class Plan:
    duration: float
    users: list[int]
    rates: list[float]
    poisson: bool
    seed: int
    start_timeout: float = 600.0


async def _run_phases(
    stack: Stack, label: str, plan: Plan, conversations: Iterator[Conversation]
) -> list[PhaseResult]:
    results: list[PhaseResult] = []
    meter = CpuMeter(stack)
    connector = aiohttp.TCPConnector(limit=0)  # open loop: never queue in the client
    async with aiohttp.ClientSession(connector=connector) as http:
        target = ChatTarget(stack.config.gateway_url, http)
        # Rasa's first turns build TensorFlow graphs: seconds each, not measured.
        warm = PhaseResult(label, "warm-up", "", 0.0)
        await closed_loop(target, conversations, 4, WARM_UP_SECONDS, warm)
        if not warm.ok:
            raise StackError(f"{label}: no warm-up turn succeeded ({warm.error_kinds})")
        for users in plan.users:
            result = PhaseResult(label, "closed", f"{users} users", 0.0)
            meter.start()
            await closed_loop(target, conversations, users, plan.duration, result)
            result.cpu_seconds = meter.stop()
            results.append(_announce(result))
        for rate in plan.rates:
            result = PhaseResult(label, "open", f"{rate:g} msg/s", 0.0)
            schedule = arrival_times(rate, plan.duration, plan.poisson, seed=plan.seed)
            meter.start()
            await open_loop(target, conversations, schedule, result)
            result.cpu_seconds = meter.stop()
            results.append(_announce(result))
    return results


def _announce(r: PhaseResult) -> PhaseResult:
    print(
        f"  {r.config:5s} {r.mode:6s} {r.load:10s} {r.throughput:6.1f} msg/s  "
        f"p50 {r.p(0.5):6.0f}  p95 {r.p(0.95):6.0f}  p99 {r.p(0.99):6.0f} ms  "
        f"errors {r.errors}",
        flush=True,
    )
    return r


def run_config(
    label: str, model: Path, plan: Plan, redis_url: str, mix: MixGenerator
) -> list[PhaseResult]:
    with tempfile.TemporaryDirectory(prefix=f"bench-load-{label}-") as tmp:
        config = bench_config(Path(tmp), redis_url)
        stack = Stack(config)
        started = time.monotonic()
        try:
            stack.start(model=model, timeout=plan.start_timeout)
        except StackError as exc:
            raise StackError(f"the {label} stack did not start ({model.name}):\n{exc}") from None
        try:
            print(
                f"{label}: stack healthy after {time.monotonic() - started:.0f} s "
                f"(model {model.name})",
                flush=True,
            )
            return asyncio.run(_run_phases(stack, label, plan, iter(mix)))
        finally:
            stack.stop()
            _drop_keys(redis_url, config.key_prefix)


def _drop_keys(redis_url: str, prefix: str) -> None:
    """Remove this run's keys (its own random prefix only)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        batch = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        for i in range(0, len(batch), 500):
            client.delete(*batch[i : i + 500])
    except redis.RedisError as exc:
        print(f"warning: could not remove the bench keys {prefix}:* ({exc})", file=sys.stderr)
    finally:
        client.close()


# -- report -----------------------------------------------------------------------------------


def report(results: list[PhaseResult], plan: Plan, notes: list[str]) -> str:
    cores = psutil.cpu_count() or 0
    load1 = psutil.getloadavg()[0]
    arrivals = "Poisson" if plan.poisson else "uniform"
    lines = [
        f"Measured {datetime.now():%Y-%m-%d %H:%M} by `make bench-load` on {cores} cores "
        f"(load average {load1:.1f} at the end; the machine is shared, so other work competes "
        f"for the CPU). Redis state, one gateway, the stack's default process counts. "
        f"{plan.duration:g} s per phase; open loop with {arrivals} arrivals, latency measured "
        "from the scheduled send time. CPU ms/answer: user + system CPU of each server (with its "
        "worker processes) during the phase, divided by the messages answered (errors include "
        "the gateway's fast 503 refusals when it is over its bound).",
        "",
        markdown_table(results),
        "",
        *notes,
    ]
    comparison = ratios(results)
    if comparison:
        lines += ["", "Ours against the stock configuration, same run and same traffic:", ""]
        lines += comparison
    return "\n".join(lines).rstrip() + "\n"


def write_doc(section: str, path: Path = DOC) -> None:
    """Replace the bench-load section of `docs/performance.md`, keeping everything else."""
    block = f"{BEGIN}\n{section}{END}"
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            text = head + block + rest.split(END, 1)[1]
        else:
            text = text.rstrip() + "\n\n## Load (`make bench-load`)\n\n" + block + "\n"
    else:
        text = (
            "# Performance\n\nFigures measured on the project's machines; commands to rerun "
            "them are named with each table.\n\n## Load (`make bench-load`)\n\n" + block + "\n"
        )
    path.write_text(text, encoding="utf-8")


def _int_list(value: str) -> list[int]:
    return [int(v) for v in value.split(",") if v.strip()]


def _float_list(value: str) -> list[float]:
    return [float(v) for v in value.split(",") if v.strip()]


@app.command()
def main(
    duration: float = typer.Option(15.0, min=1.0, help="Seconds per measured phase."),
    users: str = typer.Option("8,16,32", help="Closed-loop concurrent users, comma-separated."),
    rates: str = typer.Option("20", help="Open-loop arrival rates in messages/s."),
    arrivals: str = typer.Option("poisson", help="Open-loop arrivals: poisson or uniform."),
    skip_stock: bool = typer.Option(False, "--skip-stock", help="Do not run the stock config."),
    redis_url: str = typer.Option("redis://127.0.0.1:6379/0", help="Redis for the stacks."),
    seed: int = typer.Option(7, help="Seed of the conversation mix and arrivals."),
    write: bool = typer.Option(True, help="Write the table into docs/performance.md."),
    start_timeout: float = typer.Option(
        600.0, help="Seconds a stack may take to become healthy (Rasa loads slowly on a busy CPU)."
    ),
) -> None:
    if arrivals not in ("poisson", "uniform"):
        raise typer.BadParameter("poisson or uniform", param_hint="--arrivals")
    plan = Plan(
        duration, _int_list(users), _float_list(rates), arrivals == "poisson", seed, start_timeout
    )
    ours = REPO_ROOT / "models"
    notes: list[str] = []
    try:
        configs = [("ours", latest_model(ours))]
        if not skip_stock:
            t0 = time.monotonic()
            model, trained = stock_model(StackConfig(), REPO_ROOT / "var/bench/stock-models")
            if trained:
                print(f"stock: trained {model.name} in {time.monotonic() - t0:.0f} s", flush=True)
            configs.append(("stock", model))
        results: list[PhaseResult] = []
        for label, model in configs:
            # The same seed for both configs: the same conversations in the same order.
            results += run_config(label, model, plan, redis_url, default_generator(seed))
    except (StackError, subprocess.CalledProcessError) as exc:
        print(f"bench-load: {exc}", file=sys.stderr)
        raise typer.Exit(1) from None
    if skip_stock:
        notes.append("The stock configuration was skipped (`--skip-stock`).")
    section = report(results, plan, notes)
    print()
    print(section)
    if write:
        write_doc(section)
        print(f"written to {DOC.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    app()
