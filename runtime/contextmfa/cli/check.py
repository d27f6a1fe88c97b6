"""``contextmfa check``: compile every rule file and Action, report every problem at once.

A config problem does not stop the check: every problem of ``tenant.toml`` is reported, then
the rule files and Actions that can still be found are compiled and their problems reported
too, so one run lists everything to fix.
"""

from __future__ import annotations

import importlib.util
import re

import typer

from contextmfa.cli.console import error, reporting_errors, stdout
from contextmfa.cli.options import ConfigOption
from contextmfa.config import TenantConfig, inspect_config
from contextmfa.engine import compile_actions
from contextmfa.enrich.geoip import GeoIP
from contextmfa.enrich.iplists import IPRangeSet
from contextmfa.errors import CompileError, ConfigError, Problem
from contextmfa.rules import compile_rule_files


def register(app: typer.Typer) -> None:
    app.command(name="check")(check)


def check(config: ConfigOption = None) -> None:
    """Compile the tenant's rule files and Actions and report every problem.

    Prints `path:line:col: error: message` for each problem (warnings too), then a one-line
    summary. Exit 0 when everything compiles, 1 when anything does not.
    """
    with reporting_errors():
        tenant, problems = inspect_config(config)
        confinement = None
        if tenant is not None:
            problems = _in_file_order(tenant, [*problems, *_resource_problems(tenant)])
            problems += _rule_problems(tenant)
            problems += _action_problems(tenant)
            confinement = _confinement(tenant, problems)
        for problem in problems:
            error(str(problem))
        errors = sum(1 for p in problems if p.severity == "error")
        if tenant is None or errors:
            error(f"check failed: {errors} error{'s' if errors != 1 else ''}")
            raise typer.Exit(1)
        if confinement:
            stdout.print(confinement, markup=False)
        counts = (
            _counted(len(tenant.action_files), "Action"),
            _counted(len(tenant.rule_files), "rule file"),
            _counted(len(problems), "warning"),
        )
        stdout.print(f"{tenant.path}: ok: {', '.join(counts)}", markup=False)


def _counted(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# -- the config's databases and deny lists -------------------------------------------------------

_LOCATED = re.compile(r"(?P<path>.+?)(?::(?P<line>[0-9]+))?: error: (?P<message>.*)", re.DOTALL)


def _resource_problems(tenant: TenantConfig) -> list[Problem]:
    """The GeoIP databases open and every deny list reads (each list on its own)."""
    problems: list[Problem] = []
    geoip = tenant.geoip
    try:
        GeoIP.open(geoip.city_database, geoip.asn_database, base_dir=tenant.base_dir).close()
    except ConfigError as exc:  # "geoip.asn_database: database file 'x.mmdb' not found"
        key, _, message = str(exc).partition(": ")
        problems.append(tenant.problem(key, message))
    for name, path in tenant.deny_lists.items():
        key = f"risk.deny_lists.{name}"
        try:
            ranges = IPRangeSet.from_file(path)
        except ConfigError as exc:  # already placed at the list file (and line)
            found = _LOCATED.fullmatch(str(exc))
            if found is None:
                problems.append(tenant.problem(key, str(exc)))
            else:
                line = int(found["line"] or 0)
                problems.append(Problem(found["path"], line, 0, found["message"]))
            continue
        if len(ranges) == 0:
            message = f"{path.name} has no entries, so no address is ever on list {name}"
            problems.append(tenant.problem(key, message, "warning"))
    return problems


def _in_file_order(tenant: TenantConfig, problems: list[Problem]) -> list[Problem]:
    """The config's own problems by line, then those placed in the files it names."""
    own = str(tenant.path)
    return sorted(problems, key=lambda p: (0, p.line) if p.path == own else (1, 0))


# -- the host ---------------------------------------------------------------------------------


def _confinement(tenant: TenantConfig, problems: list[Problem]) -> str | None:
    """Which layers ``serve``'s Action workers get on this host (a child is confined to find
    out); a warning when ``confinement = "required"`` and one is missing."""
    if tenant.sandbox.isolation == "inline" or not tenant.action_files:
        return None
    from contextmfa.sandbox.process.confine import probe

    layers, mode = probe(), tenant.sandbox.confinement
    if layers.missing and mode == "required":
        message = f"this host lacks {', '.join(layers.missing)}: serve refuses to run Actions"
        problems.append(tenant.problem("sandbox.confinement", message, "warning"))
        return None
    lacking = f"; without {', '.join(layers.missing)} ({mode})" if layers.missing else ""
    return f"sandbox: Action workers confined by {layers.describe()}{lacking}"


# -- rule files -------------------------------------------------------------------------------


def _rule_problems(tenant: TenantConfig) -> list[Problem]:
    """Every problem of every rule file; ``asn.*`` warns when the tenant has no ASN database."""
    try:
        rules = compile_rule_files(tenant.rule_files, asn_database=bool(tenant.geoip.asn_database))
    except CompileError as exc:
        return list(exc.problems)
    return list(rules.warnings)


# -- Actions ----------------------------------------------------------------------------------


def _action_problems(tenant: TenantConfig) -> list[Problem]:
    """Every Action of the flow: its errors, and the warnings of those that compile; and what
    keeps the ones that call ``fetch`` from reaching anything (egress.py)."""
    actions, problems = compile_actions(tenant)
    callers = [action.name for action in actions if action.fetches]
    return [
        *problems,
        *(warning for action in actions for warning in action.warnings),
        *_egress_problems(tenant, callers),
    ]


def _egress_problems(tenant: TenantConfig, callers: list[str]) -> list[Problem]:
    if not callers:
        return []
    sandbox, names = tenant.sandbox, ", ".join(callers)
    who = f"the Action {names} calls" if len(callers) == 1 else f"the Actions {names} call"
    problems = []
    if not sandbox.egress:
        message = f"empty, but {who} fetch(): every call will be refused (forbidden)"
        problems.append(tenant.problem("sandbox.egress", message, "warning"))
    if importlib.util.find_spec("httpx") is None:
        message = (
            f"{who} fetch(), which needs httpx: pip install 'contextmfa[egress]' "
            "(until then every call fails as a network error)"
        )
        problems.append(tenant.problem("sandbox.egress", message, "warning"))
    if sandbox.timeout_ms < sandbox.http_timeout_ms:
        message = (
            f"{sandbox.timeout_ms} ms is less than http_timeout_ms ({sandbox.http_timeout_ms} "
            f"ms), and {who} fetch(): a call never outlives its Action, so it gets at most this"
        )
        problems.append(tenant.problem("sandbox.timeout_ms", message, "warning"))
    return problems
