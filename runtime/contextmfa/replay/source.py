"""The input of a replay as raw records: numbered, bounded lines, blank and ``#`` lines skipped.

Both replay paths read the file through here and validate each record with the same code
(``Evaluator.evaluate_line``), so a file gives the same rows and the same messages with one
worker or many. Reading stays streaming: one bounded line at a time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from contextmfa.events import MAX_RECORD_BYTES, bounded_lines
from contextmfa.inputs import is_regular_file, open_input
from contextmfa.replay.evaluator import Evaluator
from contextmfa.replay.rows import Row

__all__ = ["count_lines", "cpu_count", "default_workers", "raw_records", "sequential_rows"]

PARALLEL_MIN_RECORDS = 2000
"""Below this many lines, starting worker processes costs more than it saves."""


def raw_records(path: Path) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, stripped record)``; ``None`` for a line over the size limit. ``path``
    may be ``-`` (standard input) or a pipe: it is read once, front to back."""
    with open_input(path) as handle:
        for number, raw in enumerate(bounded_lines(handle), start=1):
            if raw is None:
                yield number, None
                continue
            text = raw.strip()
            if text and not text.startswith(b"#"):
                yield number, text


def too_long(source: str, number: int) -> Row:
    message = f"{source}:{number}: error: record is larger than {MAX_RECORD_BYTES} bytes"
    return Row(number, error=message)


def sequential_rows(evaluator: Evaluator, path: Path) -> Iterator[Row]:
    """Every record evaluated in order, in this process (``--workers 1``)."""
    source = evaluator.options.source
    for number, raw in raw_records(path):
        yield too_long(source, number) if raw is None else evaluator.evaluate_line(number, raw)


def count_lines(path: Path) -> int:
    """Lines in the file, read in 1 MiB blocks (about a second per GB): for the progress bar's
    total and the choice of workers. 0 when the file cannot be read (reading says why) and for
    standard input or a pipe, which can be read only once: the replay itself must read it."""
    if not is_regular_file(path):
        return 0
    try:
        with path.open("rb") as handle:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    except OSError:
        return 0


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers(lines: int) -> int:
    """Every core for a large file, one process for a small one."""
    return cpu_count() if lines > PARALLEL_MIN_RECORDS else 1
