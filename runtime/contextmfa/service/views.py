"""Records as JSON: authenticators, factor results and Action runs, for the routes to return.

Only what a caller may see leaves: an authenticator shows its contact details (masked to the
user's own client, in full to the tenant's admin) and never its secret, key or push target.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from contextmfa.delivery import mask_recipient
from contextmfa.sandbox import ActionRun
from contextmfa.sandbox.summary import run_summary
from contextmfa.store.ports import Authenticator

__all__ = ["authenticator_out", "iso", "result_out", "run_out"]

_SHOWN = ("phone_number", "email", "transports", "aaguid", "backed_up")
"""The ``public`` fields shown (as ``contextmfa authenticators list``); keys stay hidden."""
_CONTACTS = ("phone_number", "email")


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def authenticator_out(authenticator: Authenticator, *, masked: bool) -> dict[str, Any]:
    details = {k: authenticator.public[k] for k in _SHOWN if k in authenticator.public}
    if masked:
        for key in _CONTACTS:
            if isinstance(details.get(key), str):
                details[key] = mask_recipient(details[key])
    return {
        "id": authenticator.id,
        "factor": authenticator.type,
        "name": authenticator.name,
        "confirmed": authenticator.confirmed,
        "created_at": iso(authenticator.created_at),
        "last_used_at": iso(authenticator.last_used_at),
        "details": details,
    }


def result_out(result: Any, **extra: Any) -> dict[str, Any]:
    """A factor's frozen result as JSON, without the fields it left empty."""
    out: dict[str, Any] = {}
    for item in dataclasses.fields(result):
        value = getattr(result, item.name)
        if value is None:
            continue
        if isinstance(value, datetime):
            value = iso(value)
        elif item.name == "options":
            value = dict(value)
        out[item.name] = value
    out.update({k: v for k, v in extra.items() if v is not None})
    return out


def run_out(run: ActionRun) -> dict[str, Any]:
    """What one Action run did (the shape of ``contextmfa test --format json``, with sources)."""
    return run_summary(run, sources=True)
