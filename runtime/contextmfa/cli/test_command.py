"""``contextmfa test``: run one Action alone against one event, like Auth0's Test tab."""

from __future__ import annotations

import json
import re
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from contextmfa.cli.console import error, reporting_errors, stdout
from contextmfa.cli.options import HttpChoice, HttpOption
from contextmfa.cli.render import safe_text
from contextmfa.config import TenantConfig, config_from_mapping, load_config
from contextmfa.engine import Engine, http_limits
from contextmfa.enrich.history import InMemoryHistory
from contextmfa.errors import CompileError, InputError
from contextmfa.events import LoginEvent, Tenant, load_event
from contextmfa.inputs import display_name, read_input
from contextmfa.sandbox import ActionRun, InMemoryActionCache, compile_action, run_action
from contextmfa.sandbox.http_modes import HttpCalls, load_fixture
from contextmfa.sandbox.http_session import HttpSession
from contextmfa.sandbox.process import run_action_isolated
from contextmfa.sandbox.source_checks import MAX_SOURCE_BYTES
from contextmfa.sandbox.summary import run_summary

TENANT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
"""What ``[tenant] id`` accepts (config.py)."""


class TestFormat(StrEnum):
    pretty = "pretty"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command(name="test")(run_test)


def run_test(
    action_file: Annotated[Path, typer.Argument(metavar="ACTION.py", help="The Action to run.")],
    event_file: Annotated[
        Path,
        typer.Option(
            "--event", "-e", help="The login event to run it against; - reads standard input."
        ),
    ],
    secret: Annotated[
        list[str] | None,
        typer.Option("--secret", "-s", help="A secret as KEY=VALUE; repeat for more."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Take GeoIP, deny lists, sandbox limits and this Action's secrets from a config.",
        ),
    ] = None,
    output_format: Annotated[TestFormat, typer.Option("--format", "-f")] = TestFormat.pretty,
    http: HttpOption = HttpChoice.auto,
    http_fixture: Annotated[
        Path | None,
        typer.Option(
            "--http-fixture",
            metavar="FIXTURE.json",
            help='Answer the Action\'s fetch() calls from this file: {"exchanges": [{"method": '
            '"GET", "url": "https://...", "status": 200, "json": {...}}, ...]} (README).',
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Run one Action against one event and show its directives, logs, errors and time.

    The event is enriched as in `evaluate` (GeoIP, risk with no history). Secrets come from
    `--secret KEY=VALUE` (and from `--config` when given; the flag wins). fetch() calls go where
    `--http` says (the config's `[sandbox] egress` applies in every mode), or are answered
    from `--http-fixture`; each exchange is shown.

    Exit 0 when the Action ran cleanly, 1 when it failed (compile error, exception, limit),
    2 on bad input.
    """
    with reporting_errors():
        secrets = _parse_secrets(secret or [])
        event = load_event(event_file)
        if config:
            tenant = load_config(config)
        else:
            tenant, event = _bare_config(action_file, event)
        source = _action_source(action_file)
        try:
            action = compile_action(source, str(action_file))
        except CompileError as exc:
            for problem in exc.problems:
                error(str(problem))
            raise typer.Exit(1) from None
        engine = Engine(tenant, isolation="inline")
        try:
            enrichment = engine.enrich(event, InMemoryHistory())
        except InputError as exc:
            raise InputError(f"{display_name(event_file)}: error: {exc}") from None
        finally:
            engine.close()
        isolated = tenant.sandbox.isolation == "process"
        confined = partial(run_action_isolated, confinement=tenant.sandbox.confinement)
        merged = {**tenant.secrets_for(action.name), **secrets}
        session = _http_session(tenant, action.name, merged, event, http, http_fixture)
        run = (confined if isolated else run_action)(
            action,
            engine.event_view(event, enrichment),
            secrets=merged,
            now=event.timestamp,
            cache=InMemoryActionCache(),
            tenant_id=enrichment.tenant_id,
            limits=engine.limits,
            http=session,
        )
        _show(run, output_format, session.exchanges)
        raise typer.Exit(1 if run.error else 0)


def _http_session(
    tenant: TenantConfig,
    name: str,
    secrets: dict[str, str],
    event: LoginEvent,
    http: HttpChoice,
    fixture: Path | None,
) -> HttpSession:
    """Who answers this run's fetch() calls (sandbox/http_modes.py)."""
    answers = load_fixture(fixture) if fixture is not None else None
    calls = HttpCalls(
        http_limits(tenant), lambda _: secrets, frozenset({name}), http.value, answers
    )
    return calls.session(event.recorded.decision if event.recorded is not None else None)


def _action_source(path: Path) -> str:
    """The Action's text; an unreadable path or bytes that are not UTF-8 is one located line.
    Reading stops past what any Action may be, which compiling then refuses with its limit."""
    raw = read_input(path, MAX_SOURCE_BYTES)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{display_name(path)}:{line}: error: not UTF-8 (byte 0x{raw[exc.start]:02x}); "
            "save the file as UTF-8"
        ) from None


def _bare_config(action_file: Path, event: LoginEvent) -> tuple[TenantConfig, LoginEvent]:
    """Defaults for every key: the bundled GeoIP database, default sandbox limits. With no
    config there is no tenant to compare the event's with: the tenant is the event's own (or,
    when that is no config's id, the event runs without one)."""
    given = event.tenant.id
    if given is not None and not TENANT_ID.fullmatch(given):
        event, given = event.model_copy(update={"tenant": Tenant()}), None
    path = action_file.parent / "tenant.toml"
    return config_from_mapping({"tenant": {"id": given or "test"}}, path), event


def _parse_secrets(pairs: list[str]) -> dict[str, str]:
    secrets = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputError("--secret: expected KEY=VALUE (a name, '=', then the value)")
        secrets[key] = value
    return secrets


def _show(run: ActionRun, output_format: TestFormat, exchanges: list[dict[str, object]]) -> None:
    summary = run_summary(run)
    if exchanges:
        summary["http"] = exchanges
    if output_format is TestFormat.json:
        typer.echo(json.dumps(summary, indent=2, sort_keys=False))
        return
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("action", safe_text(run.action))
    for directive in summary["directives"] or [{"directive": "none"}]:  # type: ignore[union-attr]
        table.add_row("directive", safe_text(json.dumps(directive)))
    for line in summary["logs"]:  # type: ignore[union-attr]
        table.add_row("log", safe_text(line))
    for key in ("app_metadata", "user_metadata", "id_token_claims", "access_token_claims"):
        if summary[key]:
            table.add_row(key.replace("_", " "), safe_text(json.dumps(summary[key])))
    for record in exchanges:
        outcome = record.get("error") or record.get("status")
        table.add_row("http", safe_text(f"{record['method']} {record['url']} -> {outcome}"))
    if run.error:
        where = f" (line {run.error.line})" if run.error.line else ""
        table.add_row("error", safe_text(f"{run.error.kind}: {run.error.message}{where}", "red"))
    table.add_row("time", f"{run.duration_us} µs")
    stdout.print(table)
