"""What ``contextmfa replay`` shows a person: the progress bar and the tables.

``writer`` picks the row writer for ``--format``: the tables here for people, the JSON writers of
``contextmfa.replay.output`` for tools.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from enum import StrEnum
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from contextmfa.cli.console import console_for, is_terminal, stderr, stdout
from contextmfa.cli.render import outcome_text
from contextmfa.replay.diff import DiffSummary
from contextmfa.replay.output import (
    ChangedLines,
    DecisionArray,
    DecisionLines,
    DiffDocument,
    RowWriter,
)
from contextmfa.replay.rows import Row

__all__ = ["ProgressBar", "ReplayFormat", "progress", "writer"]

PROGRESS_MIN_RECORDS = 200
"""Below this many lines a progress bar would only flicker."""
TABLE_MAX_ROWS = 1000
"""The table is for people: past this many logins it says how many more there were instead
(and memory stays flat); ``--format jsonl`` and ``--report`` show them all."""


class ReplayFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"


class ProgressBar:
    def __init__(self, progress: Progress, task: int) -> None:
        self._progress, self._task = progress, task

    def advance(self) -> None:
        self._progress.advance(self._task)

    def stop(self) -> None:
        self._progress.stop()


def progress(
    stack: ExitStack, total: int, *, minimum: int = PROGRESS_MIN_RECORDS
) -> ProgressBar | None:
    """A bar with an ETA on stderr while a person watches a long replay (of ``total`` logins,
    or of tasks on a cluster)."""
    if not is_terminal() or total < minimum:
        return None
    bar = Progress(
        TextColumn("replaying"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=stderr,
        transient=True,
    )
    stack.enter_context(bar)
    return ProgressBar(bar, bar.add_task("replay", total=total))


class _Table(RowWriter):
    """Every login as a table row (a person's view of a small file)."""

    def __init__(self, sink: TextIO) -> None:
        super().__init__(sink)
        self.table = Table(header_style="bold")
        for column in ("line", "login", "user", "outcome", "factors", "source", "expect"):
            self.table.add_column(column, no_wrap=column in ("line", "outcome"))
        self.more = 0

    def add(self, row: Row) -> None:
        verdict = row.current
        if verdict is None or row.error is not None:
            return
        if self.table.row_count >= TABLE_MAX_ROWS:
            self.more += 1
            return
        if not row.checked:
            mark = "-"
        elif row.mismatches:
            mark = "[red]✗[/red]"
        else:
            mark = "[green]✓[/green]"
        self.table.add_row(
            str(row.line),
            row.login_id,
            row.user_id,
            outcome_text(verdict.outcome),
            ", ".join(verdict.factors),
            verdict.source,
            mark,
        )

    def skip(self, count: int) -> None:
        self.more += count

    def close(self) -> None:
        console = _console(self.sink)
        console.print(self.table)
        if self.more:
            console.print(
                f"... and {self.more:,} more logins (--format jsonl or --report for all)",
                markup=False,
            )
        super().close()


class _DiffTable(RowWriter):
    """The diff for a person: transitions, each split by what is responsible, with examples."""

    def __init__(self, sink: TextIO, diff: DiffSummary) -> None:
        super().__init__(sink)
        self.diff = diff

    def add(self, row: Row) -> None:
        """Counted by the DiffSummary; nothing per login."""

    def close(self) -> None:
        table = Table(header_style="bold", title="decisions changed by the candidate")
        for column in ("transition", "responsible", "logins", "what changed", "examples"):
            table.add_column(column, no_wrap=column in ("transition", "logins"))
        for transition, source, group in self.diff.ordered_groups():
            examples = ", ".join(f"{e['login_id']} (line {e['line']})" for e in group.examples)
            table.add_row(
                f"{transition.before} → {transition.after}",
                source,
                f"{group.count:,}",
                ", ".join(f"{name} {n:,}" for name, n in group.fields.most_common()),
                examples,
            )
        console = _console(self.sink)
        if self.diff.changed:
            console.print(table)
        super().close()


def _console(sink: TextIO) -> Console:
    return stdout if sink is sys.stdout else console_for(sink)


def writer(output_format: ReplayFormat, diff: DiffSummary | None, sink: TextIO) -> RowWriter:
    if diff is not None:
        if output_format is ReplayFormat.table:
            return _DiffTable(sink, diff)
        if output_format is ReplayFormat.json:
            return DiffDocument(sink, diff)
        return ChangedLines(sink)
    return {
        ReplayFormat.table: _Table,
        ReplayFormat.json: DecisionArray,
        ReplayFormat.jsonl: DecisionLines,
    }[output_format](sink)
