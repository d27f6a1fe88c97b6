"""End-to-end replay throughput on one core, and per-login evaluation latency.

    python benchmarks/bench_replay.py [--config samples/tenant.toml] [--logins samples/logins.jsonl]
                                      [--passes 100]

Each pass replays every record of the file (parse the JSON line, validate, enrich, run the flow,
resolve, serialise the decision); users are renamed per pass so that every pass builds history
from scratch, as a fresh replay would. It prints logins per second end to end and the p50/p99 of
``Engine.evaluate`` alone. A benchmark, not a test: figures vary with the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from contextmfa.config import load_config
from contextmfa.engine import Engine
from contextmfa.enrich.history import InMemoryHistory
from contextmfa.events import parse_event_json
from contextmfa.replay.heap import settle

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("enrich", "rules", "actions")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "samples/tenant.toml")
    parser.add_argument("--logins", type=Path, default=ROOT / "samples/logins.jsonl")
    parser.add_argument("--passes", type=int, default=100)
    args = parser.parse_args()

    engine = Engine(load_config(args.config))
    lines = sample_lines(args.logins)
    figures = replay(engine, lines, args.passes)
    count = figures["count"]
    print(f"replayed {count} logins ({len(lines)} records x {args.passes} passes) on one core")
    print(
        f"end to end: {figures['logins_per_s']:,.0f} logins/s "
        f"({1e6 / figures['logins_per_s']:.0f} µs per login)"
    )
    print(f"evaluate:   p50 {figures['p50_us']:.0f} µs, p99 {figures['p99_us']:.0f} µs")
    means = ", ".join(f"{stage} {figures[stage]:.0f} µs" for stage in STAGES)
    print(f"mean per stage: {means} ({len(engine.actions)} Actions in the flow)")


def sample_lines(path: Path) -> list[str]:
    """The records of a JSON Lines file, without blank lines and comments."""
    return [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def replay(engine: Engine, lines: list[str], passes: int) -> dict[str, float]:
    """Replay ``passes`` passes of ``lines``: logins/s end to end, evaluate p50/p99 and the
    mean µs per stage."""
    batches = [_renamed(lines, n) for n in range(passes)]
    settle()  # as the replay command does once its engines are compiled (replay/heap.py)
    latencies: list[int] = []
    stages = dict.fromkeys(STAGES, 0)
    started = time.perf_counter()
    count = 0
    for batch in batches:
        history = InMemoryHistory()
        for line in batch:
            event = parse_event_json(line, where="bench")
            before = time.perf_counter_ns()
            decision = engine.evaluate(event, history)
            latencies.append(time.perf_counter_ns() - before)
            for stage in stages:
                stages[stage] += decision.timing_us[stage]
            decision.to_json()
            count += 1
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "count": count,
        "logins_per_s": count / elapsed,
        "p50_us": statistics.median(latencies) / 1000,
        "p99_us": latencies[int(len(latencies) * 0.99) - 1] / 1000,
        **{stage: total / count for stage, total in stages.items()},
    }


def _renamed(lines: list[str], n: int) -> list[str]:
    """The same records for a fresh set of users: pass n's users are new to the history."""
    out = []
    for line in lines:
        record = json.loads(line)
        record["user"]["user_id"] = f"{record['user']['user_id']}#{n}"
        out.append(json.dumps(record))
    return out


if __name__ == "__main__":
    main()
