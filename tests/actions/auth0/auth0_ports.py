"""Cases for the ported Auth0 rules (actions/auth0/), written as the rules' branches read.

A :class:`Case` is one login against one port: the branch of the original it exercises, the
event (overrides merged into the complete event of tests/actions/conftest.py), the port's
secrets, and what the port must decide. The conftest runs every case in this process and in a
confined worker process (``decide``); the decision is written as plain tuples so a table reads
like the rule: ``deny("Access denied.")``, ``mfa("guardian")``, ``ALLOW``.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contextmfa.directives import Deny, Directive, Require, Skip
from contextmfa.sandbox import (
    ActionRun,
    CompiledAction,
    InMemoryActionCache,
    SandboxLimits,
    run_action,
)
from contextmfa.sandbox.api_checks import PROVIDERS

PORTS_DIR = Path(__file__).resolve().parents[3] / "actions" / "auth0"
LIMITS = SandboxLimits(timeout_ms=5000)
"""A pause of the test process (2 shared cores) must not turn a decision into a timeout."""
TENANT = "acme"

DISPATCH = """

port_entry = on_execute_post_login


def on_execute_post_login(event, api):
    if event.id == {name!r}:
        port_entry(event, api)
"""
"""Appended to a copy of a port so that one worker can hold several copies: the copy whose name
is the login's id runs, the others contribute nothing (conftest.py)."""


def port_source(stem: str) -> str:
    """The port's file as shipped."""
    return (PORTS_DIR / f"{stem}.py").read_text(encoding="utf-8")


Decision = tuple[tuple[Any, ...], ...]
ALLOW: Decision = ()
"""The port contributes nothing: the rest of the flow decides."""

_PROVIDER_OF = {factors: name for name, factors in PROVIDERS.items()}


def deny(reason: str) -> Decision:
    """The port denies with ``reason``: a rule's ``callback(new UnauthorizedError(reason))``."""
    return (("deny", reason),)


def mfa(provider: str = "any", remember: bool = False) -> Decision:
    """The port requires MFA: a rule's ``context.multifactor = {provider, ...}``."""
    return (("mfa", provider, remember),)


def decision_of(directives: Iterable[Directive]) -> Decision:
    """Directives in the tables' spelling (the source is the port's, checked apart)."""
    spelled: list[tuple[Any, ...]] = []
    for directive in directives:
        if isinstance(directive, Deny):
            spelled.append(("deny", directive.reason))
        elif isinstance(directive, Require):
            provider = _PROVIDER_OF.get(directive.factors, directive.factors)
            spelled.append(("mfa", provider, directive.remember))
        elif isinstance(directive, Skip):
            spelled.append(("skip",))
        else:
            spelled.append((directive.kind, tuple(sorted(directive.factors))))
    return tuple(spelled)


def login(*parts: Mapping[str, Any]) -> dict[str, Any]:
    """Event overrides merged from ``parts``, later ones winning (nested dicts merge)."""
    merged: dict[str, Any] = {}
    for part in parts:
        _merge(merged, part)
    return merged


def _merge(base: dict[str, Any], overrides: Mapping[str, Any]) -> None:
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(dict(value) if isinstance(value, Mapping) else value)


def risk(**codes: str) -> dict[str, Any]:
    """Overrides that set risk assessment codes: ``risk(new_device="no_match")``."""
    assessments = {name: {"code": code, "details": {}} for name, code in codes.items()}
    return {"authentication": {"risk_assessment": {"assessments": assessments}}}


def user(**fields: Any) -> dict[str, Any]:
    return {"user": fields}


def client(**fields: Any) -> dict[str, Any]:
    return {"client": fields}


@dataclass(frozen=True)
class Case:
    """One login against the port ``stem`` and what it must decide."""

    stem: str
    branch: str
    """The line of the original this login takes, in words; the test id."""
    login: Mapping[str, Any] = field(default_factory=dict)
    expect: Decision | None = ALLOW
    """What the port decides; None for any decision (the run must still agree and not fail)."""
    secrets: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None
    """A part of the error message the run must end with; the decision is then ``ALLOW``."""
    app_metadata: Mapping[str, Any] = field(default_factory=dict)
    """The ``api.user.set_app_metadata`` updates the run must record."""
    log: str | None = None
    """A part of a line the run must print."""

    @property
    def config(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        """The port and its secrets: what one copy of the port in a worker is set up with."""
        return self.stem, tuple(sorted(self.secrets.items()))

    def __str__(self) -> str:
        return self.branch


def cases(stem: str, *rows: tuple[Any, ...], **shared: Any) -> list[Case]:
    """``Case(stem, *row, **shared)`` for every row: a port's table in a few lines."""
    return [Case(stem, *row, **shared) for row in rows]


def moment_of(event: Mapping[str, Any]) -> datetime.datetime:
    """The login's time: the Action's clock."""
    return datetime.datetime.fromisoformat(event["timestamp"])


def run_inline(action: CompiledAction, event: dict[str, Any], secrets: dict[str, str]) -> ActionRun:
    """One run of ``action`` in this process, as the tenant's flow runs it."""
    return run_action(
        action,
        event,
        secrets=secrets,
        now=moment_of(event),
        cache=InMemoryActionCache(),
        tenant_id=TENANT,
        limits=LIMITS,
    )
