"""``contextmfa replay``: evaluate a file of recorded logins, check expectations, diff two configs.

The command is a thin adapter over ``contextmfa.replay``: it picks the one-process or the parallel
path, feeds every row to the writers, the summaries and the report, and turns the counts into the
documented exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from contextmfa.cli.console import (
    console_for,
    error,
    is_terminal,
    reporting_errors,
    stderr,
    stdout,
)
from contextmfa.cli.options import ConfigOption
from contextmfa.cli.render import outcome_text
from contextmfa.config import load_config
from contextmfa.engine import Engine
from contextmfa.errors import InputError
from contextmfa.inputs import display_name
from contextmfa.replay.diff import DiffSummary
from contextmfa.replay.evaluator import Evaluator
from contextmfa.replay.output import (
    ChangedLines,
    DecisionArray,
    DecisionLines,
    DiffDocument,
    RowWriter,
)
from contextmfa.replay.parallel import WorkerSpec, parallel_rows
from contextmfa.replay.report import ReportData, write_report
from contextmfa.replay.rows import Row, RowOptions
from contextmfa.replay.source import count_lines, default_workers, sequential_rows
from contextmfa.replay.summary import ReplaySummary

PROGRESS_MIN_RECORDS = 200
"""Below this many lines a progress bar would only flicker."""
TABLE_MAX_ROWS = 1000
"""The table is for people: past this many logins it says how many more there were instead
(and memory stays flat); ``--format jsonl`` and ``--report`` show them all."""


class ReplayFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"


def register(app: typer.Typer) -> None:
    app.command(name="replay")(replay_command)


def replay_command(
    logins: Annotated[
        Path,
        typer.Argument(
            metavar="LOGINS.jsonl",
            help="Recorded logins, one JSON per line; - reads standard input.",
        ),
    ],
    config: ConfigOption = None,
    output_format: Annotated[
        ReplayFormat,
        typer.Option(
            "--format",
            "-f",
            help="table for people; json or jsonl for tools. With --against: jsonl = the changed "
            "logins only, json = the diff's counts and groups.",
        ),
    ] = ReplayFormat.table,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write decisions to this file instead of stdout."),
    ] = None,
    against: Annotated[
        Path | None,
        typer.Option(
            "--against",
            metavar="CANDIDATE.toml",
            help="Also evaluate every login under this candidate config and report what changes.",
            dir_okay=False,
        ),
    ] = None,
    fail_on_change: Annotated[
        bool,
        typer.Option("--fail-on-change", help="With --against: exit 1 when any decision changed."),
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            metavar="REPORT.html",
            help="Write a self-contained HTML report (outcomes, sources, map, risk, traces).",
            dir_okay=False,
        ),
    ] = None,
    report_limit: Annotated[
        int,
        typer.Option(
            "--report-limit", min=0, help="Logins with their traces in the report (0 = all)."
        ),
    ] = 5000,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-w",
            min=1,
            help="Worker processes. Default: every core for files over 2,000 lines, else 1. "
            "Each worker keeps its own Action cache (api.cache), so Actions that share cache "
            "entries across users may decide differently with 1 and with N workers.",
        ),
    ] = None,
) -> None:
    """Evaluate every login in order, building each user's history from the earlier records.

    A record's `expect` object (outcome, and optionally factors, deny_reason, source) is compared
    with its decision; each mismatch is printed with the login id and line. The summary comes last.

    With `--against CANDIDATE.toml` every login is evaluated under both configs, each with its own
    history, and the changes are counted by outcome transition and grouped by the rule, Action or
    setting responsible (outcome, factors, steps, remember browser, deny reason and source are
    compared; timing never is).

    Exit 0 when every expectation is met, 1 when one is not (or, with `--fail-on-change`, when a
    decision changed), 2 on bad input or config (a bad record is reported with its line and the
    replay goes on).
    """
    with reporting_errors():
        run = _Run(logins, output_format, against is not None, output, report, report_limit)
        engine = Engine(load_config(config))
        try:
            candidate = Engine(load_config(against)) if against is not None else None
        except BaseException:
            engine.close()
            raise
        lines = count_lines(logins) if workers is None or is_terminal() else 0
        count = workers or default_workers(lines)
        with ExitStack() as stack:
            if count == 1:
                evaluator = Evaluator(engine, run.options(), candidate)
                stack.callback(evaluator.close)
                rows = sequential_rows(evaluator, logins)
            else:
                spec = WorkerSpec(engine.config.path, _path_of(candidate), run.options())
                engine.close()
                if candidate is not None:
                    candidate.close()
                rows = parallel_rows(logins, spec, count)
            run.execute(stack, rows, lines, _inputs(engine, candidate, logins))
        raise typer.Exit(run.exit_code(fail_on_change))


def writable(path: Path) -> TextIO:
    """``path`` opened for writing now, so a bad path fails before the replay, not after."""
    try:
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: error: cannot write: {exc.strerror}") from None


def _path_of(engine: Engine | None) -> Path | None:
    return engine.config.path if engine is not None else None


def _inputs(engine: Engine, candidate: Engine | None, logins: Path) -> dict[str, str]:
    """What the report names as its inputs: the files, and each config's version (the one a
    recorded login carries, see ``contextmfa logins export``)."""
    inputs = {"logins": display_name(logins), "config": f"{engine.config.path} ({engine.version})"}
    if candidate is not None:
        inputs["candidate"] = f"{candidate.config.path} ({candidate.version})"
    return inputs


@dataclass
class _Run:
    """One replay command's state: where rows go and what they add up to."""

    logins: Path
    output_format: ReplayFormat
    diffing: bool
    output: Path | None
    report: Path | None
    report_limit: int
    summary: ReplaySummary = field(default_factory=ReplaySummary)
    diff: DiffSummary | None = None

    def __post_init__(self) -> None:
        if self.diffing:
            self.diff = DiffSummary()

    def options(self) -> RowOptions:
        writes_decisions = not self.diffing and self.output_format is not ReplayFormat.table
        writes_changes = self.diffing and self.output_format is ReplayFormat.jsonl
        return RowOptions(
            source=display_name(self.logins),
            decision_json=writes_decisions,
            facts=self.report is not None,
            details=self.report is not None or writes_changes,
        )

    def execute(
        self, stack: ExitStack, rows: Iterator[Row], lines: int, inputs: dict[str, str]
    ) -> None:
        sink = stack.enter_context(writable(self.output)) if self.output else None
        page = stack.enter_context(writable(self.report)) if self.report else None
        writer = _writer(self.output_format, self.diff, sink or sys.stdout)
        data = None
        if self.report is not None:
            title = "contextmfa replay diff" if self.diffing else "contextmfa replay"
            data = ReportData(title, inputs, diff=self.diff, limit=self.report_limit)
            stack.callback(data.close)
        progress = _progress(stack, lines)
        for row in rows:
            self._count(row)
            writer.add(row)
            if data is not None:
                data.add(row)
            if progress is not None:
                progress.advance()
        if progress is not None:
            progress.stop()
        writer.close()
        target = stdout if self.output or self.output_format is ReplayFormat.table else stderr
        target.print(self.summary.line(), markup=False)
        if self.diff is not None:
            target.print(self.diff.line(), markup=False)
        if data is not None and page is not None:
            write_report(data, page)
            target.print(f"report written to {self.report}", markup=False)

    def _count(self, row: Row) -> None:
        if row.error is not None:
            error(row.error)
        for mismatch in row.mismatches:
            error(f"{display_name(self.logins)}:{row.line}: {row.login_id}: {mismatch}")
        outcome = row.current.outcome if row.current is not None and row.error is None else None
        self.summary.count(outcome, checked=row.checked, failed=bool(row.mismatches))
        if self.diff is not None:
            self.diff.add(row)

    def exit_code(self, fail_on_change: bool) -> int:
        code = self.summary.exit_code
        if code == 0 and fail_on_change and self.diff is not None and self.diff.changed:
            return 1
        return code


class _Progress:
    def __init__(self, progress: Progress, task: int) -> None:
        self._progress, self._task = progress, task

    def advance(self) -> None:
        self._progress.advance(self._task)

    def stop(self) -> None:
        self._progress.stop()


def _progress(stack: ExitStack, total: int) -> _Progress | None:
    """A bar with an ETA on stderr while a person watches a long replay."""
    if not is_terminal() or total < PROGRESS_MIN_RECORDS:
        return None
    progress = Progress(
        TextColumn("replaying"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=stderr,
        transient=True,
    )
    stack.enter_context(progress)
    return _Progress(progress, progress.add_task("replay", total=total))


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


def _writer(output_format: ReplayFormat, diff: DiffSummary | None, sink: TextIO) -> RowWriter:
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
