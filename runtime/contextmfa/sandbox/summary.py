"""One Action run as JSON-ready data: ``contextmfa test --format json`` and the service's
``POST /v1/actions/{name}/test`` show the same shape. Secrets are never part of it."""

from __future__ import annotations

from typing import Any

from contextmfa.sandbox.runner import ActionRun

_FIELDS = ("kind", "factors", "remember", "reason")


def directive_summary(directive: object, *, source: bool = False) -> dict[str, Any]:
    """``{"directive": "require", "factors": [...] | "any", "remember": ...}``."""
    data: dict[str, Any] = {"directive": type(directive).__name__.lower()}
    for name in (*_FIELDS, "source") if source else _FIELDS:
        if hasattr(directive, name):
            value = getattr(directive, name)
            data[name] = sorted(value) if isinstance(value, frozenset) else value
    if "factors" in data and data["factors"] is None:
        data["factors"] = "any"
    return data


def run_summary(run: ActionRun, *, sources: bool = False) -> dict[str, Any]:
    """What the Action did; ``sources`` adds each directive's source (``action:<stem>``)."""
    error = run.error
    return {
        "action": run.action,
        "directives": [directive_summary(d, source=sources) for d in run.directives],
        "logs": [log.line for log in run.logs],
        "error": None
        if error is None
        else {"kind": error.kind, "message": error.message, "line": error.line},
        "app_metadata": run.app_metadata,
        "user_metadata": run.user_metadata,
        "id_token_claims": run.id_token_claims,
        "access_token_claims": run.access_token_claims,
        "transaction_metadata": run.transaction_metadata,
        "duration_us": run.duration_us,
    }
