"""``contextmfa replay``: evaluate a file of recorded logins, check expectations, diff two configs.

The command is a thin adapter over ``contextmfa.replay``: it picks the one-process, the parallel
or the cluster path (``replay_cluster``), feeds every row to the writers, the summaries and the
report (``replay_run``), and turns the counts into the documented exit code.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from contextmfa.cli.console import error, is_terminal, reporting_errors
from contextmfa.cli.options import ConfigOption, HttpChoice, HttpOption, RecordHttpOption
from contextmfa.cli.replay_output import ReplayFormat
from contextmfa.cli.replay_run import ReplayRun, writable
from contextmfa.config import load_config
from contextmfa.engine import Engine
from contextmfa.errors import ConfigError, InputError
from contextmfa.inputs import display_name
from contextmfa.replay.evaluator import Evaluator
from contextmfa.replay.heap import settle
from contextmfa.replay.parallel import WorkerSpec, parallel_rows
from contextmfa.replay.source import count_lines, default_workers, sequential_rows

__all__ = ["ReplayFormat", "register", "replay_command", "writable"]

DEFAULT_REPORT_LIMIT = 5000


def register(app: typer.Typer) -> None:
    app.command(name="replay")(replay_command)


def replay_command(
    logins: Annotated[
        str,
        typer.Argument(
            metavar="LOGINS.jsonl",
            help="Recorded logins, one JSON per line; - reads standard input. With --cluster: "
            "a file, a glob, a directory or an fsspec URL (s3://, gs://, file://), gzip too.",
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
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="Write decisions to this file instead of stdout. With --cluster: a directory "
            "URL that gets one JSON Lines part per partition (needs --format jsonl).",
        ),
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
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            metavar="ADDRESS|local:N",
            help="Replay on a Dask cluster: a scheduler address (tcp://host:8786), or local:N "
            "for N worker processes on this machine. Needs the cluster extra.",
        ),
    ] = None,
    http: HttpOption = HttpChoice.auto,
    record_http: RecordHttpOption = False,
    scratch: Annotated[
        str | None,
        typer.Option(
            "--scratch",
            metavar="URL",
            help="With --cluster: where records wait for their partition, a place every worker "
            "reads and writes (s3://bucket/tmp). Default: a temporary directory here, for "
            "local:N and a scheduler on loopback.",
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

    Actions' fetch() calls are answered as `--http` says: by default from the exchanges recorded
    with each exported login, so a replay needs no network and sees what the service saw; a
    call that was not recorded is an Action error for that login. With `--against`, calls the
    candidate makes that the current config never made are counted in the diff.

    Action errors are counted per Action in the summary and the report. Logins out of time order
    and repeated login ids (per user: what history is built from) are warnings.

    With `--cluster` the replay runs on a Dask cluster, partitioned by user, each user's logins
    in timestamp order; the input may be a glob or an fsspec URL, and the summary, messages,
    diff, report and exit code are those of a local replay.

    Exit 0 when every expectation is met, 1 when one is not (or, with `--fail-on-change`, when a
    decision changed; with `--fail-on-error`, when an Action failed), 2 on bad input or config (a
    bad record is reported with its line and the replay goes on), on a file with no login
    (unless `--allow-empty`) and on options that need another (`--fail-on-change` needs
    `--against`, `--report-limit` needs `--report`).
    """
    _check_usage(against, fail_on_change, report, report_limit)
    if cluster is not None:
        _check_cluster_usage(logins, output_format, output, workers)
    elif scratch is not None:
        raise typer.BadParameter("needs --cluster", param_hint="'--scratch'")
    with reporting_errors():
        limit = DEFAULT_REPORT_LIMIT if report_limit is None else report_limit
        source = logins if cluster is not None else display_name(logins)
        diffing = against is not None
        run = ReplayRun(source, output_format, diffing, output, report, limit, http, record_http)
        engine = Engine(load_config(config), http_mode=http.value)
        try:
            candidate = _candidate(engine, against, http)
        except BaseException:
            engine.close()
            raise
        with ExitStack() as stack:
            stack.callback(engine.close)
            if candidate is not None:
                stack.callback(candidate.close)
            if cluster is not None:
                from contextmfa.cli.replay_cluster import replay_on_cluster

                inputs = _inputs(engine, candidate, source)
                replay_on_cluster(run, stack, cluster, scratch, (engine, candidate), inputs)
            else:
                _replay_here(run, stack, Path(logins), workers, engine, candidate)
        if run.empty and not allow_empty:
            raise InputError(
                f"{source}: error: nothing to replay: no login records in it "
                "(pass --allow-empty to accept an empty file)"
            )
        code = run.exit_code(fail_on_change, fail_on_error)
        if code == 1 and run.failed_on_error(fail_on_error):
            errors = run.summary.action_errors.total + run.candidate_errors.total
            words = f"{errors} Action error{'s' if errors != 1 else ''}"
            error(f"replay failed: {words} (--fail-on-error)")
        raise typer.Exit(code)


def _replay_here(
    run: ReplayRun,
    stack: ExitStack,
    logins: Path,
    workers: int | None,
    engine: Engine,
    candidate: Engine | None,
) -> None:
    """On this machine: in this process, or in ``--workers`` processes."""
    lines = count_lines(logins) if workers is None or is_terminal() else 0
    count = workers or default_workers(lines)
    if count == 1:
        evaluator = Evaluator(engine, run.options(), candidate)
        settle()
        rows = sequential_rows(evaluator, logins)
    else:
        spec = WorkerSpec(engine.config.path, _path_of(candidate), run.options())
        rows = parallel_rows(logins, spec, count)
    run.execute(stack, rows, lines, _inputs(engine, candidate, display_name(logins)))


def _check_cluster_usage(
    logins: str, output_format: ReplayFormat, output: str | None, workers: int | None
) -> None:
    if workers is not None:
        raise typer.BadParameter(
            "is for one machine; --cluster runs on the cluster's workers",
            param_hint="'--workers'",
        )
    if logins == "-":
        raise typer.BadParameter(
            "standard input cannot be read by cluster workers: give a file or a URL",
            param_hint="'LOGINS.jsonl'",
        )
    if output is not None and output_format is not ReplayFormat.jsonl:
        raise typer.BadParameter(
            "with --cluster writes JSON Lines parts: add --format jsonl",
            param_hint="'--output'",
        )


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


def _path_of(engine: Engine | None) -> Path | None:
    return engine.config.path if engine is not None else None


def _inputs(engine: Engine, candidate: Engine | None, logins: str) -> dict[str, str]:
    """What the report names as its inputs: the files, and each config's version (the one a
    recorded login carries, see ``contextmfa logins export``)."""
    inputs = {"logins": logins, "config": f"{engine.config.path} ({engine.version})"}
    if candidate is not None:
        inputs["candidate"] = f"{candidate.config.path} ({candidate.version})"
    return inputs
