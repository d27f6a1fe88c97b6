"""Benchmark the store: per-operation latency of what a login and a verification cost.

Run with the project's Python:  python benchmarks/bench_store.py [--postgres URL] [--redis URL]

Backends: SQLite in memory and SQLite file (WAL) always; PostgreSQL and Redis when their URLs are
given (the run migrates that database and leaves its rows there: use a scratch database). One
thread, best of three runs, microseconds per operation. Per login a service worker writes one
history row and makes three indexed history reads; per verification it takes a rate-limit token,
creates a challenge, takes an attempt, finishes it and claims a single-use key.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from contextmfa.enrich.history import LoginRecord
from contextmfa.store import Store, StoreUnavailable, keygen
from contextmfa.store.limits import OTP_FAILURES

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
N = 500


def per_op(func: Callable[[int], object], n: int = N) -> float:
    """Best of three runs of ``n`` calls, µs per call."""
    best = float("inf")
    for run in range(3):
        start = time.perf_counter()
        for i in range(n):
            func(run * n + i)
        best = min(best, time.perf_counter() - start)
    return best / n * 1e6


def bench(name: str, store: Store) -> None:
    tenant = f"bench-{time.time_ns()}"
    print(f"{name}")
    history = store.history

    def add_login(i: int) -> None:
        record = LoginRecord(NOW + timedelta(seconds=i), f"dev-{i % 50}", f"UA {i % 20}")
        history.add(tenant, f"user-{i % 100}", record)

    def read_history(i: int) -> None:
        user = f"user-{i % 100}"
        history.last(tenant, user)
        history.device_last_seen(tenant, user, f"dev-{i % 50}")
        history.user_agent_last_seen(tenant, user, f"UA {i % 20}")

    def verify(i: int) -> None:
        store.rate_limits.take(tenant, f"otp:user-{i}", OTP_FAILURES, now=NOW)
        challenge = store.challenges.create(
            tenant,
            f"user-{i}",
            "sms",
            authenticator_id=None,
            data={},
            code_hash="h1:x",
            now=NOW,
            expires_at=NOW + timedelta(minutes=5),
            max_attempts=5,
        )
        store.challenges.take_attempt(tenant, challenge.id, now=NOW)
        store.challenges.finish(tenant, challenge.id, now=NOW)
        store.single_use.claim(tenant, "otp-step", f"a:{i}", now=NOW)

    print(f"  history add:                     {per_op(add_login):8.1f} µs")
    print(f"  history last + 2 last-seen:      {per_op(read_history):8.1f} µs")
    print("  verify (take, create, attempt,")
    print(f"          finish, claim):          {per_op(verify, 200):8.1f} µs")


def try_open(name: str, url: str, **options: object) -> None:
    try:
        store = Store.open(url, secret_key=keygen(), **options)  # type: ignore[arg-type]
    except StoreUnavailable:
        print(f"{name}: not reachable, skipped")
        return
    try:
        bench(name, store)
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="postgresql+psycopg://... of a scratch database")
    parser.add_argument("--redis", help="redis://... (challenges and rate limits go there)")
    args = parser.parse_args()
    try_open("SQLite in memory", "sqlite://")
    with tempfile.TemporaryDirectory() as tmp:
        try_open("SQLite file (WAL)", f"sqlite:///{Path(tmp) / 'bench.db'}")
    if args.postgres:
        try_open("PostgreSQL", args.postgres)
    if args.redis:
        with tempfile.TemporaryDirectory() as tmp:
            try_open(
                "SQLite file + Redis (challenges, rate limits)",
                f"sqlite:///{Path(tmp) / 'bench.db'}",
                redis_url=args.redis,
            )


if __name__ == "__main__":
    main()
