"""``contextmfa replay``: evaluate a file of recorded logins and check their expectations."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from contextmfa.cli.console import error, is_terminal, reporting_errors, stderr, stdout
from contextmfa.cli.options import ConfigOption
from contextmfa.cli.render import outcome_text
from contextmfa.config import load_config
from contextmfa.engine import Engine
from contextmfa.events import read_events
from contextmfa.replay import ReplayItem, ReplaySummary, replay

PROGRESS_MIN_RECORDS = 200
"""Below this many lines a progress bar would only flicker."""


class ReplayFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"


def register(app: typer.Typer) -> None:
    app.command(name="replay")(replay_command)


def replay_command(
    logins: Annotated[
        Path, typer.Argument(metavar="LOGINS.jsonl", help="Recorded logins, one JSON per line.")
    ],
    config: ConfigOption = None,
    output_format: Annotated[
        ReplayFormat,
        typer.Option("--format", "-f", help="table for people; json or jsonl for tools."),
    ] = ReplayFormat.table,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write decisions to this file instead of stdout."),
    ] = None,
) -> None:
    """Evaluate every login in order, building each user's history from the earlier records.

    A record's `expect` object (outcome, and optionally factors, deny_reason, source) is compared
    with its decision; each mismatch is printed with the login id and line. The summary comes last.

    Exit 0 when every expectation is met, 1 when one is not, 2 on bad input or config
    (a bad record is reported with its line and the replay goes on).
    """
    with reporting_errors():
        tenant = load_config(config)
        engine = Engine(tenant)
        records = read_events(logins)
        summary = ReplaySummary()
        with ExitStack() as stack:
            stack.callback(engine.close)
            sink = stack.enter_context(output.open("w", encoding="utf-8")) if output else sys.stdout
            writer = _writer(output_format, sink)
            progress = _progress(stack, logins)
            for item in replay(engine, records, source=str(logins)):
                summary.add(item)
                _report(item, logins)
                if item.decision is not None:
                    writer.add(item)
                if progress is not None:
                    progress.advance()
            writer.close()
        target = stdout if output or output_format is ReplayFormat.table else stderr
        target.print(summary.line(), markup=False)
        raise typer.Exit(summary.exit_code)


def _report(item: ReplayItem, path: Path) -> None:
    if item.error is not None:
        error(str(item.error))
    for mismatch in item.mismatches:
        error(f"{path}:{item.line}: {item.decision.login_id}: {mismatch}")  # type: ignore[union-attr]


class _Progress:
    def __init__(self, progress: Progress, task: int) -> None:
        self._progress, self._task = progress, task

    def advance(self) -> None:
        self._progress.advance(self._task)


def _progress(stack: ExitStack, path: Path) -> _Progress | None:
    """A bar on stderr while a person watches a long replay (the table is printed after it)."""
    if not is_terminal():
        return None
    total = _count_lines(path)
    if total < PROGRESS_MIN_RECORDS:
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


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


class _Writer:
    def __init__(self, sink: TextIO) -> None:
        self.sink = sink

    def add(self, item: ReplayItem) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.sink.flush()


class _JsonLines(_Writer):
    def add(self, item: ReplayItem) -> None:
        self.sink.write(item.decision.to_json())  # type: ignore[union-attr]
        self.sink.write("\n")


class _JsonArray(_Writer):
    """A JSON array written as it goes, so memory stays flat however long the file."""

    first = True

    def add(self, item: ReplayItem) -> None:
        self.sink.write("[\n  " if self.first else ",\n  ")
        self.first = False
        self.sink.write(item.decision.to_json())  # type: ignore[union-attr]

    def close(self) -> None:
        self.sink.write("[]\n" if self.first else "\n]\n")
        super().close()


class _Table(_Writer):
    def __init__(self, sink: TextIO) -> None:
        super().__init__(sink)
        self.table = Table(header_style="bold")
        for column in ("line", "login", "user", "outcome", "factors", "source", "expect"):
            self.table.add_column(column, no_wrap=column in ("line", "outcome"))

    def add(self, item: ReplayItem) -> None:
        decision, event = item.decision, item.event
        assert decision is not None and event is not None
        if not item.checked:
            verdict = "-"
        elif item.mismatches:
            verdict = "[red]✗[/red]"
        else:
            verdict = "[green]✓[/green]"
        self.table.add_row(
            str(item.line),
            decision.login_id,
            event.user.user_id,
            outcome_text(decision.outcome),
            ", ".join(decision.factors),
            decision.source,
            verdict,
        )

    def close(self) -> None:
        console = stdout if self.sink is sys.stdout else Console(file=self.sink, width=160)
        console.print(self.table)
        super().close()


def _writer(output_format: ReplayFormat, sink: TextIO) -> _Writer:
    return {
        ReplayFormat.table: _Table,
        ReplayFormat.json: _JsonArray,
        ReplayFormat.jsonl: _JsonLines,
    }[output_format](sink)
