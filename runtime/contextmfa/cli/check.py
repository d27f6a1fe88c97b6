"""``contextmfa check``: compile every rule file and Action, report every problem at once."""

from __future__ import annotations

import typer

from contextmfa.cli.console import error, reporting_errors, stdout
from contextmfa.cli.options import ConfigOption
from contextmfa.config import load_config
from contextmfa.engine import Engine
from contextmfa.errors import CompileError, ConfigError


def register(app: typer.Typer) -> None:
    app.command(name="check")(check)


def check(config: ConfigOption = None) -> None:
    """Compile the tenant's rule files and Actions and report every problem.

    Prints `path:line:col: error: message` for each problem (warnings too), then a one-line
    summary. Exit 0 when everything compiles, 1 when anything does not.
    """
    with reporting_errors():
        try:
            tenant = load_config(config)
            engine = Engine(tenant)
        except ConfigError as exc:
            error(str(exc))
            error("check failed: 1 error")
            raise typer.Exit(1) from None
        except CompileError as exc:
            for problem in exc.problems:
                error(str(problem))
            errors = sum(1 for p in exc.problems if p.severity == "error")
            error(f"check failed: {errors} error{'s' if errors != 1 else ''}")
            raise typer.Exit(1) from None
        warnings = [*engine.warnings, *(w for action in engine.actions for w in action.warnings)]
        for warning in warnings:
            error(str(warning))
        engine.close()
        stdout.print(
            f"{tenant.path}: ok: {len(tenant.action_files)} Actions, "
            f"{len(tenant.rule_files)} rule files, {len(warnings)} warnings",
            markup=False,
        )
