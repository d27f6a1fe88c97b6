"""A worker: one process that runs a tenant's whole Action flow for one login at a time.

Forked by the fork server (zygote.py) with the compiled Actions, the secrets and the limits
already in memory, it closes every descriptor but its socket and its result board, confines
itself (confine.py) and then serves logins: read a request, run each Action in flow order with
:func:`~contextmfa.sandbox.run_action`, leave each result on the board (board.py) as it
finishes, and answer ``done``. ``api.cache`` calls go to the parent (cache_link.py), and so do
``fetch`` calls (http_link.py): the worker itself never has the network.

It stops at the first deny exactly as :class:`~contextmfa.flow.InlineFlow` does, since it
folds the runs into a :class:`~contextmfa.flow.FlowOutcome` with the same ``on_error``. After a
login that ran out of memory or recursion, once its memory high-water mark has grown by half
the tenant's ``memory_mb``, once it has used its CPU lifetime, and after MAX_LOGINS logins, it
answers and exits; the parent forks a fresh one.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from time import monotonic
from typing import Any, NoReturn

from contextmfa.flow import FlowOutcome
from contextmfa.sandbox.compiler import CompiledAction
from contextmfa.sandbox.limits import SandboxLimits
from contextmfa.sandbox.process import codec
from contextmfa.sandbox.process.board import Board
from contextmfa.sandbox.process.cache_link import ProxyCache
from contextmfa.sandbox.process.confine import (
    ConfinementUnavailable,
    CpuCap,
    Mode,
    confine,
    peak_memory_bytes,
)
from contextmfa.sandbox.process.frames import FrameReader, send_frame
from contextmfa.sandbox.process.http_link import ProxyHttp
from contextmfa.sandbox.process.request import RequestReader
from contextmfa.sandbox.runner import ActionError, ActionRun, run_action

REQUEST, DONE, READY, REFUSED = b"R", b"D", b"ready", b"refused"
"""A worker's first frame: READY and the layers it is confined by, or REFUSED and the layers
the host lacks (confine.py), as JSON."""
RECYCLE = 1
"""Flag of a ``done`` frame: the worker exits after this login."""
SEQ = struct.Struct("!I")
MAX_SPIN_S = 0.0005
BUSY_GAP_S = 0.001
"""A worker whose logins arrive less than a millisecond apart polls for the next one briefly
before sleeping (frames.poll_briefly); an idle worker just sleeps."""
MAX_LOGINS = 10_000
"""A worker is replaced after this many logins, whatever happened in them: nothing an Action
managed to leave behind in a worker (up to a full interpreter escape) outlives it for long."""
MAX_REQUEST = 64 * 1024 * 1024


@dataclass(frozen=True)
class FlowSetup:
    """What every worker of a flow knows from birth."""

    actions: Sequence[CompiledAction]
    secrets: Mapping[str, Mapping[str, str]]
    limits: SandboxLimits
    on_error: str
    confinement: Mode = "required"


def _recycle_after(run: ActionRun) -> bool:
    error = run.error
    return (
        error is not None
        and error.kind == "limit"
        and error.message
        in (
            "out of memory",
            "recursion too deep",
        )
    )


class Worker:
    def __init__(self, sock: socket.socket, board: Board, setup: FlowSetup) -> None:
        self.sock = sock
        self.board = board
        self.setup = setup
        self.reader = FrameReader(sock, MAX_REQUEST)
        self.requests = RequestReader()
        self.tag = b"\0\0\0\0"
        self.cache = ProxyCache(sock, self.reader, lambda: self.tag)
        self.http = ProxyHttp(sock, self.reader, lambda: self.tag)
        self.memory_ceiling = peak_memory_bytes() + setup.limits.memory_mb * 1024 * 1024 // 2
        limits = setup.limits
        self.cpu_budget = 2 + (limits.timeout_ms * max(len(setup.actions), 1) * 2) // 1000
        self.cpu_cap: CpuCap | None = None
        self.logins = 0

    def serve(self) -> NoReturn:
        idle = 1.0  # moving average of the wait between logins, in seconds
        while True:
            answered = monotonic()
            spin = min(idle * 1.5, MAX_SPIN_S) if idle < BUSY_GAP_S else 0.0
            try:
                frame = self.reader.read(None, spin)
            except (EOFError, OSError):
                os._exit(0)
            idle += (monotonic() - answered - idle) / 8
            if frame[:1] != REQUEST:
                os._exit(2)
            self.tag = frame[1:5]
            if self.cpu_cap is None:
                self.cpu_cap = CpuCap(self.cpu_budget)  # after confine(): its hard limit
            healthy = self.cpu_cap.arm()
            event, now, tenant_id, steps = self.requests.decode(frame[5:])
            healthy = self.login(event, now, tenant_id, steps) and healthy
            self.logins += 1
            if self.logins % 16 == 0:
                healthy = healthy and peak_memory_bytes() < self.memory_ceiling
            healthy = healthy and self.logins < MAX_LOGINS
            send_frame(self.sock, DONE + self.tag + bytes([0 if healthy else RECYCLE]))
            if not healthy:
                os._exit(0)

    def login(self, event: dict[str, Any], now: Any, tenant_id: str, steps: int) -> bool:
        setup = self.setup
        board = self.board
        outcome = FlowOutcome(steps=steps)
        healthy = True
        last = len(setup.actions) - 1
        board.start(0)
        for index, action in enumerate(setup.actions):
            run = run_action(
                action,
                event,
                secrets=setup.secrets.get(action.name, {}),
                now=now,
                cache=self.cache,
                tenant_id=tenant_id,
                limits=setup.limits,
                steps_so_far=outcome.steps,
                http=self.http,
            )
            healthy = healthy and not _recycle_after(run)
            following = index + 1 if index < last else -1
            if not board.append(codec.encode(run), following):
                error = ActionError(action.name, "limit", "the Action's results are too large")
                run = ActionRun(action=action.name, error=error)
                board.append(codec.encode(run), following)
            outcome.absorb(run, setup.on_error)
            if outcome.stopped:
                if following >= 0:
                    board.start(-1)
                break
        return healthy


def start(sock_fd: int, board_fd: int, board_size: int, setup: FlowSetup) -> NoReturn:
    """The forked child's entry point: keep two descriptors, confine, serve until closed; a
    worker that cannot be confined as the tenant requires says so and exits."""
    keep = {0, 1, 2, sock_fd, board_fd}
    for fd in _open_descriptors():
        if fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)
    board = Board(board_fd, board_size)
    os.close(board_fd)
    sock = socket.socket(fileno=sock_fd)
    sock.setblocking(True)
    worker = Worker(sock, board, setup)
    try:
        layers = confine(setup.limits.memory_mb, setup.confinement)
    except ConfinementUnavailable as exc:
        send_frame(sock, REFUSED + exc.to_json())
        os._exit(3)
    send_frame(sock, READY + layers.to_json())
    worker.serve()


def _open_descriptors() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return list(range(3, 256))
