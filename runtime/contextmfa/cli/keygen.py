"""``contextmfa keygen``: a new ``CONTEXTMFA_SECRET_KEY`` for the store."""

from __future__ import annotations

import typer

from contextmfa.cli.console import error, reporting_errors, stdout
from contextmfa.store import keygen
from contextmfa.store.keys import ENV_VAR


def register(app: typer.Typer) -> None:
    app.command(name="keygen")(keygen_command)


def keygen_command() -> None:
    """Print a new secret key for `CONTEXTMFA_SECRET_KEY` (32 random bytes, urlsafe base64).

    The store encrypts OTP seeds, push keys and outbox messages with it and derives the key that
    hashes codes from it. Keep it secret and keep a backup: without it nothing stored can be read
    back, and a new key does not open data stored with the old one.

    The key goes to stdout and nothing else does, so it can be captured:
    `export CONTEXTMFA_SECRET_KEY="$(contextmfa keygen)"`
    """
    with reporting_errors():
        stdout.out(keygen())
        error(
            f"set it as {ENV_VAR} in the environment of `contextmfa serve` and the store "
            "commands; keep it secret and backed up"
        )
