"""Resource limits a worker sets on itself once forked, before it runs any Action code
(the first step of confine.py).

- ``RLIMIT_AS``: the address space the worker has after start-up plus the tenant's
  ``memory_mb``; past it, allocations fail with ``MemoryError`` (reported as ``limit``) and the
  worker is replaced after the login.
- ``RLIMIT_CPU``: a hard cap over the worker's life, and before each login a soft cap a few
  seconds above what it has used; the kernel stops a worker that a wedged parent failed to stop.
- ``RLIMIT_NPROC`` 0: no new process or thread (the kernel exempts root: run the service as an
  unprivileged user).
- ``RLIMIT_FSIZE`` 0: no file can be written; ``RLIMIT_NOFILE``: a handful of descriptors;
  ``RLIMIT_CORE`` 0: a crash leaves no core file with the tenant's secrets in it.
"""

from __future__ import annotations

import resource
import time

LIFETIME_CPU_SECONDS = 3600
"""A worker that has used this much CPU is replaced after its current login."""
MEMORY_SLACK_MB = 16
"""Headroom above ``memory_mb`` for the interpreter's own bookkeeping during a login."""
OPEN_FILES = 16


def address_space_bytes() -> int | None:
    """The process's virtual size (VmSize), or None where /proc cannot be read."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


def _set(limit: int, soft: int, hard: int) -> None:
    try:
        resource.setrlimit(limit, (soft, hard))
    except (ValueError, OSError):
        _current_soft, current_hard = resource.getrlimit(limit)
        if current_hard != resource.RLIM_INFINITY:
            hard = min(hard, current_hard)
        resource.setrlimit(limit, (min(soft, hard), hard))


def set_limits(memory_mb: int, address_space: int | None = None) -> None:
    """Apply every limit above; call once, in the worker, after start-up. ``address_space`` is
    the worker's size read before Landlock closed /proc to it (read here when not given)."""
    _set(resource.RLIMIT_CORE, 0, 0)
    _set(resource.RLIMIT_NPROC, 0, 0)
    _set(resource.RLIMIT_FSIZE, 0, 0)
    _set(resource.RLIMIT_NOFILE, OPEN_FILES, OPEN_FILES)
    used = int(time.process_time())
    _set(resource.RLIMIT_CPU, used + LIFETIME_CPU_SECONDS, used + LIFETIME_CPU_SECONDS + 5)
    size = address_space_bytes() if address_space is None else address_space
    if size is not None:
        ceiling = size + (memory_mb + MEMORY_SLACK_MB) * 1024 * 1024
        _set(resource.RLIMIT_AS, ceiling, ceiling)


class CpuCap:
    """Before each login, a soft CPU cap ``budget_seconds`` above what the worker has used (one
    ``setrlimit`` per CPU second used, not per login)."""

    def __init__(self, budget_seconds: int) -> None:
        self.budget = budget_seconds
        self.hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        self.armed_at = -1

    def arm(self) -> bool:
        """False when the worker's lifetime budget is spent (it should be replaced)."""
        used = int(time.process_time())
        if used == self.armed_at:
            return True
        soft = used + self.budget
        if self.hard != resource.RLIM_INFINITY and soft >= self.hard - 5:
            return False
        resource.setrlimit(resource.RLIMIT_CPU, (soft, self.hard))
        self.armed_at = used
        return True


def peak_memory_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
