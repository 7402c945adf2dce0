"""Knowledge search latency (lexical path): p50/p95/max of `resolve` per query.

    python -m bench.search_latency                  # the shipped knowledge
    python -m bench.search_latency --all-national   # + every national record imported into a
                                                    #   temporary knowledge dir (2,642 records)

Queries are the development set's messages (tests/eval/procedures_dev.yml), repeated. The index
is built once before timing (it is cached per knowledge snapshot in the action server); its
build time is reported separately. Dense retrieval is switched off (EMBEDDING_MODEL unset) so
that the lexical path is what is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
NATIONAL = Path(os.environ.get("NATIONAL_RECORDS", "/work/shared/data/national-procedures"))
TARGET_P95_MS = 20.0


def queries() -> list[str]:
    data = yaml.safe_load((REPO / "tests/eval/procedures_dev.yml").read_text(encoding="utf-8"))
    return [str(e["text"]) for e in data["examples"]]


def measure(root: Path | None, rounds: int) -> dict[str, float]:
    from bot.knowledge import load_knowledge, resolve
    from bot.knowledge.search import build_index, index_for

    knowledge = load_knowledge(root)
    started = time.perf_counter()
    build_index(knowledge)
    build_ms = (time.perf_counter() - started) * 1000
    index_for(knowledge)  # warm the cache the way the action server does
    texts = queries()
    times: list[float] = []
    for _ in range(rounds):
        for text in texts:
            t0 = time.perf_counter()
            resolve(knowledge, text)
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {
        "procedures": len(knowledge.procedures),
        "queries": len(times),
        "build_ms": build_ms,
        "p50_ms": statistics.median(times),
        "p95_ms": times[int(0.95 * (len(times) - 1))],
        "max_ms": times[-1],
    }


def import_all(target: Path) -> Path:
    """Import every national record (no level/field filter) into ``target``; return it."""
    from bot.knowledge.importer import Selection, run_import

    codes = []
    for path in NATIONAL.rglob("*.json"):
        try:
            code = json.loads(path.read_text(encoding="utf-8")).get("ma_thu_tuc")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(code, str):
            codes.append(code)
    selection = Selection(
        levels=[], include_codes=codes, exclude_local=False, exclude_shared_pages=False
    )
    (target / "procedures").mkdir(parents=True, exist_ok=True)
    run_import(NATIONAL, target, selection)
    return target


def show(title: str, result: dict[str, float]) -> None:
    verdict = "OK" if result["p95_ms"] < TARGET_P95_MS else f"over {TARGET_P95_MS:.0f} ms"
    print(
        f"{title}: {result['procedures']:.0f} procedures, {result['queries']:.0f} queries | "
        f"p50 {result['p50_ms']:.2f} ms, p95 {result['p95_ms']:.2f} ms ({verdict}), "
        f"max {result['max_ms']:.2f} ms | index build {result['build_ms']:.0f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Knowledge search latency (lexical path).")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--all-national", action="store_true", help="Also all 2,642 records.")
    args = parser.parse_args(argv)
    os.environ.pop("EMBEDDING_MODEL", None)

    default = measure(None, args.rounds)
    show("default knowledge", default)
    if args.all_national:
        if not NATIONAL.is_dir():
            print(f"{NATIONAL}: national records not found (set NATIONAL_RECORDS)", file=sys.stderr)
            return 1
        with tempfile.TemporaryDirectory(prefix="kb-all-") as tmp:
            started = time.perf_counter()
            root = import_all(Path(tmp) / "knowledge")
            print(f"imported all national records in {time.perf_counter() - started:.0f} s")
            show("all national records", measure(root, args.rounds))
    return 0 if default["p95_ms"] < TARGET_P95_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
