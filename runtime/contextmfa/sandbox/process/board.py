"""The result board: shared memory where a worker leaves each Action's result as it finishes.

A ``memfd`` mapped by the parent and by one worker. The worker writes, before the first Action,
its index, and after each, the Action's result as one record (JSON, codec.py) together with the
index of the Action that starts next;
it never waits for the parent to read. When the parent kills a worker that ran out of time or
crashed, the board holds the results of the Actions that finished, so the failure is charged to
the next one (the one that was running) and the login is decided as it would have been
in-process. Between logins, while the worker waits for a request, the parent clears the board.

Layout: ``running`` (int32, -1: none; for whoever inspects a stuck worker), ``count`` and
``used`` (uint32) at offset 0, records from offset 16, each a uint32 length and that many
bytes. The parent reads the board as untrusted input: every length is checked against its size.
"""

from __future__ import annotations

import mmap
import os
import struct

HEADER = struct.Struct("<iII")
RECORDS_AT = 16
LENGTH = struct.Struct("<I")
PER_ACTION_BYTES = 1 << 20
"""Room per Action: a run records at most 256 KiB of data, 100 log lines and a short error."""


def board_size(actions: int) -> int:
    return RECORDS_AT + PER_ACTION_BYTES * max(actions, 1)


def create_board_fd(size: int) -> int:
    """A new anonymous memory file of ``size`` bytes (pages are only used once written)."""
    fd = os.memfd_create("contextmfa-board", os.MFD_CLOEXEC)
    os.ftruncate(fd, size)
    return fd


class Board:
    """One side's mapping of a board."""

    __slots__ = ("_map", "size")

    def __init__(self, fd: int, size: int) -> None:
        self.size = size
        self._map = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)

    def close(self) -> None:
        self._map.close()

    # -- the parent -----------------------------------------------------------------------------

    def clear(self) -> None:
        HEADER.pack_into(self._map, 0, -1, 0, 0)

    def running(self) -> int:
        return HEADER.unpack_from(self._map, 0)[0]

    def records(self) -> list[bytes]:
        """The records written so far; a board that lies about its lengths gives ValueError."""
        _, count, used = HEADER.unpack_from(self._map, 0)
        if used > self.size - RECORDS_AT:
            raise ValueError("board overflow")
        found: list[bytes] = []
        at, end = RECORDS_AT, RECORDS_AT + used
        for _ in range(count):
            if at + LENGTH.size > end:
                raise ValueError("truncated board record")
            (length,) = LENGTH.unpack_from(self._map, at)
            at += LENGTH.size
            if at + length > end:
                raise ValueError("truncated board record")
            found.append(self._map[at : at + length])
            at += length
        return found

    # -- the worker -----------------------------------------------------------------------------

    def start(self, index: int) -> None:
        _, count, used = HEADER.unpack_from(self._map, 0)
        HEADER.pack_into(self._map, 0, index, count, used)

    def append(self, record: bytes, running: int = -1) -> bool:
        """Add a record (False: no room) and say which Action runs next (-1: none); the header
        is updated, in one write, after the bytes are in place."""
        _running, count, used = HEADER.unpack_from(self._map, 0)
        at = RECORDS_AT + used
        end = at + LENGTH.size + len(record)
        if end > self.size:
            return False
        LENGTH.pack_into(self._map, at, len(record))
        self._map[at + LENGTH.size : end] = record
        HEADER.pack_into(self._map, 0, running, count + 1, end - RECORDS_AT)
        return True
