"""The ``contextmfa`` command: one Typer app, one module per command."""

from __future__ import annotations

import typer

from contextmfa.cli import (
    authenticators,
    check,
    evaluate,
    import_command,
    keygen,
    logins,
    outbox,
    remember,
    replay,
    serve,
    test_command,
)

app = typer.Typer(
    name="contextmfa",
    help=(
        "Contextual MFA: run a tenant's rules and Actions against logins and decide what MFA "
        "each one needs.\n\n"
        "Start with `contextmfa check --config samples/tenant.toml`, then "
        "`contextmfa replay samples/logins.jsonl --config samples/tenant.toml`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
check.register(app)
evaluate.register(app)
replay.register(app)
test_command.register(app)
keygen.register(app)
outbox.register(app)
authenticators.register(app)
remember.register(app)
serve.register(app)
import_command.register(app)
logins.register(app)


def run() -> None:
    app()
