"""The service under faults: complete MFA journeys while workers die and dependencies go away.

    python benchmarks/chaos.py [--faults kill,postgres,redis,skew,disk] [--rate 4] [--threads 4]
                               [--kills 6] [--kill-every 4] [--outage 10] [--skew 90]
                               [--json summary.json]

Starts its own PostgreSQL (``initdb`` + ``pg_ctl``, a temporary directory, a free loopback
port) and its own ``redis-server`` (no persistence), never the machine's shared ones; two
``contextmfa serve`` workers on them; and a loopback load driver walking MFA journeys across both
workers while the fault schedule runs (see ``chaos_run.py``). ``disk`` then runs a single-node
SQLite store on a small tmpfs filled until writes fail (``chaos_disk.py``). It prints the journeys,
the answers per fault window, the violations of each rule and the recovery times, and exits 1 on
any violation. Needs root for the tmpfs (else the disk fault is skipped, and says so).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chaos_deps import missing_tools
from chaos_disk import disk_full
from chaos_rules import RULES, Tally
from chaos_run import ChaosRun, Schedule

__all__ = ["main", "print_summary", "run_chaos"]

ALL_FAULTS = ("kill", "postgres", "redis", "skew", "disk")


def run_chaos(schedule: Schedule, faults: tuple[str, ...]) -> Tally:
    """Run the faults asked for (the disk fault on its own store after the others)."""
    tally = Tally()
    served = tuple(f for f in faults if f != "disk")
    if served:
        began = time.monotonic()
        run = ChaosRun(schedule)
        tally = run.tally
        tally.note(f"start-up (PostgreSQL, Redis, 2 workers) took {time.monotonic() - began:.1f} s")
        try:
            run.run(served)
        finally:
            run.close()
    if "disk" in faults:
        began = time.monotonic()
        disk_full(tally)
        tally.note(f"disk faults took {time.monotonic() - began:.1f} s")
    return tally


def print_summary(summary: dict) -> None:
    journeys = summary["journeys"]
    print(
        f"journeys: {journeys.get('attempted', 0)} attempted, "
        f"{journeys.get('completed', 0)} completed "
        f"(push: {journeys.get('push_enrollments_passed', 0)} enrollments, "
        f"{journeys.get('push_challenges_passed', 0)} approvals)"
    )
    print("answers by fault window:")
    for window, counts in summary["answers_by_window"].items():
        shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        print(f"  {window:<12} {shown}")
    print("rules (checks / violations):")
    for rule in RULES:
        print(f"  {rule:<22} {summary['checks'][rule]:>6} / {summary['violations'][rule]}")
    for rule, examples in summary["examples"].items():
        for example in examples:
            print(f"    {rule}: {example}")
    print("recovery (s after the dependency returned, until both workers answer normally):")
    for fault, seconds in summary["recovery_seconds"].items():
        print(f"  {fault:<12} {seconds}")
    for note in summary["notes"][:20]:
        print(f"note: {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faults", default=",".join(ALL_FAULTS))
    parser.add_argument("--rate", type=float, default=4.0, help="journeys per second")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--kills", type=int, default=6, help="workers SIGKILLed, one by one")
    parser.add_argument("--kill-every", type=float, default=4.0)
    parser.add_argument("--outage", type=float, default=10.0)
    parser.add_argument("--skew", type=float, default=90.0)
    parser.add_argument("--skew-for", type=float, default=12.0)
    parser.add_argument("--json", type=Path, help="also write the summary here")
    args = parser.parse_args(argv)
    missing = missing_tools()
    if missing:
        print(f"chaos: cannot run without {', '.join(missing)}", file=sys.stderr)
        return 2
    faults = tuple(f for f in args.faults.split(",") if f)
    unknown = [f for f in faults if f not in ALL_FAULTS]
    if unknown:
        parser.error(f"unknown fault {unknown[0]!r} (choose from {', '.join(ALL_FAULTS)})")
    schedule = Schedule(
        kills=args.kills,
        kill_every=args.kill_every,
        outage=args.outage,
        skew=args.skew,
        skew_for=args.skew_for,
        rate=args.rate,
        threads=args.threads,
    )
    summary = run_chaos(schedule, faults).summary()
    print_summary(summary)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    return 1 if any(summary["violations"].values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
