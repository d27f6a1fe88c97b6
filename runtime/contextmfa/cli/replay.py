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
from pathlib import Path
from typing import Annotated, TextIO

import typer

from contextmfa.cli.console import error, is_terminal, reporting_errors, stderr, stdout
from contextmfa.cli.options import ConfigOption, HttpChoice, HttpOption, RecordHttpOption
from contextmfa.cli.replay_output import ReplayFormat, progress, writer
from contextmfa.config import load_config
from contextmfa.engine import Engine
from contextmfa.errors import ConfigError, InputError
from contextmfa.inputs import display_name
from contextmfa.replay.action_errors import ActionErrors
from contextmfa.replay.diff import DiffSummary
from contextmfa.replay.evaluator import Evaluator
from contextmfa.replay.order import OrderWarnings
from contextmfa.replay.parallel import WorkerSpec, parallel_rows
from contextmfa.replay.report import ReportData, write_report
from contextmfa.replay.rows import Row, RowOptions
from contextmfa.replay.source import count_lines, default_workers, sequential_rows
from contextmfa.replay.summary import ReplaySummary

__all__ = ["ReplayFormat", "register", "replay_command", "writable"]

DEFAULT_REPORT_LIMIT = 5000


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
        int | None,
        typer.Option(
            "--report-limit",
            min=0,
            help="With --report: logins with their traces in the report (0 = all). Default: 5,000.",
            show_default=False,
        ),
    ] = None,
    fail_on_error: Annotated[
        bool,
        typer.Option(
            "--fail-on-error", help="Exit 1 when an Action failed for any login (either config)."
        ),
    ] = False,
    allow_empty: Annotated[
        bool,
        typer.Option(
            "--allow-empty", help="Exit 0 on a file with no login in it (by default: exit 2)."
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-w",
            min=1,
            help="Worker processes. Default: every core for files over 2,000 lines, else 1 "
            "(and 1 for standard input or a pipe, which cannot be counted first). "
            "Each worker keeps its own Action cache (api.cache), so Actions that share cache "
            "entries across users may decide differently with 1 and with N workers.",
        ),
    ] = None,
    http: HttpOption = HttpChoice.auto,
    record_http: RecordHttpOption = False,
) -> None:
    """Evaluate every login in order, building each user's history from the earlier records.

    A record's `expect` object (outcome, and optionally factors, deny_reason, source) is compared
    with its decision; each mismatch is printed with the login id and line. The summary comes last.

    With `--against CANDIDATE.toml` every login is evaluated under both configs, each with its own
    history, and the changes are counted by outcome transition and grouped by the rule, Action or
    setting responsible (outcome, factors, steps, remember browser, deny reason and source are
    compared; timing never is).

    Actions' fetch() calls are answered as `--http` says: by default from the exchanges recorded
    with each exported login, so a replay needs no network and sees what the service saw; a
    call that was not recorded is an Action error for that login. With `--against`, calls the
    candidate makes that the current config never made are counted in the diff.

    Action errors are counted per Action in the summary and the report. Logins out of time order
    and repeated login ids (per user: what history is built from) are warnings.

    Exit 0 when every expectation is met, 1 when one is not (or, with `--fail-on-change`, when a
    decision changed; with `--fail-on-error`, when an Action failed), 2 on bad input or config (a
    bad record is reported with its line and the replay goes on), on a file with no login
    (unless `--allow-empty`) and on options that need another (`--fail-on-change` needs
    `--against`, `--report-limit` needs `--report`).
    """
    _check_usage(against, fail_on_change, report, report_limit)
    with reporting_errors():
        limit = DEFAULT_REPORT_LIMIT if report_limit is None else report_limit
        run = _Run(logins, output_format, against is not None, output, report, limit)
        run.http, run.record_http = http, record_http
        engine = Engine(load_config(config), http_mode=http.value)
        try:
            candidate = _candidate(engine, against, http)
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
        if run.empty and not allow_empty:
            raise InputError(
                f"{display_name(logins)}: error: nothing to replay: no login records in it "
                "(pass --allow-empty to accept an empty file)"
            )
        code = run.exit_code(fail_on_change, fail_on_error)
        if code == 1 and run.failed_on_error(fail_on_error):
            errors = run.summary.action_errors.total + run.candidate_errors.total
            words = f"{errors} Action error{'s' if errors != 1 else ''}"
            error(f"replay failed: {words} (--fail-on-error)")
        raise typer.Exit(code)


def _check_usage(
    against: Path | None, fail_on_change: bool, report: Path | None, report_limit: int | None
) -> None:
    """Options that mean nothing alone are mistakes, not silently ignored (exit 2)."""
    if fail_on_change and against is None:
        raise typer.BadParameter(
            "needs --against CANDIDATE.toml: it fails when the candidate config decides a "
            "login differently",
            param_hint="'--fail-on-change'",
        )
    if report_limit is not None and report is None:
        raise typer.BadParameter(
            "needs --report REPORT.html: it caps that report", param_hint="'--report-limit'"
        )


def _candidate(engine: Engine, against: Path | None, http: HttpChoice) -> Engine | None:
    """The candidate config's engine; a config of another tenant is refused, since its logins,
    histories and tenant-scoped caches would not be the ones replayed."""
    if against is None:
        return None
    candidate = Engine(load_config(against), http_mode=http.value)
    current, other = engine.config.tenant_id, candidate.config.tenant_id
    if other != current:
        candidate.close()
        raise ConfigError(
            f"{against}: error: tenant.id: {other!r} is not the tenant of "
            f"{engine.config.path} ({current!r}); --against compares two configs of one tenant"
        )
    return candidate


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
    candidate_errors: ActionErrors = field(default_factory=ActionErrors)
    order: OrderWarnings = field(default_factory=OrderWarnings)
    records: int = 0
    http: HttpChoice = HttpChoice.auto
    record_http: bool = False

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
            record_http=self.record_http,
            http_mode=self.http.value,
        )

    def execute(
        self, stack: ExitStack, rows: Iterator[Row], lines: int, inputs: dict[str, str]
    ) -> None:
        sink = stack.enter_context(writable(self.output)) if self.output else None
        page = stack.enter_context(writable(self.report)) if self.report else None
        rows_out = writer(self.output_format, self.diff, sink or sys.stdout)
        data = None
        if self.report is not None:
            title = "contextmfa replay diff" if self.diffing else "contextmfa replay"
            data = ReportData(
                title,
                inputs,
                diff=self.diff,
                limit=self.report_limit,
                action_errors=self.summary.action_errors,
                candidate_errors=self.candidate_errors if self.diffing else None,
                order=self.order,
            )
            stack.callback(data.close)
        bar = progress(stack, lines)
        for row in rows:
            self._count(row)
            rows_out.add(row)
            if data is not None:
                data.add(row)
            if bar is not None:
                bar.advance()
        if bar is not None:
            bar.stop()
        rows_out.close()
        target = stdout if self.output or self.output_format is ReplayFormat.table else stderr
        source = display_name(self.logins)
        for line in self.order.lines(source):
            error(line)
        for line in self.summary.action_errors.lines(source):
            target.print(line, markup=False)
        for line in self.candidate_errors.lines(source, label="candidate: "):
            target.print(line, markup=False)
        target.print(self.summary.line(), markup=False)
        if self.diff is not None:
            target.print(self.diff.line(candidate_errors=self.candidate_errors.total), markup=False)
        if data is not None and page is not None:
            write_report(data, page)
            target.print(f"report written to {self.report}", markup=False)

    def _count(self, row: Row) -> None:
        self.records += 1
        if row.error is not None:
            error(row.error)
        for mismatch in row.mismatches:
            error(f"{display_name(self.logins)}:{row.line}: {row.login_id}: {mismatch}")
        outcome = row.current.outcome if row.current is not None and row.error is None else None
        self.summary.count(outcome, checked=row.checked, failed=bool(row.mismatches))
        self.summary.action_errors.add(row.line, row.login_id, row.errors)
        self.candidate_errors.add(row.line, row.login_id, row.candidate_errors)
        self.order.add(row.line, row.login_id, row.out_of_order, row.repeated)
        if self.diff is not None:
            self.diff.add(row)

    @property
    def empty(self) -> bool:
        """No record at all: a gate that would pass on nothing."""
        return self.records == 0

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
