"""Read a file of JSON objects the way exports come: an array, JSON Lines, or ``{"logs": [...]}``.

- A JSON array (what ``GET /api/v2/logs`` returns and most export tools write) is parsed item by
  item from 64 KiB blocks, so an export of any size is read in bounded memory.
- JSON Lines (log streams written to a file) is read line by line, at most
  ``MAX_RECORD_BYTES`` a line; a bad line is reported and reading goes on.
- Response pages, objects whose ``logs`` key holds the array (``include_totals=true``), one a
  line or one pretty-printed page read whole (at most ``MAX_DOCUMENT_BYTES``).

Each item comes with where it was found (``path:line`` or ``path: item N``) for messages.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from contextmfa.errors import InputError
from contextmfa.events import MAX_RECORD_BYTES, bounded_lines
from contextmfa.inputs import display_name, open_input

__all__ = ["Item", "read_items"]

BLOCK = 1 << 16
MAX_DOCUMENT_BYTES = 256 << 20

Item = tuple[str, Any | InputError]
"""``(where, value)``: a decoded JSON value, or the InputError that kept it from being read."""


def read_items(path: Path) -> Iterator[Item]:
    """Every item of the export at ``path`` (``-`` for standard input), with where it was."""
    name = display_name(path)
    with open_input(path) as given, _rewindable(given, name) as handle:
        start = handle.read(BLOCK).lstrip()
        handle.seek(0)
        if start.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(f"{name}: error: the file is UTF-16; save it as UTF-8")
        if start.startswith(b"\xef\xbb\xbf"):
            start = start[3:].lstrip()
        if start.startswith(b"["):
            text = _text(handle)
            yield from _array(text, name)
            return
        lines = _lines(handle, name)
        first = next(lines, None)
        if first is None:
            return
        if isinstance(first[1], InputError) and start.startswith(b"{"):
            handle.seek(0)
            yield from _document(handle.read(MAX_DOCUMENT_BYTES + 1), name)
            return
        yield first
        yield from lines


@contextmanager
def _rewindable(handle: BinaryIO, name: str) -> Iterator[BinaryIO]:
    """The input as a file that can be read twice: a pipe or standard input is copied to a
    temporary file first (the format is told from the first block, then read from the start)."""
    if handle.seekable() and handle is not sys.stdin.buffer:
        yield handle
        return
    with tempfile.TemporaryFile() as copy:
        try:
            shutil.copyfileobj(handle, copy, BLOCK)
        except OSError as exc:
            raise InputError(f"{name}: error: cannot read: {exc.strerror}") from None
        copy.seek(0)
        yield copy


def _text(handle: Any) -> TextIO:
    return io.TextIOWrapper(handle, encoding="utf-8-sig", errors="strict")


def _lines(handle: Any, name: str) -> Iterator[Item]:
    for number, raw in enumerate(bounded_lines(handle), start=1):
        where = f"{name}:{number}"
        if raw is None:
            yield (
                where,
                InputError(f"{where}: error: record is larger than {MAX_RECORD_BYTES} bytes"),
            )
            continue
        text = raw.strip()
        if not text or text.startswith(b"#"):
            continue
        try:
            value = json.loads(text)
        except (ValueError, RecursionError) as exc:
            yield where, InputError(f"{where}: error: invalid JSON: {_reason(exc)}")
            continue
        page = _page(value)
        if page is None:
            yield where, value
        else:
            yield from ((f"{where}: item {n}", item) for n, item in enumerate(page, start=1))


def _page(value: Any) -> list[Any] | None:
    """The ``logs`` of a response page (``{"start", "limit", "total", "logs": [...]}``)."""
    if isinstance(value, dict) and "type" not in value and isinstance(value.get("logs"), list):
        return value["logs"]
    return None


def _document(raw: bytes, path: str) -> Iterator[Item]:
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise InputError(
            f"{path}: error: a single JSON document larger than {MAX_DOCUMENT_BYTES} bytes; "
            "export as JSON Lines or as an array instead"
        )
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{path}: error: invalid JSON: {_reason(exc)}") from None
    items = (
        data.get("logs") if isinstance(data, dict) and isinstance(data.get("logs"), list) else None
    )
    if items is None:
        yield f"{path}: item 1", data
        return
    for number, value in enumerate(items, start=1):
        yield f"{path}: item {number}", value


def _reason(exc: Exception) -> str:
    """Why ``json`` refused a text; a ValueError that is neither a syntax nor an encoding error
    is Python's limit on the digits of an integer."""
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} (line {exc.lineno} column {exc.colno})"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8"
    return f"a number has more than {sys.get_int_max_str_digits()} digits"


def _array(text: TextIO, path: str) -> Iterator[Item]:
    """Items of a top-level JSON array, decoded one at a time from a sliding buffer."""
    decoder = json.JSONDecoder()
    reader = _Buffer(text, path)
    reader.expect("[", path)
    number = 0
    if reader.peek() == "]":
        return
    while True:
        number += 1
        where = f"{path}: item {number}"
        yield where, reader.value(decoder, where)
        separator = reader.peek()
        reader.pos += 1
        if separator == "]":
            return
        if separator != ",":
            found = "end of file" if separator == "" else repr(separator)
            raise InputError(f"{where}: error: invalid JSON: expected ',' or ']', found {found}")


class _Buffer:
    """A window on the text: refilled in blocks, trimmed as values are consumed."""

    def __init__(self, text: TextIO, name: str) -> None:
        self.text, self.name, self.buf, self.pos, self.eof = text, name, "", 0, False

    def fill(self) -> None:
        try:
            block = self.text.read(BLOCK)
        except UnicodeDecodeError as exc:
            reason = f"not UTF-8 ({exc.reason})"
            raise InputError(f"{self.name}: error: invalid JSON: {reason}") from None
        self.buf = self.buf[self.pos :] + block
        self.pos = 0
        self.eof = not block

    def peek(self) -> str:
        """The next non-space character (not consumed); "" at the end of the file."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buf) or self.eof:
                return self.buf[self.pos] if self.pos < len(self.buf) else ""
            self.fill()

    def expect(self, char: str, path: str) -> None:
        if self.peek() != char:
            raise InputError(f"{path}: error: invalid JSON: expected {char!r}")
        self.pos += 1

    def value(self, decoder: json.JSONDecoder, where: str) -> Any:
        self.peek()
        while True:
            try:
                value, end = decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof:
                    raise InputError(f"{where}: error: invalid JSON: {exc.msg}") from None
                end = -1
            except (ValueError, RecursionError) as exc:
                raise InputError(f"{where}: error: invalid JSON: {_reason(exc)}") from None
            if end != -1 and (end < len(self.buf) or self.eof):
                self.pos = end
                return value
            if len(self.buf) - self.pos > MAX_RECORD_BYTES:
                raise InputError(
                    f"{where}: error: invalid JSON, or a record over {MAX_RECORD_BYTES} bytes"
                )
            self.fill()
