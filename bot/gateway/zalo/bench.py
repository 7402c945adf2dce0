"""`make bench`: simulated Zalo users against the real gateway, Rasa and action server.

50 users (default) each send 20 messages through signed webhooks, waiting for the answer before
the next message as a person would; 10 % of the deliveries are repeated at once, as Zalo's
retries would be. Zalo is the contract-faithful fake (`fake.py`) in this process. Reported:
acknowledgement latency of the webhook, end-to-end latency from the webhook to the first and the
last message of the answer (p50/p95/p99), lost answers (no reply within the timeout) and
duplicated replies (a message sent twice in one turn, or anything sent after the run settled).

`--fake-rasa` replaces Rasa and the action server by an in-process echo, to measure the gateway
alone. The state is Redis when `REDIS_URL` (or `--redis-url`) is set, else SQLite.
Exit status 1 when the acknowledgement p99 is 50 ms or more, or a reply is lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.gateway.zalo.fake import FakeZalo, Sent, signed, text_event
from bot.stack import REPO_ROOT, Stack, StackConfig, base_env, train

OA_SECRET = "bench-oa-secret"
QUESTIONS = [
    "xin chào",
    "Làm giấy khai sinh cần gì?",
    "lệ phí đăng ký khai sinh bao nhiêu",
    "đăng ký kết hôn cần giấy tờ gì",
    "giờ làm việc của ủy ban xã",
    "cảm ơn",
]
ACK_P99_LIMIT_MS = 50.0


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


@dataclass
class Turn:
    user: str
    index: int
    posted: float
    ack_ms: float = 0.0
    first: float | None = None
    last: float | None = None
    bodies: list[str] = field(default_factory=list)
    redelivered: bool = False


class Recorder:
    """Assigns each send to the user's current turn."""

    def __init__(self) -> None:
        self.current: dict[str, Turn] = {}
        self.arrived: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self.late: list[Sent] = []
        self.closed = False

    def on_send(self, sent: Sent) -> None:
        turn = self.current.get(sent.user_id)
        if turn is None or self.closed:
            self.late.append(sent)
            return
        now = time.monotonic()
        turn.first = turn.first or now
        turn.last = now
        turn.bodies.append(json.dumps(sent.message, sort_keys=True, ensure_ascii=False))
        self.arrived[sent.user_id].set()


async def _user(
    http: aiohttp.ClientSession,
    url: str,
    fake: FakeZalo,
    recorder: Recorder,
    user: str,
    messages: int,
    timeout: float,
    dup_rate: float,
    turns: list[Turn],
    rng: random.Random,
) -> None:
    await asyncio.sleep(rng.uniform(0, 1.0))  # users do not all start in the same millisecond
    for i in range(messages):
        text = QUESTIONS[i % len(QUESTIONS)]
        raw, headers = signed(text_event(fake.app_id, user, text), OA_SECRET)
        turn = Turn(user, i, time.monotonic())
        recorder.current[user] = turn
        recorder.arrived[user].clear()
        started = time.perf_counter()
        async with http.post(url, data=raw, headers=headers) as response:
            await response.read()
            assert response.status == 200, response.status
        turn.ack_ms = (time.perf_counter() - started) * 1000
        turns.append(turn)
        if rng.random() < dup_rate:  # Zalo delivering the same event again
            turn.redelivered = True
            async with http.post(url, data=raw, headers=headers) as response:
                await response.read()
        try:
            await asyncio.wait_for(recorder.arrived[user].wait(), timeout)
        except asyncio.TimeoutError:
            continue  # lost (counted later)
        # The answer may have several messages: wait until none comes for a moment.
        while True:
            seen = len(turn.bodies)
            await asyncio.sleep(0.4)
            if len(turn.bodies) == seen:
                break


class FakeRasa:
    """Rasa's REST channel as an echo with a small think time (for `--fake-rasa`)."""

    def __init__(self, delay: float) -> None:
        self.delay = delay

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._webhook)
        app.router.add_get("/", lambda r: web.Response(text="Hello from Rasa: fake"))
        app.router.add_get("/health", lambda r: web.json_response({"status": "ok"}))
        return app

    async def _webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        await asyncio.sleep(self.delay)
        return web.json_response(
            [{"recipient_id": body["sender"], "text": f"echo {body['message']}"}]
        )


async def _serve(app: web.Application, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def run(args: argparse.Namespace) -> dict[str, Any]:
    fake = FakeZalo()
    recorder = Recorder()
    fake.listeners.append(recorder.on_send)
    zalo_port = _free_port()
    runners = [await _serve(fake.app(), zalo_port)]
    var_dir = Path(tempfile.mkdtemp(prefix="zalo-bench-"))
    redis_url = args.redis_url or None
    config = StackConfig(
        rasa_port=_free_port(),
        action_port=_free_port(),
        gateway_port=_free_port(),
        host="127.0.0.1",
        redis_url=redis_url,
        var_dir=var_dir,
        endpoints_path=var_dir / "endpoints.yml",
        key_prefix=f"bench{uuid.uuid4().hex[:8]}",
        app_python=Path(sys.executable),
        extra_env={
            "ZALO_APP_ID": fake.app_id,
            "ZALO_OA_SECRET_KEY": OA_SECRET,
            "ZALO_APP_SECRET": fake.app_secret,
            "ZALO_ACCESS_TOKEN": fake.access_token,
            "ZALO_REFRESH_TOKEN": fake.refresh_token,
            "ZALO_API_BASE": f"http://127.0.0.1:{zalo_port}",
            "ZALO_OAUTH_BASE": f"http://127.0.0.1:{zalo_port}",
            "SESSION_SECRET": "bench-session-secret",
            "LOG_LEVEL": "WARNING",
        },
    )
    stack = Stack(config)
    try:
        if args.fake_rasa:
            runners.append(await _serve(FakeRasa(args.fake_rasa_delay).app(), config.rasa_port))
            runners.append(await _serve(FakeRasa(0).app(), config.action_port))
            config.log_dir.mkdir(parents=True, exist_ok=True)
            log = (config.log_dir / "gateway.log").open("ab")
            stack.processes["gateway"] = subprocess.Popen(
                stack.commands(Path("unused"))["gateway"],
                cwd=config.repo,
                env=base_env(config),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            await asyncio.to_thread(stack.wait_healthy, 60)
        else:
            model = await asyncio.to_thread(train, StackConfig())
            await asyncio.to_thread(stack.start, model)
        url = f"{config.gateway_url}/zalo/webhook"
        turns: list[Turn] = []
        rng = random.Random(args.seed)
        users = [str(10**18 + i) for i in range(args.users)]
        connector = aiohttp.TCPConnector(limit=0)
        started = time.monotonic()
        async with aiohttp.ClientSession(connector=connector) as http:
            await asyncio.gather(
                *(
                    _user(
                        http,
                        url,
                        fake,
                        recorder,
                        u,
                        args.messages,
                        args.timeout,
                        args.dup_rate,
                        turns,
                        rng,
                    )
                    for u in users
                )
            )
        elapsed = time.monotonic() - started
        await asyncio.sleep(args.settle)  # anything arriving now is a late duplicate
        recorder.closed = True
    finally:
        await asyncio.to_thread(stack.stop)
        for runner in runners:
            await runner.cleanup()
        shutil.rmtree(var_dir, ignore_errors=True)

    acks = [t.ack_ms for t in turns]
    first = [(t.first - t.posted) * 1000 for t in turns if t.first is not None]
    last = [(t.last - t.posted) * 1000 for t in turns if t.last is not None]
    lost = sum(1 for t in turns if t.first is None)
    duplicated = sum(len(t.bodies) - len(set(t.bodies)) for t in turns) + len(recorder.late)
    return {
        "mode": "fake-rasa" if args.fake_rasa else "real rasa + actions",
        "state": "redis" if redis_url else "sqlite",
        "users": args.users,
        "messages_per_user": args.messages,
        "webhooks": len(turns),
        "duplicate_deliveries_posted": sum(t.redelivered for t in turns),
        "replies_sent": len(fake.sends),
        "elapsed_s": round(elapsed, 1),
        "throughput_msg_s": round(len(turns) / elapsed, 1),
        "ack_ms": {p: round(pct(acks, q), 1) for p, q in (("p50", 50), ("p95", 95), ("p99", 99))},
        "reply_first_ms": {
            p: round(pct(first, q)) for p, q in (("p50", 50), ("p95", 95), ("p99", 99))
        },
        "reply_last_ms": {
            p: round(pct(last, q)) for p, q in (("p50", 50), ("p95", 95), ("p99", 99))
        },
        "mean_ack_ms": round(statistics.fmean(acks), 1) if acks else None,
        "lost": lost,
        "duplicated": duplicated,
        "zalo_contract_problems": len(fake.problems),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--dup-rate", type=float, default=0.1)
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="seconds before a reply is lost"
    )
    parser.add_argument("--settle", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    parser.add_argument("--fake-rasa", action="store_true")
    parser.add_argument("--fake-rasa-delay", type=float, default=0.05)
    args = parser.parse_args(argv)
    os.chdir(REPO_ROOT)
    report = asyncio.run(run(args))
    print(json.dumps(report, ensure_ascii=False, indent=2))
    ok = (
        report["ack_ms"]["p99"] < ACK_P99_LIMIT_MS
        and report["lost"] == 0
        and report["duplicated"] == 0
        and report["zalo_contract_problems"] == 0
    )
    print(
        "zalo bench:",
        "PASS" if ok else "FAIL",
        f"(ack p99 < {ACK_P99_LIMIT_MS:g} ms, 0 lost, 0 duplicated)",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
