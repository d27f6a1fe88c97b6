"""Machine-readable replay output, written as rows arrive so memory stays flat.

``DecisionLines`` and ``DecisionArray`` write every decision (JSON Lines, or one JSON array);
in a diff, ``ChangedLines`` writes only the changed logins (both verdicts with their traces) and
``DiffDocument`` the diff's counts and groups once the replay is over.
"""

from __future__ import annotations

import json
from typing import TextIO

from contextmfa.replay.diff import DiffSummary
from contextmfa.replay.rows import Row

__all__ = ["ChangedLines", "DecisionArray", "DecisionLines", "DiffDocument", "RowWriter"]


class RowWriter:
    """Base: take rows one by one, finish on ``close``."""

    def __init__(self, sink: TextIO) -> None:
        self.sink = sink

    def add(self, row: Row) -> None:
        raise NotImplementedError

    def skip(self, count: int) -> None:
        """``count`` rows that are counted but not given (a cluster replay keeps only the rows
        a writer shows); only a writer that says how many it left out needs them."""

    def close(self) -> None:
        self.sink.flush()


class DecisionLines(RowWriter):
    def add(self, row: Row) -> None:
        if row.decision_json is not None:
            self.sink.write(row.decision_json)
            self.sink.write("\n")


class DecisionArray(RowWriter):
    """A JSON array written as it goes, so memory stays flat however long the file."""

    first = True

    def add(self, row: Row) -> None:
        if row.decision_json is None:
            return
        self.sink.write("[\n  " if self.first else ",\n  ")
        self.first = False
        self.sink.write(row.decision_json)

    def close(self) -> None:
        self.sink.write("[]\n" if self.first else "\n]\n")
        super().close()


class ChangedLines(RowWriter):
    """One JSON object per changed login: line, ids, transition, responsible, both sides."""

    def add(self, row: Row) -> None:
        if row.changed and row.detail is not None:
            self.sink.write(json.dumps(row.detail, ensure_ascii=False, separators=(",", ":")))
            self.sink.write("\n")


class DiffDocument(RowWriter):
    """The diff's counts, transitions and groups with examples, as one JSON object."""

    def __init__(self, sink: TextIO, diff: DiffSummary) -> None:
        super().__init__(sink)
        self.diff = diff

    def add(self, row: Row) -> None:
        """Nothing per login: the document is the summary."""

    def close(self) -> None:
        self.sink.write(json.dumps(self.diff.to_dict(), indent=2, ensure_ascii=False))
        self.sink.write("\n")
        super().close()
