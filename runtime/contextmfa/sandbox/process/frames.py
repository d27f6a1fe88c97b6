"""Length-prefixed frames over a Unix stream socket, read under a deadline.

Every message between the parent and a worker is one frame: a 4-byte big-endian length, then
the payload. Frames from a worker are untrusted input: their length is capped (``max_frame``)
before anything is allocated, and a peer that closes, stalls past the deadline or sends garbage
ends as :class:`EOFError`, :class:`TimeoutError` or :class:`FrameError`. Sockets stay in
blocking mode; deadlines are kernel timeouts (``SO_RCVTIMEO``), which cost one syscall where
Python's ``settimeout`` costs a ``poll`` before every call: on the per-login path that matters.
"""

from __future__ import annotations

import os
import socket
import struct
from time import monotonic

HEADER = struct.Struct("!I")


TIMEOUT_SLACK_S = 0.002
"""A receive timeout already set is kept while it ends at most this long after the deadline:
logins of one flow wait about as long each, so most need no ``setsockopt`` of their own."""


class FrameError(Exception):
    """The peer broke the framing (an oversized or malformed frame)."""


def send_frame(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(HEADER.pack(len(payload)) + payload)


class FrameReader:
    """Reads whole frames from ``sock``, keeping any bytes that arrived early."""

    __slots__ = ("_buffer", "_max", "_sock", "_timeout")

    def __init__(self, sock: socket.socket, max_frame: int) -> None:
        self._sock = sock
        self._max = max_frame
        self._buffer = bytearray()
        self._timeout = -1.0
        """The receive timeout last set on the socket (-1: none set by us)."""

    def clear(self) -> None:
        self._buffer.clear()

    def read(self, deadline: float | None = None, spin: float = 0.0) -> bytes:
        """The next frame; ``deadline`` is a ``time.monotonic()`` instant (None: wait forever).
        ``spin`` seconds are spent polling before sleeping (see :func:`poll_briefly`)."""
        if spin > 0 and len(self._buffer) < HEADER.size and spare_cpus() >= 1:
            poll_briefly(self._sock, self._buffer, spin)
        need = HEADER.size
        while True:
            buffer = self._buffer
            if len(buffer) >= HEADER.size:
                (length,) = HEADER.unpack_from(buffer)
                if length > self._max:
                    raise FrameError(f"frame of {length} bytes (at most {self._max})")
                need = HEADER.size + length
                if len(buffer) >= need:
                    payload = bytes(buffer[HEADER.size : need])
                    del buffer[:need]
                    return payload
            self._fill(need - len(buffer), deadline)

    def _fill(self, wanted: int, deadline: float | None) -> None:
        sock = self._sock
        if deadline is not None:
            left = deadline - monotonic()
            if left <= 0:
                raise TimeoutError("no frame before the deadline")
            if not left <= self._timeout <= left + TIMEOUT_SLACK_S:
                self._timeout = left + TIMEOUT_SLACK_S / 2
                set_receive_timeout(sock, self._timeout)
        try:
            chunk = sock.recv(max(wanted, 65536))
        except (BlockingIOError, TimeoutError):
            raise TimeoutError("no frame before the deadline") from None
        except OSError as exc:
            raise EOFError(f"connection failed: {exc.strerror or exc}") from None
        if not chunk:
            raise EOFError("the peer closed the connection")
        self._buffer += chunk


_spare: list[float] = [0.0, 0.0]  # [checked at, spare CPUs then]
_CPUS = os.cpu_count() or 1


def spare_cpus() -> float:
    """About how many CPUs sit idle (checked at most once a second): polling only pays when
    the peer we wait for has a CPU of its own; on a busy machine it would take the peer's."""
    now = monotonic()
    if now - _spare[0] > 1.0:
        try:
            _spare[1] = _CPUS - os.getloadavg()[0]
        except OSError:
            _spare[1] = 0.0
        _spare[0] = now
    return _spare[1]


def poll_briefly(sock: socket.socket, buffer: bytearray, seconds: float) -> None:
    """Poll ``sock`` for up to ``seconds`` before a blocking read would put this thread to sleep.

    Waking a sleeping CPU costs more than a short Action takes on some hosts (about 100 µs per
    wake-up on the Firecracker VMs this was measured on); a parent that expects its worker's
    answer within a few hundred microseconds keeps its CPU awake instead."""
    until = monotonic() + seconds
    while True:
        try:
            chunk = sock.recv(65536, socket.MSG_DONTWAIT)
        except BlockingIOError:
            if monotonic() >= until:
                return
            os.sched_yield()  # on a busy CPU, let the process we wait for run here
            continue
        except OSError:
            return  # the blocking read that follows reports it
        if chunk:
            buffer += chunk
        return


_TIMEVAL = struct.Struct("@ll")


def set_receive_timeout(sock: socket.socket, seconds: float) -> None:
    """A kernel-side timeout for the next ``recv`` of a blocking socket (one syscall, where
    ``settimeout`` would cost a non-blocking mode and a ``poll`` per call)."""
    whole = int(seconds)
    micro = max(int((seconds - whole) * 1_000_000), 1 if whole == 0 else 0)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, _TIMEVAL.pack(whole, micro))


def set_send_timeout(sock: socket.socket, seconds: float) -> None:
    """Bound every ``send`` of a blocking socket (a peer that stops reading cannot stall us)."""
    whole = int(seconds)
    micro = max(int((seconds - whole) * 1_000_000), 1 if whole == 0 else 0)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, _TIMEVAL.pack(whole, micro))
