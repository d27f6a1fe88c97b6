"""``contextmfa logins export``: the logins the service decided, as a replayable JSON Lines file.

Each line is the login event as the service evaluated it, with ``expect`` (the recorded outcome,
factors, source and deny reason) and ``recorded`` (the whole decision and the config version):
``contextmfa replay recorded.jsonl --config tenant.toml`` checks that today's config still decides
them the same way, and ``--against candidate.toml`` shows what a change would do to real traffic.
Nothing secret is exported (see :mod:`contextmfa.recording`).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, TextIO

import typer

from contextmfa.cli.console import error, reporting_errors
from contextmfa.cli.options import ConfigOption
from contextmfa.cli.replay import writable
from contextmfa.cli.store_options import StoreOption, check_user_id, open_tenant_store
from contextmfa.errors import InputError
from contextmfa.recording import PassedLogins, export_record

__all__ = ["parse_moment", "register"]

group = typer.Typer(
    help="The logins `contextmfa serve` decided, kept for `[service] audit_retention_days`.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)

_AGO = re.compile(r"^(\d{1,6})([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="logins")


def parse_moment(text: str, option: str, *, now: datetime) -> datetime:
    """``2026-11-01``, ``2026-11-01T09:30:00+01:00`` (no offset means UTC) or ``7d`` ago."""
    text = text.strip()
    ago = _AGO.match(text)
    if ago:
        return now - timedelta(**{_UNITS[ago.group(2)]: int(ago.group(1))})
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"{option}: {text!r} is not a time: use 2026-11-01, 2026-11-01T09:30:00Z or an age "
            "such as 30m, 24h, 7d, 2w"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@group.command(name="export")
def export(
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="TIME",
            help="Only logins at or after TIME: a date, an RFC 3339 time, or an age (7d, 24h).",
            show_default=False,
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            metavar="TIME",
            help="Only logins before TIME (same forms as --since).",
            show_default=False,
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            "--user", metavar="USER_ID", help="Only this user's logins.", show_default=False
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this file instead of stdout.", dir_okay=False
        ),
    ] = None,
    config: ConfigOption = None,
    store: StoreOption = None,
) -> None:
    """Write the recorded logins as JSON Lines, in the order the service decided them.

    Each line is a login event (the format `evaluate` and `replay` read) as the service saw it,
    with `expect` (the recorded outcome, factors, source, deny reason) and `recorded` (the whole
    decision, the config version and when it was decided). Values under keys that name secrets
    (password, token, api_key, ...) and configured secrets were redacted before they were stored.

        contextmfa logins export --since 7d > recorded.jsonl
        contextmfa replay recorded.jsonl
        contextmfa replay recorded.jsonl --against candidate.toml

    The first replay checks that today's config still decides them as recorded; the second
    shows what a candidate config would change.

    Replay builds risk history from the earlier lines of the file, as the service did from its
    store: export from the start of the period whose decisions you want reproduced exactly
    (a user's logins before --since are not in the file, so their risk assessment may differ).

    The store is the config's `[service] store` or `--store`; the key comes from
    `CONTEXTMFA_SECRET_KEY`, or set `CONTEXTMFA_DEVELOPMENT=1` for a development store.
    Exit 0, or 2 on bad input or config.
    """
    with reporting_errors():
        now = datetime.now(UTC)
        start = parse_moment(since, "--since", now=now) if since else None
        end = parse_moment(until, "--until", now=now) if until else None
        if start is not None and end is not None and end <= start:
            raise InputError("--until must be later than --since")
        if user is not None:
            check_user_id(user)
        with ExitStack() as stack:
            sink: TextIO = stack.enter_context(writable(output)) if output else sys.stdout
            opened = stack.enter_context(open_tenant_store(config, store))
            logins = opened.store.logins.export(
                opened.tenant_id, since=start, until=end, user_id=user
            )
            versions: Counter[str] = Counter()
            passed = PassedLogins(opened.store.audit, opened.tenant_id)
            for login in logins:
                line = export_record(login, mfa_passed=passed.of(login))
                sink.write(json.dumps(line, ensure_ascii=False) + "\n")
                versions[login.config_version] += 1
        total = sum(versions.values())
        detail = ", ".join(f"{n} by {v}" for v, n in versions.most_common())
        error(
            f"exported {total} login{'' if total == 1 else 's'}"
            + (f" ({detail})" if detail else "")
        )
