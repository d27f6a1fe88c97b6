"""Parallel replay: every core evaluates, the output stays in input order, history stays right.

Risk depends on each user's earlier logins, so a user's logins must be evaluated in order by one
process. The parent reads the file streaming, sends each record to the worker that owns its user
(a CRC-32 of ``user.user_id`` modulo the number of workers), and gets rows back:

    file ──► parent: split into chunks, route by user ──► worker 1..N: Engine + own history
                 ▲                                                    │
                 └──── rows, re-ordered chunk by chunk ◄──────────────┘

Records are numbered in chunks of ``chunk`` records; at most ``in_flight`` chunks are out at once
and a chunk is emitted when every worker has answered for it. That bounds memory (queues and the
reorder buffer hold at most ``in_flight`` chunks, whatever the file's size) and keeps output order
identical to a one-process replay. Workers start with ``spawn`` (no fork of a threaded parent)
and compile the config once each.

Each worker has its own Action cache: ``api.cache`` entries an Action shares *across users* are
per worker, so such Actions can decide differently with one worker than with several. Entries
keyed by user (the usual case) behave the same, because a user never changes worker.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import sys
import traceback
import types
import zlib
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contextmfa.errors import ContextMFAError, InputError
from contextmfa.events import decode_record
from contextmfa.replay.evaluator import Evaluator
from contextmfa.replay.heap import settle
from contextmfa.replay.rows import Row, RowOptions
from contextmfa.replay.source import raw_records, too_long

__all__ = ["WorkerFailed", "WorkerSpec", "owner", "parallel_rows", "route"]

CHUNK_PER_WORKER = 256
IN_FLIGHT_PER_WORKER = 3
POLL_SECONDS = 1.0


class WorkerFailed(ContextMFAError):
    """A replay worker could not start or stopped; the message says why (never a secret)."""

    code = "replay_worker_failed"

    def __init__(self, message: str, exit_code: int = 3) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True, slots=True)
class WorkerSpec:
    """What a worker needs to build its own Evaluator: files, not compiled objects."""

    config: Path
    candidate: Path | None
    options: RowOptions


def route(raw: bytes, workers: int) -> int:
    """The worker that owns this record's user; a record without one goes to worker 0, which
    reports the validation error as a one-process replay would."""
    return owner(decode_record(raw, "-"), workers)


def owner(data: Any, workers: int) -> int:
    """``route`` for a record already decoded: a CRC-32 of ``user.user_id`` modulo
    ``workers`` (a cluster replay partitions by it too), 0 without a user id."""
    user = data.get("user") if isinstance(data, dict) else None
    user_id = user.get("user_id") if isinstance(user, dict) else None
    if user_id is None:
        return 0
    return zlib.crc32(str(user_id).encode("utf-8", "surrogatepass")) % workers


def _worker(number: int, spec: WorkerSpec, tasks: Any, results: Any) -> None:
    """A worker process: build the evaluator, then evaluate chunk after chunk until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    try:
        evaluator = Evaluator.open(spec.config, spec.candidate, spec.options)
    except ContextMFAError as exc:
        results.put(("failed", number, str(exc), exc.exit_code))
        return
    except Exception as exc:
        results.put(("failed", number, _internal(exc), 3))
        return
    settle()
    try:
        while (task := tasks.get()) is not None:
            chunk_id, records = task
            rows = [(index, evaluator.evaluate_line(line, raw)) for index, line, raw in records]
            results.put(("rows", chunk_id, rows))
    except Exception as exc:
        results.put(("failed", number, _internal(exc), 3))
    finally:
        evaluator.close()


def _internal(exc: BaseException) -> str:
    """Only the type, unless CONTEXTMFA_DEBUG=1 asks for the traceback (a message can hold
    a secret)."""
    if os.environ.get("CONTEXTMFA_DEBUG") == "1":
        return "".join(traceback.format_exception(exc))
    return f"internal error in a replay worker: {type(exc).__name__}"


@contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Start workers without ``spawn`` re-importing ``__main__`` in each of them.

    A worker needs nothing from the main module (its code is this module), and the CLI's main
    module imports every command, which costs each worker over a second. ``spawn`` decides what
    to re-import while ``Process.start`` runs, from ``sys.modules["__main__"]``; an empty module
    stands in for it during those calls only.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


@dataclass
class _Chunk:
    rows: list[Row | None]
    waiting: int = 0


@dataclass
class _Pool:
    spec: WorkerSpec
    workers: int
    ctx: Any = field(default_factory=lambda: multiprocessing.get_context("spawn"))

    def __post_init__(self) -> None:
        self.results = self.ctx.Queue()
        self.tasks = [self.ctx.Queue() for _ in range(self.workers)]
        self.processes = [
            self.ctx.Process(
                target=_worker,
                args=(n, self.spec, self.tasks[n], self.results),
                name=f"contextmfa-replay-{n}",
                daemon=True,
            )
            for n in range(self.workers)
        ]
        with _main_module_hidden():
            for process in self.processes:
                process.start()

    def send(self, chunk_id: int, per_worker: list[list[tuple[int, int, bytes]]]) -> int:
        """Send a chunk's records; returns how many workers will answer for it."""
        sent = 0
        for number, records in enumerate(per_worker):
            if records:
                self.tasks[number].put((chunk_id, records))
                sent += 1
        return sent

    def receive(self) -> tuple[int, list[tuple[int, Row]]]:
        while True:
            try:
                message = self.results.get(timeout=POLL_SECONDS)
            except queue.Empty:
                self._check_alive()
                continue
            if message[0] == "failed":
                _, number, text, exit_code = message
                raise WorkerFailed(f"replay worker {number}: {text}", exit_code)
            return message[1], message[2]

    def _check_alive(self) -> None:
        for number, process in enumerate(self.processes):
            if not process.is_alive():
                raise WorkerFailed(
                    f"replay worker {number} stopped unexpectedly (exit code {process.exitcode})"
                )

    def close(self, *, graceful: bool) -> None:
        if graceful:
            for tasks in self.tasks:
                tasks.put(None)
            for process in self.processes:
                process.join(timeout=10)
        for process in self.processes:
            if process.is_alive():
                process.terminate()
            process.join(timeout=5)
        for q in (*self.tasks, self.results):
            q.cancel_join_thread()
            q.close()


def parallel_rows(
    path: Path,
    spec: WorkerSpec,
    workers: int,
    *,
    chunk: int | None = None,
    in_flight: int | None = None,
) -> Iterator[Row]:
    """Rows of every record of ``path`` in input order, evaluated by ``workers`` processes."""
    chunk = chunk or CHUNK_PER_WORKER * workers
    in_flight = in_flight or IN_FLIGHT_PER_WORKER * workers
    records = raw_records(path)
    first = next(records, None)  # a missing file fails here, before any process starts
    if first is None:
        return
    pool = _Pool(spec, workers)
    graceful = False
    try:
        yield from _ordered(pool, _chain(first, records), spec.options.source, chunk, in_flight)
        graceful = True
    finally:
        pool.close(graceful=graceful)


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest


def _ordered(
    pool: _Pool,
    records: Iterator[tuple[int, bytes | None]],
    source: str,
    chunk: int,
    in_flight: int,
) -> Iterator[Row]:
    pending: deque[int] = deque()
    chunks: dict[int, _Chunk] = {}
    next_id = 0
    exhausted = False
    while True:
        while not exhausted and len(pending) < in_flight:
            made = _read_chunk(pool, records, source, chunk, next_id)
            if made is None:
                exhausted = True
                break
            chunks[next_id] = made
            pending.append(next_id)
            next_id += 1
        if not pending:
            return
        head = chunks[pending[0]]
        while head.waiting:
            chunk_id, rows = pool.receive()
            target = chunks[chunk_id]
            for index, row in rows:
                target.rows[index] = row
            target.waiting -= 1
        del chunks[pending.popleft()]
        for row in head.rows:
            assert row is not None
            yield row


def _read_chunk(
    pool: _Pool, records: Iterator[tuple[int, bytes | None]], source: str, size: int, chunk_id: int
) -> _Chunk | None:
    """Read up to ``size`` records and send them to their workers. A line over the size limit
    becomes its error row here; invalid JSON goes to worker 0, which words the error."""
    rows: list[Row | None] = []
    per_worker: list[list[tuple[int, int, bytes]]] = [[] for _ in pool.tasks]
    for number, raw in records:
        index = len(rows)
        rows.append(None)
        if raw is None:
            rows[index] = too_long(source, number)
        else:
            try:
                per_worker[route(raw, len(pool.tasks))].append((index, number, raw))
            except InputError:
                per_worker[0].append((index, number, raw))
        if len(rows) >= size:
            break
    if not rows:
        return None
    return _Chunk(rows, pool.send(chunk_id, per_worker))
