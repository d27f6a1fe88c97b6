"""What confining an Action worker costs (sandbox/process/confine.py): once per worker, and per
login.

    python benchmarks/bench_confine.py [--workers 200] [--calls 200000]

- per worker: children forked as the fork server forks workers (the seccomp filter built once
  before, as the fork server does), each timing every step of ``confine()``; then whole worker
  starts through a real fork server (fork, shedding descriptors, confining, ``ready``);
- per login: the seccomp filter runs on every system call a confined worker makes. Children
  with the resource limits only and children with every layer each time ``--calls`` calls of
  ``clock_gettime`` on the process's CPU clock (``time.process_time()``, never served by the
  vDSO; the filter tests it first) and of ``sched_yield`` (further down the filter). Measured
  with strace, a login of ``bench_sandbox.py``'s typical Action makes 3 system calls in its
  worker (``recvfrom``, ``sendto``, one CPU-clock read for the CPU cap); each regex match adds
  CPU-clock reads (the ``regex`` engine's deadline: a few to thousands, with its length).

A benchmark, not a test: figures vary with the machine and its load.
"""

from __future__ import annotations

import argparse
import ctypes
import itertools
import mmap
import os
import statistics
import struct
import time

from contextmfa.sandbox.process import landlock, rlimits, syscall_filter
from contextmfa.sandbox.process.board import board_size
from contextmfa.sandbox.process.confine import (
    PR_SET_NO_NEW_PRIVS,
    _drop_capabilities,
    confine,
    prepare,
)
from contextmfa.sandbox.process.flow import _setup_payload
from contextmfa.sandbox.process.pool import ForkServer

SYSCALLS_PER_LOGIN = 3
STEPS = ("rlimits", "no_new_privs + capabilities", "Landlock", "seccomp", "confine() whole")
_libc = ctypes.CDLL(None, use_errno=True)


def _in_child(shared: mmap.mmap, work) -> None:
    pid = os.fork()
    if pid == 0:
        try:
            work(shared)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def _timed_steps(shared: mmap.mmap) -> None:
    times = [time.perf_counter()]
    rlimits.set_limits(64)
    times.append(time.perf_counter())
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    _drop_capabilities()
    times.append(time.perf_counter())
    landlock.restrict_self()
    times.append(time.perf_counter())
    syscall_filter.load()
    times.append(time.perf_counter())
    steps = [b - a for a, b in itertools.pairwise(times)]
    struct.pack_into("5d", shared, 0, *steps, times[-1] - times[0])


def _whole(shared: mmap.mmap) -> None:
    started = time.perf_counter()
    confine(64)
    struct.pack_into("d", shared, 32, time.perf_counter() - started)


def per_worker(workers: int) -> None:
    prepare()
    shared = mmap.mmap(-1, 64)
    rows: list[list[float]] = [[] for _ in STEPS]
    for _ in range(workers):
        _in_child(shared, _timed_steps)
        for index, value in enumerate(struct.unpack_from("4d", shared, 0)):
            rows[index].append(value)
        _in_child(shared, _whole)
        rows[4].append(struct.unpack_from("d", shared, 32)[0])
    print(f"\nconfine() in {workers} forked children (µs)")
    print(f"  {'':30} {'median':>8} {'p90':>8}")
    for name, values in zip(STEPS, rows, strict=True):
        values.sort()
        p90 = values[int(len(values) * 0.9)]
        print(f"  {name:30} {statistics.median(values) * 1e6:8.0f} {p90 * 1e6:8.0f}")


def worker_starts(workers: int) -> None:
    from contextmfa.sandbox import SandboxLimits, compile_action

    action = compile_action("def on_execute_post_login(event, api):\n    pass\n", "/t/a.py")
    setup = _setup_payload([action], lambda _: {}, SandboxLimits(), "deny", "required")
    server = ForkServer(setup, board_size(1))
    try:
        durations = []
        for _ in range(workers):
            started = time.perf_counter()
            worker = server.spawn()
            durations.append(time.perf_counter() - started)
            worker.close()
            server.kill(worker.pid)
        durations.sort()
        print(f"\na confined worker started through a fork server, {workers} times (ms)")
        print(
            f"  fork, shed descriptors, confine, ready: median "
            f"{statistics.median(durations) * 1e3:.2f}, p90 "
            f"{durations[int(len(durations) * 0.9)] * 1e3:.2f}"
        )
    finally:
        server.close()


def _syscall_loop(shared: mmap.mmap, calls: int, confined: bool) -> None:
    if confined:
        confine(64)
    else:
        rlimits.set_limits(64)  # RLIMIT_CPU alone makes CPU-clock reads cheaper: compare like
    started = time.perf_counter()
    for _ in range(calls):
        time.process_time()
    middle = time.perf_counter()
    for _ in range(calls):
        os.sched_yield()
    struct.pack_into("2d", shared, 0, middle - started, time.perf_counter() - middle)


def per_login(calls: int, rounds: int = 7) -> None:
    """Children with the resource limits only and children with every layer, in turn, best of
    ``rounds`` each (the order and the machine's other work are spread over both)."""
    prepare()
    shared = mmap.mmap(-1, 64)
    best = {False: [float("inf")] * 2, True: [float("inf")] * 2}
    for _ in range(rounds):
        for confined in (False, True):
            _in_child(shared, lambda s, c=confined: _syscall_loop(s, calls, c))
            measured = struct.unpack_from("2d", shared, 0)
            best[confined] = [min(a, b) for a, b in zip(best[confined], measured, strict=True)]
    print(f"\n{calls} system calls, rlimits only vs every layer, best of {rounds} (ns a call)")
    added = []
    for index, name in enumerate(("clock_gettime", "sched_yield")):
        before, after = best[False][index] / calls * 1e9, best[True][index] / calls * 1e9
        added.append(after - before)
        print(f"  {name:14} {before:7.0f} -> {after:7.0f}  ({after - before:+.0f})")
    print(
        f"  per login ({SYSCALLS_PER_LOGIN} system calls in the worker, typical Action): about "
        f"{max(max(added), 0) * SYSCALLS_PER_LOGIN:.0f} ns"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=200)
    parser.add_argument("--calls", type=int, default=200_000)
    args = parser.parse_args()
    per_worker(args.workers)
    worker_starts(max(args.workers // 4, 20))
    per_login(args.calls)


if __name__ == "__main__":
    main()
