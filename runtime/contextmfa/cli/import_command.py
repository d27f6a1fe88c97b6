"""``contextmfa import``: bring logins recorded elsewhere into contextmfa's login event format."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TextIO

import typer

from contextmfa.cli.console import error, reporting_errors, stderr
from contextmfa.cli.replay import writable
from contextmfa.importers import ImportOptions, import_auth0_logs

import_app = typer.Typer(
    name="import",
    help="Turn logins recorded elsewhere into login events for `contextmfa replay`.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
)


class _Output:
    """The ``-o`` file, opened (and emptied) at the first write or flush, which the importer
    makes only once the export was read: a refused export, say the wrong file, leaves the logins
    of an earlier import where they were."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: TextIO | None = None

    def __enter__(self) -> _Output:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.handle is not None:
            self.handle.close()

    def _opened(self) -> TextIO:
        if self.handle is None:
            self.handle = writable(self.path)
        return self.handle

    def write(self, text: str) -> int:
        return self._opened().write(text)

    def flush(self) -> None:
        self._opened().flush()


class GeoIPChoice(StrEnum):
    keep = "keep"
    lookup = "lookup"


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")


@import_app.command(name="auth0-logs")
def auth0_logs_command(
    export: Annotated[
        Path,
        typer.Argument(
            metavar="EXPORT",
            help="Auth0 log events: a JSON array (GET /api/v2/logs), JSON Lines (a log "
            "stream), or an object with a `logs` array; - reads standard input.",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the login events here instead of stdout."),
    ] = None,
    include_failed: Annotated[
        bool,
        typer.Option(
            "--include-failed",
            help="Also import failed logins (f, fp, fc, fcoa, fens) as attempts: what would the "
            "config have decided had the password been right. They enter the replay history "
            "like any login the config does not deny.",
        ),
    ] = False,
    geoip: Annotated[
        GeoIPChoice,
        typer.Option(
            "--geoip",
            help="keep: Auth0's location_info becomes request.geoip; lookup: leave it out so "
            "replay looks each IP up in the config's GeoIP database (with subdivisions).",
        ),
    ] = GeoIPChoice.keep,
) -> None:
    """Turn an Auth0 tenant log export into login events (JSON Lines), oldest first.

    Successful logins (`s`) become login events; MFA events (`gd_enrollment_complete`,
    `gd_auth_succeed`, ...) become the enrolled factors of the user's later logins; everything
    else is counted and left out. A summary on stderr says what was imported, what was not and
    why, and which Auth0 fields have no place in a login event.

    Exit 0, or 2 when the export cannot be read or some of its records could not be imported
    (each is reported with its place in the file; the others are still written).
    """
    with reporting_errors():
        options = ImportOptions(include_failed=include_failed, keep_geoip=geoip is GeoIPChoice.keep)
        with ExitStack() as stack:
            sink = stack.enter_context(_Output(output)) if output is not None else sys.stdout
            report = import_auth0_logs(export, sink, options)
            sink.flush()
        for message in report.errors:
            error(message)
        if report.error_count > len(report.errors):
            error(f"... and {report.error_count - len(report.errors)} more records with errors")
        for line in report.lines():
            stderr.print(line, markup=False)
        raise typer.Exit(report.exit_code)
