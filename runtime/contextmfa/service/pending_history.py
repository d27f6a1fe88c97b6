"""The history one login is evaluated with: the store's, except that the login's own entry waits.

The engine adds an allowed login to the history at the end of its evaluation. In the service that
entry is written in the login's one transaction together with its record and audit entry
(:mod:`contextmfa.store.sql.login_commit`), so :meth:`PendingHistory.add` keeps it until then.
The entry of a login that must pass MFA travels in its mfa_token instead (:func:`history_claim`)
and is written when the last step passes: a challenge nobody passed teaches the history nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from contextmfa.enrich.history import History, LoginRecord
from contextmfa.store.sql.login_commit import HistoryRead

__all__ = ["PendingHistory", "entry_of_claim", "history_claim"]


class PendingHistory:
    """Reads go to ``history``, except what ``read`` already holds (the last login and the
    last-seen times of the login's device and user agent, read with the history version in one
    statement); the one :meth:`add` of the evaluation is kept in :attr:`entry`."""

    def __init__(
        self, history: History, tenant_id: str, user_id: str, read: HistoryRead | None = None
    ) -> None:
        self._history = history
        self._user = (tenant_id, user_id)
        self._read = read
        self.entry: LoginRecord | None = None

    def add(self, tenant_id: str, user_id: str, record: LoginRecord) -> None:
        if (tenant_id, user_id) != self._user or self.entry is not None:
            raise ValueError("a login adds one entry, to its own user's history")
        self.entry = record

    def logins(self, tenant_id: str, user_id: str) -> Sequence[LoginRecord]:
        return self._history.logins(tenant_id, user_id)

    def last(self, tenant_id: str, user_id: str) -> LoginRecord | None:
        read = self._read_of(tenant_id, user_id)
        if read is not None:
            return read.last
        return self._history.last(tenant_id, user_id)

    def device_last_seen(self, tenant_id: str, user_id: str, device_id: str) -> datetime | None:
        read = self._read_of(tenant_id, user_id)
        if read is not None and device_id == read.device_id:
            return read.device_seen
        return self._history.device_last_seen(tenant_id, user_id, device_id)

    def user_agent_last_seen(
        self, tenant_id: str, user_id: str, user_agent: str
    ) -> datetime | None:
        read = self._read_of(tenant_id, user_id)
        if read is not None and user_agent == read.user_agent:
            return read.agent_seen
        return self._history.user_agent_last_seen(tenant_id, user_id, user_agent)

    def _read_of(self, tenant_id: str, user_id: str) -> HistoryRead | None:
        """What was read with the version, when the question is about this login's user."""
        return self._read if (tenant_id, user_id) == self._user else None


def history_claim(entry: LoginRecord | None) -> dict[str, Any]:
    """A held history entry as JSON for the mfa_token (``{}`` for none)."""
    if entry is None:
        return {}
    claim = {k: v for k, v in asdict(entry).items() if v is not None}
    claim["timestamp"] = entry.timestamp.isoformat()
    return claim


def entry_of_claim(claim: Mapping[str, Any]) -> LoginRecord | None:
    """The history entry an mfa_token carries, or None."""
    if not claim:
        return None
    fields = dict(claim)
    fields["timestamp"] = datetime.fromisoformat(str(fields["timestamp"]))
    return LoginRecord(**fields)
