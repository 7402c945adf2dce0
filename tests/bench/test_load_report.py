"""Percentiles, phase figures and the Markdown report of the load bench."""

from __future__ import annotations

import math

import pytest

from bench.load_report import PhaseResult, markdown_table, percentile, ratios


def test_percentile_interpolates_between_ranks() -> None:
    values = [10.0, 20.0, 30.0, 40.0, 50.0]
    assert percentile(values, 0.5) == 30.0
    assert percentile(values, 0.0) == 10.0 and percentile(values, 1.0) == 50.0
    assert percentile(values, 0.95) == pytest.approx(48.0)
    assert percentile(list(reversed(values)), 0.25) == 20.0  # order of input does not matter
    assert math.isnan(percentile([], 0.5))
    with pytest.raises(ValueError):
        percentile(values, 1.5)


def _phase(config: str, ok: int, seconds: float, latency: float, rasa_cpu: float) -> PhaseResult:
    r = PhaseResult(config, "closed", "8 users", seconds, [latency] * ok)
    r.cpu_seconds = {"rasa": rasa_cpu, "actions": 0.5, "gateway": 0.25}
    return r


def test_throughput_errors_and_cpu_per_message() -> None:
    r = _phase("ours", ok=90, seconds=3.0, latency=100.0, rasa_cpu=4.5)
    r.record_error("http 503")
    r.record_error("http 503")
    r.record_error("timeout")
    assert r.throughput == 30.0
    assert r.sent == 93 and r.errors == 3 and r.error_kinds == {"http 503": 2, "timeout": 1}
    assert r.cpu_ms_per_message("rasa") == pytest.approx(4500 / 90)  # per answered message
    assert math.isnan(r.cpu_ms_per_message("nginx"))


def test_markdown_table_and_ratios() -> None:
    ours = _phase("ours", ok=120, seconds=2.0, latency=50.0, rasa_cpu=3.0)
    stock = _phase("stock", ok=30, seconds=2.0, latency=200.0, rasa_cpu=3.0)
    stock.record_error("timeout")
    table = markdown_table([ours, stock]).splitlines()
    assert table[0].startswith("| config | mode | load | msg/s | p50 ms | p95 ms | p99 ms |")
    assert len(table) == 4 and all(line.count("|") == table[0].count("|") for line in table)
    assert "| ours | closed | 8 users | 60.0 | 50 | 50 | 50 | 0 | 25.0 |" in table[2]
    assert "1 (timeout 1)" in table[3]
    (line,) = ratios([ours, stock])
    assert "throughput ×4.00" in line and "p95 ÷4.00" in line
    assert "Rasa CPU per message ÷4.00" in line  # 3 s / 30 answers against 3 s / 120 answers


def test_ratios_skip_phases_without_a_stock_counterpart() -> None:
    assert ratios([_phase("ours", 10, 1.0, 5.0, 1.0)]) == []
