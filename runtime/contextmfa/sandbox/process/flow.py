"""``ProcessFlow``: a login's whole Action flow run in a pre-forked, confined worker process.

The same interface as :class:`~contextmfa.flow.InlineFlow`, the same decisions: the worker runs
the flow as InlineFlow does and leaves each run on the board; the parent decodes and checks the
runs (codec.py) and folds them into the :class:`~contextmfa.flow.FlowOutcome` itself, skipping
the runs that asked for nothing without building them. One request frame (the event parts the
worker does not hold yet, request.py) and one ``done`` frame per login, plus one round trip per
``api.cache`` call.

What the process adds is containment of what no in-process guard can stop: C-level work between
step hooks, memory bombs, a crash of the interpreter. The parent waits at most
:func:`~contextmfa.sandbox.process.pool.wait_time`; a worker that overruns it is killed, one
that crashes is collected, and either way replaced; the login gets a ``timeout`` (or ``limit``)
error for the Action that was running (the board says which), keeps the results of the Actions
that had finished, and follows ``on_error``. Nothing of a failed worker survives into the next
login.
"""

from __future__ import annotations

import marshal
import os
import pickle
import signal
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from time import monotonic
from typing import Any

from contextmfa.directives import Deny
from contextmfa.flow import FlowOutcome
from contextmfa.sandbox.cache import ActionCache
from contextmfa.sandbox.compiler import CompiledAction
from contextmfa.sandbox.fetch import HttpPort
from contextmfa.sandbox.limits import SandboxLimits
from contextmfa.sandbox.process import codec
from contextmfa.sandbox.process.board import board_size
from contextmfa.sandbox.process.cache_link import CACHE_REPLY, CACHE_REQUEST, serve_request
from contextmfa.sandbox.process.confine import Layers, Mode
from contextmfa.sandbox.process.frames import FrameError, send_frame, spare_cpus
from contextmfa.sandbox.process.http_link import HTTP_REPLY, HTTP_REQUEST
from contextmfa.sandbox.process.http_link import serve_request as serve_http
from contextmfa.sandbox.process.pool import (
    ForkServer,
    SandboxUnavailable,
    WorkerHandle,
    WorkerPool,
    deadline_for,
)
from contextmfa.sandbox.process.worker import DONE, RECYCLE, REQUEST, SEQ
from contextmfa.sandbox.runner import ActionError, ActionRun, ErrorKind

__all__ = ["ProcessFlow", "SandboxUnavailable", "run_action_isolated"]


MAX_SPIN_S = 0.0005
_SPIN_TOKENS: list[None] = [None] * max(1, (os.cpu_count() or 1) - 1)
"""One token per thread allowed to poll for its worker's answer at once. ``list.pop`` and
``append`` are atomic; a BoundedSemaphore cost about 1.7 µs a login in Python-level locking."""


Decoder = Callable[[bytes, str, int, int], ActionRun | None]
"""How a login's records are read: every run (codec.decode), or only those that count."""


class _WorkerFailed(Exception):
    def __init__(self, kind: ErrorKind, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


def _setup_payload(
    actions: Sequence[CompiledAction],
    secrets_for: Callable[[str], Mapping[str, str]],
    limits: SandboxLimits,
    on_error: str,
    confinement: Mode,
) -> bytes:
    return pickle.dumps(
        {
            "actions": [(a.name, a.path, marshal.dumps(a.code), a.needs) for a in actions],
            "secrets": {a.name: dict(secrets_for(a.name)) for a in actions},
            "limits": asdict(limits),
            "on_error": on_error,
            "confinement": confinement,
        },
        protocol=5,
    )


class ProcessFlow:
    """Runs the Actions in worker processes (module docstring); call :meth:`close` when done.

    Secrets are read once, here: a config change means a new flow (as a new Engine). ``workers``
    logins can run at once; more wait for a free worker. A flow belongs to the process that
    made it: a process forked after it gets a failed run, so create flows after forking.
    ``confinement`` is ``[sandbox] confinement`` (confine.py): with ``"required"``, a host
    that lacks a layer makes the flow fail to start (SandboxUnavailable, which says which).
    """

    def __init__(
        self,
        actions: Sequence[CompiledAction],
        *,
        secrets_for: Callable[[str], Mapping[str, str]],
        cache: ActionCache,
        limits: SandboxLimits,
        on_error: str,
        workers: int = 1,
        confinement: Mode = "required",
    ) -> None:
        self.actions = tuple(actions)
        self._order = tuple(a.name for a in self.actions)
        self._names = frozenset(self._order)
        self._cache = cache
        self._limits = limits
        self._on_error = on_error
        self._pool: WorkerPool | None = None
        self._owner = os.getpid()
        self._answer_time = 0.0002
        """Moving average of how long the worker takes to answer a login, in seconds."""
        if self.actions:
            setup = _setup_payload(self.actions, secrets_for, limits, on_error, confinement)
            server = ForkServer(setup, board_size(len(self.actions)))
            try:
                self._pool = WorkerPool(server, workers)
            except BaseException:
                server.close()
                raise
            self._finalizer = weakref.finalize(self, self._pool.close)

    @property
    def layers(self) -> Layers:
        """What this flow's workers are confined by, as they reported it (confine.py)."""
        pool = self._pool
        return pool.layers() if pool is not None else Layers()

    def run(
        self,
        event: dict[str, Any],
        *,
        now: datetime,
        tenant_id: str,
        steps_so_far: int = 0,
        http: HttpPort | None = None,
    ) -> FlowOutcome:
        outcome = FlowOutcome(steps=steps_so_far)
        runs = self._login(event, now, tenant_id, steps_so_far, http, codec.decode_unless_empty)
        for run in runs:
            if run is not None:  # None: a run that asked for nothing (absorb would skip it)
                outcome.absorb(run, self._on_error)
                if outcome.stopped:
                    break
        return outcome

    def run_actions(
        self,
        event: dict[str, Any],
        *,
        now: datetime,
        tenant_id: str,
        steps_so_far: int = 0,
        http: HttpPort | None = None,
    ) -> list[ActionRun]:
        """Each Action's run, in flow order, up to the one that stopped the flow (a deny, a
        failure under ``on_error = "deny"``, or a worker that had to be stopped). ``http``
        answers the ``fetch`` calls the worker forwards (http_link.py)."""
        runs = self._login(event, now, tenant_id, steps_so_far, http, codec.decode)
        return runs  # type: ignore[return-value]  # codec.decode never gives None

    def _login(
        self,
        event: dict[str, Any],
        now: datetime,
        tenant_id: str,
        steps_so_far: int,
        http: HttpPort | None,
        decode: Decoder,
    ) -> list[ActionRun | None]:
        """One login's round trip to a worker: its runs, each read by ``decode``."""
        pool = self._pool
        if pool is None:
            return []
        if os.getpid() != self._owner:  # a forked copy: the workers' sockets are not ours
            return [self._failed_run(0, "exception", "the sandbox belongs to another process")]
        try:
            worker = pool.take()
        except SandboxUnavailable as exc:
            return [self._failed_run(0, "exception", str(exc))]
        try:
            request = worker.requests.encode(event, now, tenant_id, steps_so_far)
        except BaseException:
            pool.give_back(worker)  # nothing was sent: the worker is as it was
            raise
        try:
            recycle = self._exchange(worker, request, tenant_id, now, http)
            runs = self._collect(worker, decode)
        except _WorkerFailed as failure:
            return self._after_failure(pool, worker, failure, decode)
        if recycle:
            pool.replace(worker)
        else:
            pool.give_back(worker)
        return self._complete(runs)

    def _exchange(
        self,
        worker: WorkerHandle,
        request: bytes,
        tenant_id: str,
        now: datetime,
        http: HttpPort | None = None,
    ) -> bool:
        """Send the login, serve cache and fetch calls until ``done``; True when the worker
        retires."""
        worker.logins += 1
        tag = SEQ.pack(worker.logins & 0xFFFFFFFF)
        worker.board.clear()
        worker.reader.clear()
        deadline = deadline_for(self._limits.timeout_ms, len(self.actions))
        started = monotonic()
        try:
            send_frame(worker.sock, REQUEST + tag + request)
            while True:
                frame = self._next_frame(worker, deadline)
                if frame[1:5] != tag:
                    raise _WorkerFailed("exception", "the worker process misbehaved")
                if frame[:1] == DONE and len(frame) == 6:
                    self._answer_time += (monotonic() - started - self._answer_time) / 8
                    return bool(frame[5] & RECYCLE)
                if frame[:1] == HTTP_REQUEST:
                    answer = serve_http(frame[5:], http, deadline)
                    send_frame(worker.sock, HTTP_REPLY + tag + answer)
                    continue
                if frame[:1] != CACHE_REQUEST:
                    raise _WorkerFailed("exception", "the worker process misbehaved")
                answer = serve_request(frame[5:], self._cache, tenant_id, self._names, now)
                send_frame(worker.sock, CACHE_REPLY + tag + answer)
        except (TimeoutError, BlockingIOError):
            raise _WorkerFailed(
                "timeout", f"timed out after {self._limits.timeout_ms} ms (worker stopped)"
            ) from None
        except (EOFError, OSError):
            raise _WorkerFailed("limit", "") from None
        except FrameError:
            raise _WorkerFailed("exception", "the worker process misbehaved") from None

    def _next_frame(self, worker: WorkerHandle, deadline: float) -> bytes:
        """The worker's next frame, polled for a little longer than it usually takes to answer
        (at most MAX_SPIN_S, and by fewer threads than there are CPUs) before sleeping."""
        spin = min(self._answer_time * 1.5, MAX_SPIN_S)
        if spin > 0 and spare_cpus() >= 1:
            try:
                token = _SPIN_TOKENS.pop()
            except IndexError:
                return worker.reader.read(deadline)
            try:
                return worker.reader.read(deadline, spin)
            finally:
                _SPIN_TOKENS.append(token)
        return worker.reader.read(deadline)

    def _collect(self, worker: WorkerHandle, decode: Decoder) -> list[ActionRun | None]:
        limits = self._limits
        lines, chars, names = limits.max_output_lines, limits.max_line_chars, self._order
        try:
            records = worker.board.records()
            if len(records) > len(names):
                raise ValueError("too many records")
            return [decode(record, names[i], lines, chars) for i, record in enumerate(records)]
        except (ValueError, RecursionError):
            raise _WorkerFailed("exception", "the worker process misbehaved") from None

    def _complete(self, runs: list[ActionRun | None]) -> list[ActionRun | None]:
        """A worker that answered ``done`` must have run every Action up to the one that
        stopped the flow; anything short of that fails the next Action (fail closed)."""
        if not self._finished(runs):
            runs.append(
                self._failed_run(len(runs), "exception", "the worker process skipped this Action")
            )
        return runs

    def _finished(self, runs: list[ActionRun | None]) -> bool:
        """Whether ``runs`` end the flow: every Action ran, or one stopped it (as
        :meth:`FlowOutcome.absorb` decides: a deny, or a failure under ``on_error = "deny"``)."""
        if len(runs) == len(self.actions):
            return True
        deny_on_error = self._on_error == "deny"
        return any(
            run is not None
            and (
                run.denied
                or (run.error is not None and deny_on_error)
                or any(type(d) is Deny for d in run.directives)
            )
            for run in runs
        )

    def _after_failure(
        self, pool: WorkerPool, worker: WorkerHandle, failure: _WorkerFailed, decode: Decoder
    ) -> list[ActionRun | None]:
        """The runs the board holds, then the failure, charged to the Action that was running."""
        try:
            runs = self._collect(worker, decode)
        except _WorkerFailed:
            runs = []
        status = pool.replace(worker)
        if self._finished(runs):
            return runs
        return [*runs, self._failed_run(len(runs), failure.kind, failure.reason or _ended(status))]

    def _failed_run(self, index: int, kind: ErrorKind, message: str) -> ActionRun:
        name = self.actions[index].name
        return ActionRun(action=name, error=ActionError(name, kind, message, None))

    def close(self) -> None:
        """Stop every worker and the fork server."""
        if self._pool is not None:
            self._finalizer()
            self._pool = None


def _ended(status: int) -> str:
    if status >= 0 and os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number == signal.SIGXCPU:
            return "CPU time limit exceeded (worker stopped)"
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return f"the worker process crashed ({name})"
    if status >= 0 and os.WIFEXITED(status):
        return f"the worker process exited (status {os.WEXITSTATUS(status)})"
    return "the worker process ended"


def run_action_isolated(
    action: CompiledAction,
    event: dict[str, Any],
    *,
    secrets: Mapping[str, str],
    now: datetime,
    cache: ActionCache,
    tenant_id: str,
    limits: SandboxLimits,
    steps_so_far: int = 0,
    confinement: Mode = "required",
    http: HttpPort | None = None,
) -> ActionRun:
    """:func:`~contextmfa.sandbox.run_action` in a worker of its own (``contextmfa test``)."""
    flow = ProcessFlow(
        [action],
        secrets_for=lambda _: secrets,
        cache=cache,
        limits=limits,
        on_error="deny",
        confinement=confinement,
    )
    try:
        return flow.run_actions(
            event, now=now, tenant_id=tenant_id, steps_so_far=steps_so_far, http=http
        )[0]
    finally:
        flow.close()
