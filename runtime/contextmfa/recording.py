"""Recorded logins: what the service keeps of each decided login, and how it is exported.

The service records the event *as it evaluated it* (enrolled factors from the store,
``device.remembered`` from a checked token) with its decision and the config version, so that
replaying the export against the same config reproduces every decision. Before anything is
stored, values that look like credentials are replaced by ``[REDACTED]``: any value in a
metadata object under a key that names a secret (``password``, ``token``, ``api_key``, ...),
and any service key or configured ``[secrets]`` value of :data:`MIN_SECRET_CHARS` or more
wherever it appears (shorter ones are settings such as ``"true"`` or ``"NL,DE"``, and
redacting them out of innocent text would change what a replay sees). The remember-browser
token and the ``mfa_token`` never enter an event in the first place. The decision is kept as the
engine made it: Action logs and errors in it were redacted when the Action ran.

An exported line is a login event (login-events.md) with two extra keys: ``expect``, the recorded
outcome, factors, source and deny reason, which ``contextmfa replay`` checks; and ``recorded``,
the whole recorded decision with its config version and time, which evaluation ignores.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from contextmfa.events import LoginEvent
from contextmfa.sandbox.printing import REDACTED, Redactor
from contextmfa.store.ports import RecordedLogin

__all__ = ["MIN_SECRET_CHARS", "SECRET_KEY", "export_record", "recorded_login", "redact_event"]

MIN_SECRET_CHARS = 12

SECRET_KEY = re.compile(
    r"passw(or)?d|passphrase|secret|token|api[_-]?key|auth(orization)?$|cookie|session|"
    r"credential|private[_-]?key|\bpin\b|otp|ssn",
    re.IGNORECASE,
)
"""Keys whose values are never recorded, wherever they are in an event."""

_FREE_FORM = frozenset({"metadata", "app_metadata", "user_metadata"})
_EXPECTED = ("outcome", "factors", "source", "deny_reason")
_PLAIN = frozenset({int, float, bool, type(None)})


def redact_event(data: Mapping[str, Any], secret_values: Iterable[str]) -> dict[str, Any]:
    """A copy of ``data`` without credentials (module docstring); the input is not changed.

    Keys are judged only inside the free-form objects (``*metadata``): the fixed fields of the
    event format are known and hold no credential.
    """
    redact = _redactor(tuple(secret_values))
    shortest = MIN_SECRET_CHARS if redact.longest else None  # no text shorter holds a secret

    def walk(value: Any, free_form: bool) -> Any:
        kind = type(value)  # exact types first: this runs over every value of every login
        if kind is str:
            return value if shortest is None or len(value) < shortest else redact(value)
        if kind in _PLAIN:
            return value
        if kind is dict or isinstance(value, Mapping):
            return {
                key: REDACTED
                if free_form and _names_secret(key, item)
                else walk(item, free_form or key in _FREE_FORM)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [walk(item, free_form) for item in value]
        if isinstance(value, str):
            return redact(value)
        return value

    return walk(data, False)  # type: ignore[no-any-return]


@lru_cache(maxsize=256)
def _redactor(secret_values: tuple[str, ...]) -> Redactor:
    """One redactor per tenant's set of secrets, not one per recorded login."""
    return Redactor({str(i): v for i, v in enumerate(secret_values) if len(v) >= MIN_SECRET_CHARS})


def _names_secret(key: object, value: Any) -> bool:
    return isinstance(key, str) and value not in (None, "") and bool(SECRET_KEY.search(key))


def recorded_login(
    tenant_id: str,
    event: LoginEvent,
    decision: Mapping[str, Any],
    *,
    config_version: str,
    secret_values: Iterable[str],
    now: datetime,
) -> RecordedLogin:
    """What the store keeps of one decided login; ``decision`` is its JSON document."""
    data = event.model_dump(mode="json", exclude={"expect", "recorded"}, exclude_none=True)
    return RecordedLogin(
        tenant_id=tenant_id,
        login_id=event.id,
        user_id=event.user.user_id,
        occurred_at=event.timestamp,
        recorded_at=now,
        config_version=config_version,
        event=redact_event(data, secret_values),
        decision=decision,
    )


def export_record(login: RecordedLogin, *, mfa_passed: bool | None = None) -> dict[str, Any]:
    """One line of ``contextmfa logins export``: the event, ``expect`` and ``recorded``
    (with ``mfa_passed`` for a challenge or enroll: only a passed one joined the history)."""
    decision = dict(login.decision)
    expect = {key: decision[key] for key in _EXPECTED if decision.get(key) is not None}
    recorded: dict[str, Any] = {
        "config_version": login.config_version,
        "recorded_at": login.recorded_at.isoformat().replace("+00:00", "Z"),
        "decision": decision,
    }
    if mfa_passed is not None:
        recorded["mfa_passed"] = mfa_passed
    return {**login.event, "expect": expect, "recorded": recorded}


class PassedLogins:
    """Which of a user's logins passed MFA, from the audit log's ``mfa.passed`` entries (read
    once per user)."""

    def __init__(self, audit: Any, tenant_id: str) -> None:
        self._audit, self._tenant = audit, tenant_id
        self._by_user: dict[str, set[str]] = {}

    def of(self, login: RecordedLogin) -> bool | None:
        """True or False for a challenge or enroll; None for any other outcome."""
        if login.decision.get("outcome") not in ("challenge", "enroll"):
            return None
        passed = self._by_user.get(login.user_id)
        if passed is None:
            entries = self._audit.list(self._tenant, user_id=login.user_id, limit=1_000_000)
            passed = {str(e.detail.get("login_id")) for e in entries if e.kind == "mfa.passed"}
            self._by_user[login.user_id] = passed
        return login.login_id in passed
