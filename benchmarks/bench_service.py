"""The service's figures for ``bench_all.py``: load tests of ``POST /v1/logins`` and the floors
they are read against.

* :func:`load` runs ``load_logins.py`` (``serve`` in a subprocess, the asyncio client) and
  returns its logins/s, p99 and server CPU per login.
* :func:`durable_commits_per_s` is the floor no SQLite store can beat with a durable commit per
  answer: one writer's ``BEGIN IMMEDIATE; INSERT; COMMIT`` rate in WAL mode with
  ``synchronous=FULL``, in the directory the service's store lives in. Group commit lets the
  service answer more logins than that (several per fsync); at 4 clients on 2 workers there are
  rarely more than two to group, so this floor, not the engine, bounds the rate.
* :func:`postgres` is a fresh PostgreSQL database for a run, dropped afterwards; None when the
  server is not reachable (the PostgreSQL rows are then left out, with the reason).
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PG_HOST, PG_PORT = "127.0.0.1", 5432


@dataclass(frozen=True)
class Load:
    logins_per_s: float
    p99_us: float
    cpu_us: float


def load(
    *,
    seconds: float,
    warmup: float,
    clients: int,
    store: str = "",
    rules_only: bool = False,
    isolation: str = "inline",
) -> Load:
    """One load test: 2 workers, the sample tenant (Actions ``isolation``), a fresh store."""
    command = [
        sys.executable,
        str(Path(__file__).with_name("load_logins.py")),
        "--workers",
        "2",
        "--concurrency",
        str(clients),
        "--duration",
        str(seconds),
        "--warmup",
        str(warmup),
        "--isolation",
        isolation,
    ]
    if store:
        command += ["--store", store]
    if rules_only:
        command.append("--rules-only")
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    rate = re.search(r"sustained: ([\d,.]+) logins/s", done.stdout)
    p99 = re.search(r"p99 ([\d.]+) ms", done.stdout)
    cpu = re.search(r"server CPU: ([\d,.]+) µs", done.stdout)
    if done.returncode != 0 or rate is None or p99 is None or cpu is None:
        raise SystemExit(f"load_logins.py failed:\n{done.stdout}\n{done.stderr}")
    return Load(
        logins_per_s=float(rate.group(1).replace(",", "")),
        p99_us=float(p99.group(1)) * 1000,
        cpu_us=float(cpu.group(1).replace(",", "")),
    )


def durable_commits_per_s(seconds: float = 2.0) -> float:
    """Commits per second of one SQLite writer with a durable commit (module docstring)."""
    with tempfile.TemporaryDirectory(prefix="contextmfa-fsync-") as temp:
        connection = sqlite3.connect(Path(temp) / "floor.db", isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
            body = "x" * 4096  # about a login's record, decision and audit entry
            count, started = 0, time.perf_counter()
            while time.perf_counter() - started < seconds:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("INSERT INTO t (body) VALUES (?)", (body,))
                connection.execute("COMMIT")
                count += 1
            return count / (time.perf_counter() - started)
        finally:
            connection.close()


@contextmanager
def postgres() -> Iterator[str | None]:
    """A fresh database's URL, dropped afterwards; None when PostgreSQL is unreachable."""
    try:
        import psycopg
    except ImportError:
        yield None
        return
    admin = None
    for user in ("root", "postgres"):
        try:
            admin = psycopg.connect(
                host=PG_HOST, port=PG_PORT, dbname="test", user=user, connect_timeout=2
            )
            break
        except psycopg.Error:
            continue
    if admin is None:
        yield None
        return
    admin.autocommit = True
    name = f"cmfa_bench_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{admin.info.user}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
