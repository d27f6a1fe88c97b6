"""Locks shared by the worker processes of one SQLite file store: a byte each, in a lock file.

SQLite has one lock, the database's write lock, and a writer that finds it taken sleeps in
growing steps (up to 100 ms) before trying again. Two kinds of waits on the login path need
better than that:

* a user's history held still across workers while one login is evaluated (the last attempt of
  a login whose commits kept being refused): the write lock cannot be held that long, since the
  evaluation itself may write (an Action's ``api.cache``);
* one commit at a time across workers, woken by the kernel the moment the other one is done.

Both are Linux open file description locks (``F_OFD_SETLKW``) on ``<database>-logins.lock``:
byte 0 is the commit gate, a user's byte is picked by a 62-bit hash of tenant and user. Such a
lock belongs to one opening of the file (each store has its own, so two stores in one process
exclude each other as two processes do), shared by the threads using it, so each is paired with
what keeps threads apart: the commit gate with a process mutex, a user's byte with the service's
per-user lock (one login of a user at a time in a process).
"""

from __future__ import annotations

import fcntl
import os
import struct
import threading
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager

__all__ = ["FileLocks", "lock_file_of"]

_USER_BYTES = (1 << 62) - 1


def _lock(fd: int, kind: int, offset: int) -> None:
    """Lock (``F_WRLCK``, waiting for it) or unlock (``F_UNLCK``) one byte of the file."""
    # struct flock: l_type, l_whence, l_start, l_len, l_pid (0 for an OFD lock)
    fcntl.fcntl(fd, fcntl.F_OFD_SETLKW, struct.pack("hhqqi4x", kind, os.SEEK_SET, offset, 1, 0))


def lock_file_of(database_path: str) -> str:
    return f"{database_path}-logins.lock"


class FileLocks:
    """The lock file of one SQLite database, open for the life of the store."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._fd: int | None = None
        self._opening = threading.Lock()
        self._gate = threading.Lock()

    def _file(self) -> int:
        """The lock file, opened on first use (a store opened only to read never creates it)."""
        with self._opening:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            return self._fd

    @contextmanager
    def commit_gate(self) -> Iterator[None]:
        """Be the only commit of the login path, in this process and in the others."""
        fd = self._file()
        with self._gate:
            _lock(fd, fcntl.F_WRLCK, 0)
            try:
                yield
            finally:
                _lock(fd, fcntl.F_UNLCK, 0)

    @contextmanager
    def users(self, keys: Iterable[int]) -> Iterator[None]:
        """Hold the bytes of these users (signed 64-bit keys), taken in order so that two
        processes taking several never wait for each other in a circle."""
        offsets = sorted({1 + (key & _USER_BYTES) for key in keys})
        if not offsets:
            yield
            return
        fd = self._file()
        with ExitStack() as held:
            for offset in offsets:
                _lock(fd, fcntl.F_WRLCK, offset)
                held.callback(_lock, fd, fcntl.F_UNLCK, offset)
            yield

    def close(self) -> None:
        with self._opening:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
