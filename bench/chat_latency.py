"""Latency of sequential web-chat turns through the whole stack, and each server's peak memory.

    python -m bench.chat_latency [--messages 100] [--redis-url redis://127.0.0.1:6379/0]

Starts its own stack on free ports (the latest trained model; `make train` first), sends a mix of
procedure questions, follow-ups and small talk one after another over `/api/chat`, and prints
p50/p95/max latency plus the peak RSS (VmHWM) of the gateway, Rasa and the action server.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bot.stack import Stack
from tests.integration.helpers import ChatClient, stack_config

CONVERSATION = [
    "xin chào",
    "Làm giấy khai sinh cần gì?",
    "mất bao lâu vậy ạ",
    "lệ phí bao nhiêu",
    "thế còn đăng ký kết hôn thì sao",
    "nop o dau",
    "cảm ơn",
    "dang ky thuong tru can giay to gi",
    "chứng thực bản sao mất phí không",
    "tạm biệt",
]


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--redis-url", default=None, help="default: SQLite (embedded)")
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory() as tmp,
        Stack(stack_config(Path(tmp), args.redis_url)) as stack,
    ):
        started = time.monotonic()
        stack.start()
        print(
            f"stack healthy after {time.monotonic() - started:.1f} s "
            f"({'Redis' if args.redis_url else 'SQLite'} state)"
        )
        chat = ChatClient(stack.config.gateway_url)
        chat.send("xin chào")  # warm-up turn, not measured
        latencies: list[float] = []
        for i in range(args.messages):
            if i % len(CONVERSATION) == 0:
                chat = ChatClient(stack.config.gateway_url)  # a new citizen every 10 turns
            t0 = time.perf_counter()
            chat.send(CONVERSATION[i % len(CONVERSATION)])
            latencies.append((time.perf_counter() - t0) * 1000)
        print(
            f"{len(latencies)} sequential /api/chat turns: "
            f"p50 {statistics.median(latencies):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms, "
            f"max {max(latencies):.0f} ms"
        )
        for name, proc in stack.processes.items():
            print(f"peak RSS {name:8s} {peak_rss_mib(proc.pid):7.0f} MiB")


if __name__ == "__main__":
    main()
