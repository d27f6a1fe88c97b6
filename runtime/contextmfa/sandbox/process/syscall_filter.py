"""The seccomp filter of a worker: the few system calls a running worker makes, and nothing else.

Once confined, a worker only waits for a login on its socket, runs the Actions in its own
memory, leaves results on its board (shared memory mapped before) and answers. The lists below
were measured, not guessed: every system call the workers made after their ``ready`` frame
under ``strace -f`` over the process-isolation tests, the escape and denial-of-service corpora
run in workers, the legitimate-programs corpus, a memory-heavy Action (big lists, doubling
strings, JSON of 50,000 keys, regexes, dates, the cache) and ``benchmarks/bench_sandbox.py``
(reproduce: ``strace -ff -o trace python -m pytest tests/sandbox/adversarial
tests/sandbox/test_process_flow.py tests/sandbox/test_legitimate_programs.py``, then list the
calls after ``sendto(..., "\\0\\0\\0\\5ready")`` in each worker's file). Three are there by
reading the code rather than by measurement, as noted.

Anything else kills the worker at once (``SECCOMP_RET_KILL_PROCESS``: no handler, no cleanup,
no second try), which the parent reports as a crash and answers with a fresh worker:
``socket``, ``connect``, ``execve``, ``fork``/``clone`` (threads too: a worker needs none),
``ptrace``, ``kill``, ``mount``, ``bpf``, ``read``/``write`` (a worker's frames go through
``recvfrom``/``sendto``)... Looking a path up or opening it fails with ``EPERM`` instead, so
that the interpreter's own lazy lookups (a codec imported on first use) end as a clean Python
error in the Action that caused them; Landlock refuses those paths as well. Executable memory
is refused the same way: ``mmap`` with ``PROT_EXEC`` fails, and ``mprotect`` is never needed.

The filter is built once per fork server (:func:`prepared`) with libseccomp through
``pyseccomp``, which also guards the architecture (a call made through another ABI, such as
x32 or the 32-bit one, is killed); each worker only loads it.
"""

from __future__ import annotations

import errno
import mmap
import resource
from typing import Any

__all__ = ["ALLOWED", "REFUSED", "SeccompUnavailable", "load", "prepared"]

ALLOWED: dict[str, str] = {
    "recvfrom": "reads the parent's frames (a login, a cache answer) from the worker's socket",
    "sendto": "sends the worker's frames (ready, done, cache requests) on that socket",
    "clock_gettime": "the step budget's deadline and each run's duration; a real system call "
    "where the clock has no vDSO (as on this project's VMs), free elsewhere",
    "brk": "malloc's heap, for the interpreter's objects (RLIMIT_AS caps it)",
    "mmap": "obmalloc's arenas and large blocks; only without PROT_EXEC (rule below)",
    "munmap": "gives arenas and large blocks back",
    "mremap": "realloc() of a large block (a list or a string that grows)",
    "getrusage": "the worker's memory high-water mark, read every 16 logins to recycle it",
    "prlimit64": "the per-login soft CPU cap (confine.CpuCap); only RLIMIT_CPU of itself",
    "sysinfo": "glibc's getloadavg(), behind frames.spare_cpus (poll or sleep for a frame)",
    "sched_yield": "frames.poll_briefly between polls of a busy socket (by reading the code)",
    "exit_group": "os._exit() when the parent closes the socket or the worker retires",
    "exit": "the end of a thread; a worker has none, kept for the interpreter's exit paths "
    "(by reading the code)",
    "rt_sigreturn": "returning from a signal handler, should one run (by reading the code)",
    "restart_syscall": "the kernel resuming a call a stop signal interrupted",
}
"""Allowed system calls, each with why a running worker needs it."""

REFUSED: dict[str, str] = {
    name: "a path lookup: fails with EPERM so the interpreter reports a clean error"
    for name in ("open", "openat", "openat2", "stat", "lstat", "newfstatat", "statx", "getcwd")
} | {"mprotect": "never needed: refused rather than fatal, so nothing gains executable memory"}
"""System calls that fail with ``EPERM`` instead of killing the worker."""


class SeccompUnavailable(Exception):
    """libseccomp (or pyseccomp) is missing, or the kernel refused the filter."""


_filter: Any = None


def _build() -> Any:
    try:
        import pyseccomp as seccomp
    except (ImportError, RuntimeError, OSError) as exc:  # RuntimeError: no libseccomp
        raise SeccompUnavailable(f"pyseccomp cannot load libseccomp: {exc}") from None
    rules = seccomp.SyscallFilter(seccomp.KILL_PROCESS)
    refuse = seccomp.ERRNO(errno.EPERM)
    no_exec = seccomp.Arg(2, seccomp.MASKED_EQ, mmap.PROT_EXEC, 0)
    with_exec = seccomp.Arg(2, seccomp.MASKED_EQ, mmap.PROT_EXEC, mmap.PROT_EXEC)
    own_cpu = (seccomp.Arg(0, seccomp.EQ, 0), seccomp.Arg(1, seccomp.EQ, resource.RLIMIT_CPU))
    conditions: dict[str, tuple[Any, ...]] = {"mmap": (no_exec,), "prlimit64": own_cpu}
    for name in ALLOWED:
        _add(seccomp, rules, seccomp.ALLOW, name, *conditions.get(name, ()))
    _add(seccomp, rules, refuse, "mmap", with_exec)
    for name in REFUSED:
        _add(seccomp, rules, refuse, name)
    rules.syscall_priority("clock_gettime", 255)  # the hottest call is tested first
    return rules


def _add(seccomp: Any, rules: Any, action: int, name: str, *conditions: Any) -> None:
    """One rule; a name this architecture does not have (``open`` on arm64) is skipped."""
    if seccomp.resolve_syscall(seccomp.Arch.NATIVE, name) < 0:
        return
    rules.add_rule(action, name, *conditions)


def prepared() -> Any:
    """The filter, built on first use (the fork server builds it before forking workers)."""
    global _filter
    if _filter is None:
        try:
            _filter = _build()
        except OSError as exc:
            raise SeccompUnavailable(f"cannot build the seccomp filter: {exc}") from None
    return _filter


def load() -> None:
    """Confine the calling process (and anything it could start) for good."""
    rules = prepared()
    try:
        rules.load()
    except OSError as exc:
        raise SeccompUnavailable(f"the kernel refused the seccomp filter: {exc}") from None
