"""The fork server: a clean interpreter that holds one flow's Actions and forks its workers.

The parent (pool.py) starts it with ``subprocess`` (a fresh interpreter: no copy of the
service's memory, its other tenants, its keys or its sockets, and an empty environment), sends
it the flow once (:class:`~contextmfa.sandbox.process.worker.FlowSetup`, the code as
``marshal`` bytes), and from then on asks it for workers. Forking from this small,
single-threaded process takes about a millisecond and is safe whatever threads the service runs.

Commands are fixed-size messages on the control socket: ``spawn`` carries a socket and a board
(``SCM_RIGHTS``) and is answered with the new worker's pid; ``kill`` stops a worker and is
answered with its wait status. The server only ever signals its own unreaped children, so a
recycled pid is never hit, and it exits, stopping its workers, when the parent goes away.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import pickle
import signal
import socket
import struct
import sys
from typing import Any

COMMAND = struct.Struct("!cxxxxxxxq")
"""A command or a reply: one letter, then a number (a pid, a status or a size)."""
SPAWN, KILL, READY, PID, STATUS = b"S", b"K", b"R", b"P", b"W"
MAX_SETUP = 512 * 1024 * 1024


def recv_exact(sock: socket.socket, size: int) -> tuple[bytes, list[int]]:
    """``size`` bytes and any descriptors sent with them (EOFError when the peer is gone)."""
    data, fds = b"", []
    while len(data) < size:
        chunk, received, _, _ = socket.recv_fds(sock, size - len(data), 4)
        if not chunk:
            for fd in received:
                os.close(fd)
            raise EOFError("peer closed")
        data += chunk
        fds.extend(received)
    return data, fds


def _load_setup(control: socket.socket) -> Any:
    from contextmfa.sandbox.compiler import CompiledAction
    from contextmfa.sandbox.limits import SandboxLimits
    from contextmfa.sandbox.process.worker import FlowSetup

    header, _ = recv_exact(control, COMMAND.size)
    _, size = COMMAND.unpack(header)
    if not 0 < size <= MAX_SETUP:
        raise EOFError("bad setup")
    raw, _ = recv_exact(control, size)
    data = pickle.loads(raw)  # from the parent that started us: trusted
    actions = [
        CompiledAction(name, path, marshal.loads(code), tuple(needs))
        for name, path, code, needs in data["actions"]
    ]
    limits = SandboxLimits(**data["limits"])
    return FlowSetup(actions, data["secrets"], limits, data["on_error"], data["confinement"])


CODECS = (
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "utf-32-le",
    "utf-32-be",
    "utf-8-sig",
    "idna",
    "punycode",
    "cp1252",
    "unicode-escape",
    "raw-unicode-escape",
)
"""Codecs an Action may name in ``str.encode``/``bytes.decode`` that Python imports on first
use: imported here, since a confined worker cannot read a module file (another codec fails
there with a clean "unknown encoding" error)."""


def _warm_up(setup: Any) -> None:
    """Import what Actions load lazily, read the time zones if an Action asks for local time,
    and build the seccomp filter, once, before any worker is forked and confined."""
    import _strptime  # noqa: F401  (datetime.strptime)
    import codecs
    from datetime import datetime

    from contextmfa.sandbox.process.confine import prepare
    from contextmfa.sandbox.timezones import preload

    if any("local_time" in action.needs for action in setup.actions):
        preload()

    datetime.strptime("2026-01-01", "%Y-%m-%d")
    for name in CODECS:
        codecs.lookup(name)
    prepare()


class Children:
    """The workers this server forked: alive, or ended with a wait status not yet asked for."""

    def __init__(self) -> None:
        self.alive: set[int] = set()
        self.ended: dict[int, int] = {}

    def reap(self) -> None:
        while self.alive:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.alive.discard(pid)
            self.ended[pid] = status
            if len(self.ended) > 1024:
                del self.ended[next(iter(self.ended))]

    def kill(self, pid: int) -> int:
        """Stop worker ``pid`` if it is still ours and alive; its wait status (-1: unknown)."""
        if pid in self.alive:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            self.alive.discard(pid)
            return status
        return self.ended.pop(pid, -1)

    def kill_all(self) -> None:
        for pid in list(self.alive):
            self.kill(pid)


def _spawn(control: socket.socket, fds: list[int], setup: Any, size: int) -> int:
    pid = os.fork()
    if pid == 0:
        try:
            from contextmfa.sandbox.process.worker import start

            control.close()
            start(fds[0], fds[1], size, setup)
        finally:
            os._exit(1)
    for fd in fds:
        os.close(fd)
    return pid


def serve(control: socket.socket) -> None:
    setup = _load_setup(control)
    _warm_up(setup)
    control.sendall(COMMAND.pack(READY, os.getpid()))
    children = Children()
    try:
        while True:
            try:
                message, fds = recv_exact(control, COMMAND.size)
            except (EOFError, OSError):
                return
            children.reap()
            command, number = COMMAND.unpack(message)
            if command == SPAWN and len(fds) == 2:
                pid = _spawn(control, fds, setup, number)
                children.alive.add(pid)
                control.sendall(COMMAND.pack(PID, pid))
            elif command == KILL and not fds:
                control.sendall(COMMAND.pack(STATUS, children.kill(number)))
            else:
                for fd in fds:
                    os.close(fd)
                return
    finally:
        children.kill_all()


def main() -> None:
    """``python -c 'from contextmfa.sandbox.process.zygote import main; main()' FD``."""
    control = socket.socket(fileno=int(sys.argv[1]))
    try:
        serve(control)
    finally:
        os._exit(0)
