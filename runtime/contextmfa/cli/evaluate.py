"""``contextmfa evaluate``: one login event in, one decision out."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from contextmfa.cli.console import reporting_errors, stdout
from contextmfa.cli.options import ConfigOption, HttpChoice, HttpOption, RecordHttpOption
from contextmfa.cli.render import decision_table
from contextmfa.config import load_config
from contextmfa.engine import Engine
from contextmfa.enrich.history import InMemoryHistory
from contextmfa.errors import InputError
from contextmfa.events import load_event
from contextmfa.inputs import display_name


class EvaluateFormat(StrEnum):
    json = "json"
    pretty = "pretty"


def register(app: typer.Typer) -> None:
    app.command(name="evaluate")(evaluate)


def evaluate(
    event_file: Annotated[
        Path,
        typer.Argument(metavar="EVENT.json", help="One login event; - reads standard input."),
    ],
    config: ConfigOption = None,
    output_format: Annotated[
        EvaluateFormat, typer.Option("--format", "-f", help="json for scripts, pretty for people.")
    ] = EvaluateFormat.json,
    http: HttpOption = HttpChoice.auto,
    record_http: RecordHttpOption = False,
) -> None:
    """Decide one login: enrich it, run the rules and Actions, resolve the decision.

    The login has no history here, so its risk assessments say `initial_login`; use
    `replay` to evaluate a sequence of logins with history. Exit 0, or 2 on bad input or config.
    """
    with reporting_errors():
        tenant = load_config(config)
        event = load_event(event_file)
        engine = Engine(tenant, http_mode=http.value)
        try:
            decision = engine.evaluate(event, InMemoryHistory())
            if not record_http:
                decision = decision.without_http()
        except InputError as exc:
            raise InputError(f"{display_name(event_file)}: error: {exc}") from None
        finally:
            engine.close()
        if output_format is EvaluateFormat.json:
            stdout.out(decision.to_json(indent=2))
        else:
            stdout.print(decision_table(decision))
