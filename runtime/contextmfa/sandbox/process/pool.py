"""The parent's side of process isolation: the fork server, its workers, and the idle pool.

:class:`ForkServer` starts the fork server (zygote.py) as a fresh interpreter with an empty
environment, in its own session (a terminal's Ctrl-C is for the service, not the workers),
hands it the flow, and asks it for workers and for their end. :class:`WorkerPool` keeps the
pre-forked workers: a login takes the idle one used last (the hottest) and gives it back, or has
it replaced when it ran out of time, crashed or asked to be recycled. If the fork server itself
dies, the next request starts a new one.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from time import monotonic

from contextmfa.errors import ContextMFAError
from contextmfa.sandbox.process.board import Board, create_board_fd
from contextmfa.sandbox.process.confine import ConfinementUnavailable, Layers
from contextmfa.sandbox.process.frames import FrameError, FrameReader, set_send_timeout
from contextmfa.sandbox.process.request import RequestWriter
from contextmfa.sandbox.process.zygote import COMMAND, KILL, PID, READY, SPAWN, STATUS, recv_exact

_BOOT = (
    "import sys, json; sys.path[:] = json.loads(sys.argv[2]); "
    "from contextmfa.sandbox.process.zygote import main; main()"
)
START_TIMEOUT_S = 60.0
COMMAND_TIMEOUT_S = 10.0
MAX_WORKER_FRAME = 1 << 20
"""Frames a worker sends (done, cache requests) are small; results travel on the board."""
SETUP = b"L"
WORKER_READY, WORKER_REFUSED = b"ready", b"refused"
"""A worker's first frame: it has shed its inherited descriptors and confined itself (then the
layers follow as JSON), or the host lacks layers the tenant requires (their names follow)."""
SEND_TIMEOUT_S = 5.0
"""A worker that stops reading its socket cannot hold a login longer than this on a send."""


class SandboxUnavailable(ContextMFAError):
    """The Action sandbox's worker processes could not be started."""

    code = "sandbox_unavailable"


_log = logging.getLogger("contextmfa.sandbox")


@dataclass(eq=False)
class WorkerHandle:
    """The parent's end of one worker: its socket, its board, the pid to stop it by."""

    pid: int
    sock: socket.socket
    board: Board
    reader: FrameReader = field(init=False)
    requests: RequestWriter = field(init=False, default_factory=RequestWriter)
    """What this worker was last sent (request.py): it dies with the worker."""
    logins: int = 0
    layers: Layers = field(default_factory=Layers)
    """What the worker reported it is confined by."""

    def __post_init__(self) -> None:
        self.reader = FrameReader(self.sock, MAX_WORKER_FRAME)
        set_send_timeout(self.sock, SEND_TIMEOUT_S)

    def close(self) -> None:
        self.sock.close()
        self.board.close()


class ForkServer:
    """One fork server for one flow; every method is safe to call from any thread."""

    def __init__(self, setup: bytes, board_size: int) -> None:
        self._setup = setup
        self._board_size = board_size
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None
        self._told = False
        """Whether this fork server's confinement was logged (once per server started)."""
        with self._lock:
            self._start()

    def _start(self) -> None:
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        debug = os.environ.get("CONTEXTMFA_DEBUG") == "1"
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-I", "-c", _BOOT, str(child.fileno()), json.dumps(sys.path)],
                pass_fds=(child.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=None if debug else subprocess.DEVNULL,
                env={"LC_ALL": "C.UTF-8"},
                cwd="/",
                start_new_session=True,
            )
        except OSError as exc:
            parent.close()
            raise SandboxUnavailable(f"cannot start the Action sandbox: {exc.strerror}") from None
        finally:
            child.close()
        self._control = parent
        self._told = False
        try:
            parent.settimeout(START_TIMEOUT_S)
            parent.sendall(COMMAND.pack(SETUP, len(self._setup)) + self._setup)
            reply, _ = recv_exact(parent, COMMAND.size)
            if COMMAND.unpack(reply)[0] != READY:
                raise EOFError("unexpected reply")
        except (EOFError, OSError) as exc:
            self._stop()
            raise SandboxUnavailable("the Action sandbox's fork server did not start") from exc

    def _stop(self) -> None:
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._process is not None:
            try:
                self._process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def _command(self, message: bytes, fds: list[int]) -> tuple[bytes, int]:
        control = self._control
        if control is None:
            raise EOFError("fork server stopped")
        control.settimeout(COMMAND_TIMEOUT_S)
        socket.send_fds(control, [message], fds)
        reply, received = recv_exact(control, COMMAND.size)
        for fd in received:
            os.close(fd)
        kind, number = COMMAND.unpack(reply)
        return kind, number

    def spawn(self) -> WorkerHandle:
        """A new, confined worker. A fork server that has gone away is started again (once);
        the workers it forked earlier keep serving until they are replaced."""
        with self._lock:
            for attempt in range(2):
                ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
                board_fd = create_board_fd(self._board_size)
                try:
                    kind, pid = self._command(
                        COMMAND.pack(SPAWN, self._board_size), [theirs.fileno(), board_fd]
                    )
                    if kind != PID:
                        raise EOFError("unexpected reply")
                    board = Board(board_fd, self._board_size)
                except (EOFError, OSError):
                    ours.close()
                    if attempt:
                        raise SandboxUnavailable("the Action sandbox cannot fork workers") from None
                    self._stop()
                    self._start()
                    continue
                finally:
                    theirs.close()
                    os.close(board_fd)
                return self._started(WorkerHandle(pid, ours, board))
        raise SandboxUnavailable("the Action sandbox cannot fork workers")

    def _started(self, worker: WorkerHandle) -> WorkerHandle:
        problem = "an Action sandbox worker did not start"
        try:
            frame = worker.reader.read(monotonic() + START_TIMEOUT_S)
            if frame.startswith(WORKER_READY):
                worker.layers = Layers.from_json(frame[len(WORKER_READY) :])
                self._tell(worker.layers)
                return worker
            if frame.startswith(WORKER_REFUSED):
                refusal = ConfinementUnavailable.from_json(frame[len(WORKER_REFUSED) :])
                problem = _refusal(refusal.missing)
                _log.error(problem)
        except (EOFError, OSError, TimeoutError, FrameError, ValueError):
            pass
        worker.close()
        with contextlib.suppress(EOFError, OSError):
            self._command(COMMAND.pack(KILL, worker.pid), [])
        raise SandboxUnavailable(problem)

    def _tell(self, layers: Layers) -> None:
        """Log, once per fork server started, what its workers are confined by."""
        if self._told:
            return
        self._told = True
        missing = layers.missing
        fields = {"confinement": layers.describe(), "missing": missing}
        if missing:
            message = f"Action workers run without {', '.join(missing)} (best-effort)"
            _log.warning(message, extra={"fields": fields})
        else:
            _log.info(f"Action workers confined: {layers.describe()}", extra={"fields": fields})

    def kill(self, pid: int) -> int:
        """Stop worker ``pid`` and return its wait status (-1 when unknown)."""
        with self._lock:
            try:
                kind, status = self._command(COMMAND.pack(KILL, pid), [])
            except (EOFError, OSError):
                return -1
            return status if kind == STATUS else -1

    def close(self) -> None:
        with self._lock:
            self._stop()


class WorkerPool:
    """Pre-forked workers of one flow, handed out one login at a time."""

    def __init__(self, server: ForkServer, size: int) -> None:
        self.server = server
        self.size = max(size, 1)
        self._idle: list[WorkerHandle] = []
        """A stack: the worker given back last is taken first, its caches still warm, and
        with fewer logins in flight than workers the others stay asleep."""
        self._ready = threading.Condition(threading.Lock())
        self._all: set[WorkerHandle] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(self.size):
            self._add(server.spawn())

    def _add(self, worker: WorkerHandle) -> None:
        with self._lock:
            self._all.add(worker)
        self.give_back(worker)

    def take(self) -> WorkerHandle:
        """An idle worker, waiting for one if all are busy; refills a pool a failed fork left
        short (SandboxUnavailable when it cannot)."""
        if self._closed:
            raise SandboxUnavailable("the Action sandbox is closed")
        with self._ready:
            while not self._idle:
                short = len(self._all) < self.size
                if not self._ready.wait(0.5 if short else None) and not self._idle:
                    break
            else:
                return self._idle.pop()
        worker = self.server.spawn()
        with self._lock:
            self._all.add(worker)
        return worker

    def layers(self) -> Layers:
        """The confinement a worker of this pool reported (they all get the same)."""
        with self._lock:
            return next((w.layers for w in self._all), Layers())

    def give_back(self, worker: WorkerHandle) -> None:
        with self._ready:
            self._idle.append(worker)
            self._ready.notify()

    def replace(self, worker: WorkerHandle) -> int:
        """Stop ``worker`` and put a fresh one in the pool; its wait status (-1: unknown)."""
        worker.close()
        status = self.server.kill(worker.pid)
        with self._lock:
            self._all.discard(worker)
        if not self._closed:
            # On failure take() refills the pool later, or reports the sandbox unavailable.
            with contextlib.suppress(SandboxUnavailable):
                self._add(self.server.spawn())
        return status

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.close()
        self.server.close()


def _refusal(missing: list[str]) -> str:
    return (
        f"Action sandbox workers refuse to start: {', '.join(missing)} not available "
        'on this host, and [sandbox] confinement is "required" (set it to "best-effort" to '
        "run Actions with what the host offers)"
    )


def wait_time(timeout_ms: int, actions: int) -> float:
    """How long the parent waits for one login's flow before stopping its worker: every
    Action's timeout, plus slack for scheduling and the round trip."""
    return timeout_ms * max(actions, 1) / 1000 + 0.25 + 0.05 * actions


def deadline_for(timeout_ms: int, actions: int) -> float:
    return monotonic() + wait_time(timeout_ms, actions)
