"""Where a command reads from: a file, ``-`` for standard input, or a pipe such as /dev/stdin.

Every file the CLI reads (``evaluate``'s event, ``test --event``, ``replay``'s logins, an
``import``'s export) is opened here, so ``-`` and pipes work the same everywhere, and a path that
cannot be read is one located InputError (exit 2), never a traceback. A pipe can be read once:
nothing here reads ahead and rewinds (``is_regular_file`` says when that would be safe).
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from contextmfa.errors import InputError

__all__ = ["STDIN", "display_name", "is_regular_file", "is_stdin", "open_input", "read_input"]

STDIN = "-"
"""The argument that names standard input, as in most Unix tools."""


def is_stdin(path: Path | str) -> bool:
    return str(path) == STDIN


def display_name(path: Path | str) -> str:
    """How messages name the input: the path as given, ``<stdin>`` for ``-``."""
    return "<stdin>" if is_stdin(path) else str(path)


def is_regular_file(path: Path | str) -> bool:
    """A file that can be read twice (to count its lines first); never a pipe or a terminal."""
    if is_stdin(path):
        return False
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _refusal(path: Path | str, exc: OSError) -> InputError:
    name = display_name(path)
    if isinstance(exc, FileNotFoundError):
        return InputError(f"{name}: error: no such file")
    if isinstance(exc, IsADirectoryError):
        return InputError(f"{name}: error: is a directory, not a file")
    if isinstance(exc, PermissionError):
        return InputError(f"{name}: error: cannot read: permission denied")
    return InputError(f"{name}: error: cannot read: {exc.strerror or type(exc).__name__}")


@contextmanager
def open_input(path: Path | str) -> Iterator[BinaryIO]:
    """The input as bytes; standard input is left open for whoever owns it."""
    if is_stdin(path):
        yield sys.stdin.buffer
        return
    try:
        handle = Path(path).open("rb")  # noqa: SIM115 (closed below; opening is what may fail)
    except OSError as exc:
        raise _refusal(path, exc) from None
    with handle:
        yield handle


def read_input(path: Path | str, limit: int) -> bytes:
    """The whole input, or at most ``limit + 1`` bytes so the caller can say it is too large."""
    with open_input(path) as handle:
        try:
            return handle.read(limit + 1)
        except OSError as exc:
            raise _refusal(path, exc) from None
