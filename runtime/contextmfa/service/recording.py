"""The service's record of what it decided: every login, kept for ``[service]
audit_retention_days``.

Each decided login goes to the store's recorded logins (:mod:`contextmfa.recording` says what is
kept and what is redacted), its summary to the audit log and, unless denied, its entry to the
user's history: one transaction, one durable commit (:mod:`contextmfa.store.sql.login_commit`).
Old records are swept by the worker that records, at most once per :data:`SWEEP_EVERY` per
tenant: a DELETE on an index, off no request's critical path but the one that happens to run it,
so no separate job has to be run for the retention setting to hold.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from contextmfa.decision import Decision
from contextmfa.enrich.history import LoginRecord
from contextmfa.events import LoginEvent
from contextmfa.recording import recorded_login
from contextmfa.service.logs import audit
from contextmfa.service.tenants import Tenant
from contextmfa.store.sql.login_commit import HeldHistory

__all__ = ["SWEEP_EVERY", "RetentionSweep", "record_login"]

SWEEP_EVERY = timedelta(hours=1)


class RetentionSweep:
    """Deletes a tenant's recorded logins and audit entries older than its retention."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, datetime] = {}

    def due(self, tenant_id: str, now: datetime) -> bool:
        with self._lock:
            last = self._last.get(tenant_id)
            if last is not None and now - last < SWEEP_EVERY:
                return False
            self._last[tenant_id] = now
            return True

    def run(self, tenant: Tenant, now: datetime) -> dict[str, int]:
        """Sweep now; the number of rows deleted per kind."""
        before = now - timedelta(days=tenant.config.service.audit_retention_days)
        return {
            "recorded_logins": tenant.store.logins.purge(tenant.id, before=before),
            "audit": tenant.store.audit.purge(tenant.id, before=before),
        }


def record_login(
    tenant: Tenant,
    event: LoginEvent,
    decision: Decision,
    document: Mapping[str, Any],
    *,
    config_version: str,
    now: datetime,
    sweep: RetentionSweep,
    history_entry: LoginRecord | None,
    seen_version: int,
    held: HeldHistory | None = None,
) -> None:
    """Keep the login and its decision (``document``: its JSON, made once for the answer and
    the record), its audit entry and its history entry (none for a denied login) in one commit;
    :class:`HistoryConflict` when another worker added to the user's history since
    ``seen_version`` (nothing is written). With ``held``, the commit is the held history's
    (:meth:`~contextmfa.store.sql.login_commit.SqlLoginCommit.holding`). Sweep old records when
    due."""
    store, user_id = tenant.store, event.user.user_id
    login = recorded_login(
        tenant.id,
        event,
        document,
        config_version=config_version,
        secret_values=tenant.secret_values,
        now=now,
    )
    detail = {
        "login_id": decision.login_id,
        "outcome": decision.outcome,
        "source": decision.source,
        "deny_reason": decision.deny_reason,
        "factors": list(decision.factors),
        "confidence": (decision.risk or {}).get("confidence"),
        "remembered": event.device.remembered,
        "config_version": config_version,
    }
    if held is not None:
        held.commit(login, history_entry=history_entry, audit_detail=detail, now=now)
    else:
        store.login_commit.commit(
            login,
            history_entry=history_entry,
            seen_version=seen_version,
            audit_detail=detail,
            now=now,
        )
    audit(tenant.id, "login.decision", user_id, **detail)
    if sweep.due(tenant.id, now):
        sweep.run(tenant, now)
