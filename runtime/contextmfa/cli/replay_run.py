"""One replay command's state: where rows go, what they add up to, and what is printed last.

The one-process and parallel paths feed it rows (``execute``); a cluster replay merges partition
results into its tally and then finishes it the same way (``open``, ``finish``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from contextmfa.cli.console import error, stderr, stdout
from contextmfa.cli.options import HttpChoice
from contextmfa.cli.replay_output import ReplayFormat, progress, writer
from contextmfa.errors import InputError
from contextmfa.replay.action_errors import ActionErrors
from contextmfa.replay.diff import DiffSummary
from contextmfa.replay.output import RowWriter
from contextmfa.replay.report import write_report
from contextmfa.replay.rows import Row, RowOptions
from contextmfa.replay.summary import ReplaySummary
from contextmfa.replay.tally import Tally

__all__ = ["ReplayRun", "writable"]


def writable(path: Path) -> TextIO:
    """``path`` opened for writing now, so a bad path fails before the replay, not after."""
    try:
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: error: cannot write: {exc.strerror}") from None


@dataclass
class ReplayRun:
    """One replay command's state: where rows go and what they add up to."""

    source: str
    """Names the input in messages."""
    output_format: ReplayFormat
    diffing: bool
    output: str | None
    report: Path | None
    report_limit: int
    http: HttpChoice
    record_http: bool
    tally: Tally = field(init=False)

    def __post_init__(self) -> None:
        self.tally = Tally(diffing=self.diffing)

    @property
    def summary(self) -> ReplaySummary:
        return self.tally.summary

    @property
    def diff(self) -> DiffSummary | None:
        return self.tally.diff

    @property
    def candidate_errors(self) -> ActionErrors:
        return self.tally.candidate_errors

    def options(self) -> RowOptions:
        writes_decisions = not self.diffing and self.output_format is not ReplayFormat.table
        writes_changes = self.diffing and self.output_format is ReplayFormat.jsonl
        return RowOptions(
            source=self.source,
            decision_json=writes_decisions,
            facts=self.report is not None,
            details=self.report is not None or writes_changes,
            record_http=self.record_http,
            http_mode=self.http.value,
        )

    def open(self, stack: ExitStack, inputs: dict[str, str], *, to_file: bool = True) -> RowWriter:
        """The row writer (to ``--output`` when ``to_file``, else stdout) and the report's data;
        files are opened now so a bad path fails before the replay."""
        sink = stack.enter_context(writable(Path(self.output))) if self.output and to_file else None
        self._page = stack.enter_context(writable(self.report)) if self.report else None
        if self.report is not None:
            title = "contextmfa replay diff" if self.diffing else "contextmfa replay"
            stack.callback(self.tally.attach_report(title, inputs, self.report_limit).close)
        return writer(self.output_format, self.diff, sink or sys.stdout)

    def execute(
        self, stack: ExitStack, rows: Iterator[Row], lines: int, inputs: dict[str, str]
    ) -> None:
        rows_out = self.open(stack, inputs)
        bar = progress(stack, lines)
        for row in rows:
            self._count(row)
            rows_out.add(row)
            if bar is not None:
                bar.advance()
        if bar is not None:
            bar.stop()
        self.finish(rows_out)

    def finish(self, rows_out: RowWriter) -> None:
        """Close the output, then print warnings and summaries and write the report."""
        rows_out.close()
        target = stdout if self.output or self.output_format is ReplayFormat.table else stderr
        for line in self.tally.order.lines(self.source):
            error(line)
        for line in self.summary.action_errors.lines(self.source):
            target.print(line, markup=False)
        for line in self.candidate_errors.lines(self.source, label="candidate: "):
            target.print(line, markup=False)
        target.print(self.summary.line(), markup=False)
        if self.diff is not None:
            target.print(self.diff.line(candidate_errors=self.candidate_errors.total), markup=False)
        if self.tally.report is not None and self._page is not None:
            write_report(self.tally.report, self._page)
            target.print(f"report written to {self.report}", markup=False)

    def _count(self, row: Row) -> None:
        if row.error is not None:
            error(row.error)
        for mismatch in row.mismatches:
            error(f"{self.source}:{row.line}: {row.login_id}: {mismatch}")
        self.tally.add(row)

    @property
    def empty(self) -> bool:
        """No record at all: a gate that would pass on nothing."""
        return self.tally.records == 0

    def exit_code(self, fail_on_change: bool, fail_on_error: bool) -> int:
        code = self.summary.exit_code
        if code != 0:
            return code
        if fail_on_change and self.diff is not None and self.diff.changed:
            return 1
        return 1 if self.failed_on_error(fail_on_error) else 0

    def failed_on_error(self, fail_on_error: bool) -> bool:
        """``--fail-on-error`` and an Action failed (in this config or the candidate)."""
        return fail_on_error and bool(
            self.summary.action_errors.total or self.candidate_errors.total
        )
