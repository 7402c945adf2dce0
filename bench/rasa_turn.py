"""Rasa's cost per conversation turn: latency and CPU seconds of the Rasa and action processes.

    python -m bench.rasa_turn [--model models/a.tar.gz --model models/b.tar.gz]
                              [--turns 200] [--concurrency 1] [--redis-url redis://...]
    python -m bench.rasa_turn --url http://127.0.0.1:5005 --pid <rasa pid>   # a running Rasa

For each `--model` (default: the latest in `models/`) it starts its own stack on free ports (the
same `bot.stack` as `make run`), sends `--turns` user messages straight to Rasa's REST channel
(`/webhooks/rest/webhook`, no gateway) from `--concurrency` citizens at a time, each citizen
playing scripted conversations (procedure questions, follow-ups, a feedback form, small talk),
and prints turns/s, p50/p95 latency and the CPU time each server process used per turn (from
/proc, so Linux only). Several models in one run give a side-by-side comparison on the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.stack import Stack, latest_model

# Conversations a citizen plays in order; every one starts as a new sender (fresh tracker).
CONVERSATIONS: list[list[str]] = [
    ["xin chào", "Làm giấy khai sinh cần gì?", "mất bao lâu vậy ạ", "lệ phí bao nhiêu", "cảm ơn"],
    ["dang ky ket hon can giay to gi", "nop o dau", "các bước làm như thế nào", "tạm biệt"],
    [
        "tôi muốn gửi phản ánh lên xã",
        "phản ánh: đèn đường ở xóm 5 không sáng mấy hôm nay",
        "bỏ qua",
        "bỏ qua",
        "không ạ",
    ],
    ["ủy ban xã làm việc từ mấy giờ ạ", "chứng thực bản sao mất phí không", "bạn là người hay máy"],
    ["thủ tục đăng ký thường trú", "cần những giấy tờ gì", "ai được làm thủ tục này", "ok cảm ơn"],
]

CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _own_cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may contain spaces
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its live descendants (Sanic >= 22 serves from a
    worker subprocess, as the action server does), all threads, from /proc."""
    try:
        return _own_cpu_seconds(pid) + sum(cpu_seconds(child) for child in _children(pid))
    except FileNotFoundError:  # exited meanwhile
        return 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def send_turn(rasa_url: str, sender: str, text: str, timeout: float = 60.0) -> list[object]:
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as resp:
        body = json.loads(resp.read())
    if not isinstance(body, list) or not body:
        raise RuntimeError(f"Rasa gave no answer to {text!r}: {body!r}")
    return body


def script(offset: int) -> Iterator[tuple[str, str]]:
    """(sender, text) turns of consecutive conversations, starting at conversation `offset`."""
    i = offset
    while True:
        sender = f"bench-{uuid.uuid4().hex[:12]}"
        for text in CONVERSATIONS[i % len(CONVERSATIONS)]:
            yield sender, text
        i += 1


@dataclass
class Result:
    label: str
    turns: int
    seconds: float
    latencies_ms: list[float]
    cpu: dict[str, float] = field(default_factory=dict)  # process name -> CPU seconds used

    def line(self) -> str:
        per_turn = "  ".join(
            f"{name} {1000 * secs / self.turns:5.1f}" for name, secs in self.cpu.items()
        )
        return (
            f"{self.label:40s} {self.turns:5d} turns {self.turns / self.seconds:6.1f}/s  "
            f"p50 {statistics.median(self.latencies_ms):5.0f} ms  "
            f"p95 {percentile(self.latencies_ms, 0.95):5.0f} ms  "
            f"CPU ms/turn: {per_turn}"
        )


def drive(rasa_url: str, turns: int, concurrency: int) -> tuple[float, list[float]]:
    """Send `turns` turns from `concurrency` citizens; wall seconds and per-turn latencies."""
    latencies: list[float] = []
    errors: list[BaseException] = []
    counter = iter(range(turns))
    lock = threading.Lock()

    def citizen(n: int) -> None:
        turns_of = script(n)
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            sender, text = next(turns_of)
            t0 = time.perf_counter()
            try:
                send_turn(rasa_url, sender, text)
            except Exception as exc:  # reported after the run, with the others
                errors.append(exc)
                return
            with lock:
                latencies.append((time.perf_counter() - t0) * 1000)

    threads = [threading.Thread(target=citizen, args=(n,)) for n in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} turn(s) failed, first: {errors[0]!r}")
    return time.perf_counter() - started, latencies


def measure(label: str, rasa_url: str, pids: dict[str, int], args: argparse.Namespace) -> Result:
    drive(rasa_url, args.warmup, 1)  # load lazily built parts (first predictions, caches)
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    seconds, latencies = drive(rasa_url, args.turns, args.concurrency)
    used = {name: cpu_seconds(pid) - before[name] for name, pid in pids.items()}
    return Result(label, len(latencies), seconds, latencies, used)


def bench_model(model: Path, args: argparse.Namespace) -> Result:
    from tests.integration.helpers import stack_config

    with tempfile.TemporaryDirectory() as tmp, Stack(stack_config(Path(tmp), args.redis_url)) as s:
        s.start(model, timeout=args.start_timeout)
        pids = {name: s.processes[name].pid for name in ("rasa", "actions")}
        return measure(model.name, s.config.rasa_url, pids, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--model", type=Path, action="append", help="repeat to compare models")
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--redis-url", default=None, help="default: SQLite state")
    parser.add_argument("--start-timeout", type=float, default=900, help="seconds to start")
    parser.add_argument("--url", help="bench an already running Rasa instead of starting one")
    parser.add_argument("--pid", type=int, help="with --url: the Rasa process id, for its CPU")
    args = parser.parse_args()

    if args.url:
        pids = {"rasa": args.pid} if args.pid else {}
        print(measure(args.url, args.url.rstrip("/"), pids, args).line())
        return
    for model in args.model or [latest_model(Path("models"))]:
        print(bench_model(model, args).line(), flush=True)


if __name__ == "__main__":
    main()
