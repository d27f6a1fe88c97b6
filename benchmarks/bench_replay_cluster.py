"""Replay on Dask against replay on local worker processes: throughput, overhead, memory.

    python benchmarks/bench_replay_cluster.py [--logins 1000000] [--users N] [--workers 2]
                                              [--repeat 1] [--small 0.25] [--keep DIR]

It writes ``--logins`` synthetic logins of ``--users`` users (default one user per 50 logins;
the generator of ``bench_replay_scale.py``), then runs, as a user would,

    contextmfa replay FILE --config light.toml --workers W --format jsonl --output OUT
    contextmfa replay FILE --config light.toml --cluster local:W --format jsonl --output DIR

on the light flow (the sample rules, deny list and two Actions), and the cluster path again on
the first ``--small`` of the file (``--repeat`` alternates the two paths that many times and
gives the median ratio). It prints each run's logins per second, the cluster path's
throughput relative to the local path, the peak resident memory of each worker process (sampled
every 0.2 s from /proc) at both input sizes, and whether both paths gave the same decisions
(``timing_us`` aside, compared as a set: the cluster writes one part per partition). Wall time
includes starting the workers (and, for the cluster, the scheduler) and compiling the config.
A benchmark, not a test: figures vary with the machine and its load.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
from pathlib import Path
from statistics import median
from typing import Any

from bench_replay_scale import (
    descendants,
    light_config,
    replay_command,
    rss_kb,
    run_sampled,
    write_logins,
)

MASK = (1 << 256) - 1


def decisions_digest(paths: list[Path]) -> tuple[str, int]:
    """An order-free digest of every decision (``timing_us`` aside) and their number."""
    total, count = 0, 0
    for path in paths:
        with path.open("rb") as handle:
            for line in handle:
                body = line.rsplit(b',"timing_us"', 1)[0]
                total = (total + int.from_bytes(hashlib.sha256(body).digest(), "big")) & MASK
                count += 1
    return f"{total:064x}"[:16], count


def _is_worker(pid: int) -> bool:
    """A process started by multiprocessing's spawn: a replay worker or a Dask worker (not
    the resource tracker)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            command = handle.read()
    except OSError:
        return False
    return b"spawn_main" in command


def run(command: list[str]) -> dict[str, Any]:
    """Run ``command``; wall time, the client's peak RSS and each worker's peak RSS (MB)."""
    peaks: dict[int, int] = {}
    client = [0]

    def sample(pid: int) -> None:
        client[0] = max(client[0], rss_kb(pid))
        for child in descendants(pid):
            if child in peaks or _is_worker(child):
                peaks[child] = max(peaks.get(child, 0), rss_kb(child))

    seconds, summary = run_sampled(command, sample)
    workers = sorted((kb / 1024 for kb in peaks.values() if kb), reverse=True)
    return {
        "seconds": seconds,
        "client_mb": client[0] / 1024,
        "workers_mb": workers,
        "summary": summary,
    }


def head(source: Path, target: Path, count: int) -> None:
    with source.open("rb") as src, target.open("wb") as out:
        for _, line in zip(range(count), src, strict=False):
            out.write(line)


def report(label: str, count: int, result: dict[str, Any]) -> float:
    rate = count / result["seconds"]
    workers = ", ".join(f"{mb:.0f}" for mb in result["workers_mb"][:8]) or "?"
    print(
        f"{label:34} {count:>9,} logins {result['seconds']:7.1f} s {rate:7,.0f} logins/s  "
        f"peak RSS per worker (MB): {workers}; client {result['client_mb']:.0f} MB"
    )
    print(f"    {result['summary']}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, help="default: one user per 50 logins")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each path")
    parser.add_argument("--small", type=float, default=0.25, help="the second input size")
    parser.add_argument("--keep", type=Path, help="keep the generated files in this directory")
    args = parser.parse_args()
    users = args.users or max(1, args.logins // 50)
    small = max(1, int(args.logins * args.small))
    with tempfile.TemporaryDirectory() as scratch:
        directory = args.keep or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        config = light_config(directory)
        logins = directory / f"logins-{args.logins}-{users}.jsonl"
        if not logins.exists():
            write_logins(logins, args.logins, users)
        size = logins.stat().st_size
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        print(
            f"{args.logins:,} logins of {users:,} users, {size / 1e6:,.0f} MB "
            f"({size / args.logins:,.0f} bytes a login); light flow (rules + 2 Actions)"
        )
        w = args.workers
        local_out, parts = directory / "local.jsonl", directory / "parts"
        ratios, same = [], True
        for _ in range(args.repeat):  # alternated, so both paths see the same machine load
            local = run(replay_command(logins, config, ["--workers", str(w)], str(local_out)))
            local_rate = report(f"local --workers {w}", args.logins, local)
            where = ["--cluster", f"local:{w}"]
            cluster = run(replay_command(logins, config, where, f"file://{parts}"))
            cluster_rate = report(f"dask --cluster local:{w}", args.logins, cluster)
            ratios.append(cluster_rate / local_rate)
            print(f"dask / local throughput: {ratios[-1]:.2f}")
            digests = decisions_digest([local_out]), decisions_digest(sorted(parts.glob("*")))
            same = same and digests[0] == digests[1]
            local_out.unlink()
        print(f"median dask / local throughput over {args.repeat} runs: {median(ratios):.2f}")
        print(f"same decisions on both paths: {'yes' if same else 'NO'}")
        part = directory / f"logins-{small}.jsonl"
        head(logins, part, small)
        smaller = run(
            replay_command(part, config, ["--cluster", f"local:{w}"], f"file://{parts}-small")
        )
        report(f"dask --cluster local:{w}", small, smaller)
        big = max(cluster["workers_mb"], default=0)
        little = max(smaller["workers_mb"], default=0)
        print(
            f"peak RSS per worker: {little:.0f} MB at {small:,} logins, {big:.0f} MB at "
            f"{args.logins:,} logins (x{args.logins / small:.0f} input: x{big / little:.2f})"
        )


if __name__ == "__main__":
    main()
