"""benchmarks/bench_all.py --quick runs end to end and gives every figure a finite ratio."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

BENCH_ALL = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_all.py"


def test_quick_run_prints_a_finite_ratio_for_every_figure() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH_ALL), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in done.stdout.splitlines()
        if line.startswith("| ") and not line.startswith("| figure")
    ]
    figures = {row[0] for row in rows}
    expected = {
        "empty Action, per run (µs)",
        "sample tenant's 9 Actions inline (µs)",
        "process isolation adds, per login (µs)",
        "Engine.evaluate, rules-only tenant (µs)",
        "replay, sample tenant, logins/s per core",
        "service logins/s, SQLite, 4 clients, Actions in workers",
        "service p99, SQLite, 4 clients, Actions in workers (µs)",
        "service logins/s, SQLite, 4 clients",
        "service logins/s per durable SQLite commit/s",
        "service p99, SQLite, 4 clients (µs)",
        "service server CPU a login, SQLite (µs)",
        "service logins/s, rules only, SQLite, 16 clients",
    }
    assert expected <= figures, expected - figures
    for figure, value, floor, ratio, _target in rows:
        assert float(value.replace(",", "")) > 0, figure
        assert float(floor.replace(",", "")) > 0, figure
        assert math.isfinite(float(ratio)), figure
