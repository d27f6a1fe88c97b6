"""Run-time budgets of one Action run: steps, wall time, call depth and value sizes.

The compile-time policy injects calls to :class:`Meter` at the top of every loop body, function
body, comprehension clause and exception handler, so a run that loops, recurses or hogs the clock
is stopped at the next such point. Builtins, operators and method guards that walk or build a
value in C check its size *before* allocating and ``charge`` steps in proportion (one per item,
per 64 characters, per 2048 bits): ``"x" * 10**9`` or ``list(range(10**9))`` fail in
microseconds, and since every value a run builds is paid for from the same step budget, so is
its total allocation.

A budget error is *sticky*: once tripped, every later hook re-raises it, so an Action cannot
swallow it with ``except Exception`` and carry on; the runner reports it whatever happened next.
``memory_mb`` has no in-process meter of its own: the size limits and the step-priced building
bound memory approximately; with ``isolation = "process"`` it is a hard ceiling on each worker's
address space (process/confine.py), and the parent's clock stops C-level work no hook reaches.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from time import perf_counter
from typing import Any, NoReturn

from contextmfa.errors import ActionLimitExceeded, ActionTimeout, SandboxError

_TIME_CHECK_MASK = 7
"""The clock is read every 8 steps: reading it costs as much as the rest of a step."""


@dataclass(frozen=True, slots=True)
class SandboxLimits:
    """The tenant's ``[sandbox]`` settings; the defaults are the spec's."""

    timeout_ms: int = 100
    memory_mb: int = 64
    max_steps: int = 100_000
    max_recursion: int = 50
    max_string: int = 100_000
    max_sequence: int = 10_000
    max_output_lines: int = 100
    max_line_chars: int = 256

    @property
    def max_int_bits(self) -> int:
        """Integers may grow to about ``max_string / 5`` decimal digits (20,000 by default):
        far beyond any Action's need, small enough that one big-int division stays fast."""
        return self.max_string * 2 // 3


class Meter:
    """The budget of one run; one instance per run, never shared between threads."""

    __slots__ = (
        "_deadline",
        "_depth",
        "_max_depth",
        "_max_steps",
        "_path",
        "_started",
        "_steps",
        "_timeout_ms",
        "int_bits",
        "limits",
        "max_seq",
        "max_str",
        "reached_after_end",
        "tripped",
    )

    def __init__(self, limits: SandboxLimits, path: str) -> None:
        self.limits = limits
        self.max_str = limits.max_string
        self.max_seq = limits.max_sequence
        self.int_bits = limits.max_int_bits
        self._path = path
        self._max_depth = limits.max_recursion
        self._timeout_ms = limits.timeout_ms
        self.reached_after_end = False
        """Set for good when Action code reached the meter after its run ended (closed): code
        of a finished run still alive, so the run kit holding this meter is not reused."""
        self.reset()

    def reset(self) -> None:
        """A whole budget again, from now (a meter is reused only by a run of the same Action
        under the same limits, once nothing of the previous run can reach it: kit.py)."""
        self.tripped: SandboxError | None = None
        self._steps = 0
        self._depth = 0
        self._max_steps = self.limits.max_steps
        self._started = started = perf_counter()
        self._deadline = started + self._timeout_ms / 1000

    # -- hooks injected by the policy -------------------------------------------------------

    def step(self) -> None:
        """One unit of work: a loop iteration, a handler entered, a lambda called."""
        steps = self._steps = self._steps + 1
        if steps > self._max_steps or not (steps & _TIME_CHECK_MASK or self._in_time()):
            self._exceeded()

    def step_true(self) -> bool:
        """``step`` as a comprehension filter (``if _stepc_()``): counts, then keeps the item."""
        steps = self._steps = self._steps + 1  # step(), inlined: a hook per item
        if steps > self._max_steps or not (steps & _TIME_CHECK_MASK or self._in_time()):
            self._exceeded()
        return True

    def enter(self) -> None:
        """A function call: one step, one level deeper."""
        steps = self._steps = self._steps + 1  # step(), inlined: a hook per call
        if steps > self._max_steps or not (steps & _TIME_CHECK_MASK or self._in_time()):
            self._exceeded()
        depth = self._depth = self._depth + 1
        if depth > self._max_depth:
            self._depth -= 1
            self.trip(
                ActionLimitExceeded,
                f"recursion depth limit exceeded ({self._max_depth} nested calls)",
                self._call_site_line(),
            )

    def leave(self) -> None:
        self._depth -= 1

    def charge(self, items: int) -> None:
        """Bill ``items`` steps at once for work done in C (walking a collection)."""
        self._steps += items
        if self._steps > self._max_steps or not self._in_time():
            self._exceeded()

    # -- size checks ------------------------------------------------------------------------
    # ``check_*`` refuse an oversized value; ``made_*`` also bill the work of building one
    # (an item, 64 characters or 2048 bits per step), so ``max_steps`` bounds what a run can
    # allocate in total, not only how long it loops.

    def made_text(self, size: int) -> None:
        self.check_str(size)
        self.charge(size >> 6)

    def made_items(self, size: int) -> None:
        self.check_seq(size)
        self.charge(size)

    def made_int(self, bits: int) -> None:
        self.check_int_bits(bits)
        self.charge(bits >> 11)

    def check_str(self, size: int) -> None:
        if size > self.max_str:
            self.trip(
                ActionLimitExceeded,
                f"string too long ({size} > {self.max_str} characters)",
            )

    def check_seq(self, size: int) -> None:
        if size > self.max_seq:
            self.trip(
                ActionLimitExceeded,
                f"collection too large ({size} > {self.max_seq} items)",
            )

    def check_int_bits(self, bits: int) -> None:
        if bits > self.int_bits:
            self.trip(ActionLimitExceeded, f"integer too large ({bits} > {self.int_bits} bits)")

    # -- failure ----------------------------------------------------------------------------

    def trip(self, kind: type[SandboxError], message: str, line: int | None = None) -> NoReturn:
        """Raise a sandbox error located at ``line`` (by default the Action's current line),
        and make it sticky."""
        if self.tripped is None:
            self.tripped = kind(message, self._current_line() if line is None else line)
            self._max_steps = -1  # every later step() now re-raises
        raise self.tripped

    def seconds_left(self) -> float:
        """Wall time left in the run (for engines that take a timeout, like ``regex``)."""
        return self._deadline - perf_counter()

    def elapsed_ms(self) -> float:
        return (perf_counter() - self._started) * 1000

    def finish(self) -> None:
        """After the run: a last clock check, since the final stretch may hold no hook; then
        closed (:meth:`close`)."""
        self._max_steps = -1
        if self.tripped is None and perf_counter() > self._deadline:
            self.tripped = ActionTimeout(f"timed out after {self._timeout_ms} ms", None)

    def close(self) -> None:
        """After the run: any Action code still reached (a generator's ``finally`` run by the
        garbage collector) stops at its first hook."""
        self._max_steps = -1

    def _in_time(self) -> bool:
        return perf_counter() <= self._deadline

    def _exceeded(self) -> NoReturn:
        if self.tripped is not None:
            raise self.tripped
        if self._max_steps < 0:
            self.reached_after_end = True
            raise ActionLimitExceeded("the Action's run has ended")
        if self._steps > self._max_steps:
            self.trip(ActionLimitExceeded, f"step limit exceeded ({self._max_steps} steps)")
        self.trip(ActionTimeout, f"timed out after {self._timeout_ms} ms")

    def _current_line(self) -> int | None:
        frame: Any = sys._getframe(2)
        while frame is not None:
            if frame.f_code.co_filename == self._path:
                return frame.f_lineno
            frame = frame.f_back
        return None

    def _call_site_line(self) -> int | None:
        """From :meth:`enter`: the line of the Action that made the call, not the ``def`` line
        of the function being entered (where the hook sits). Host frames between the two (a
        guarded ``sorted(key=f)``) are skipped."""
        frame: Any = sys._getframe(2)
        lines: list[int] = []
        while frame is not None and len(lines) < 2:
            if frame.f_code.co_filename == self._path:
                lines.append(frame.f_lineno)
            frame = frame.f_back
        return lines[-1] if lines else None
