"""One decided login in one transaction: its history entry, its record and its audit entry.

Before this, a login made three durable commits (history, recorded login, audit), each an fsync
on SQLite with ``synchronous=FULL``. They are one unit: an answered login is either entirely on
disk or not at all.

The history entry carries the version of the user's history its evaluation read
(:data:`~contextmfa.store.sql.history.VERSION`). A login of the same user decided meanwhile by
another worker makes the version larger, and the commit refuses with :class:`HistoryConflict`
instead of writing a history that the evaluation never saw; the caller evaluates again. The
check and the insert are atomic per user: PostgreSQL takes a transaction-scoped advisory lock on
the user before checking; SQLite writes the record first, which takes its database-wide write
lock, and checks after it (one writer at a time is the database's own rule).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from contextmfa.enrich.history import LoginRecord
from contextmfa.store.database import Database
from contextmfa.store.errors import HistoryConflict
from contextmfa.store.ports import RecordedLogin
from contextmfa.store.sql import audit, history, recorded_logins
from contextmfa.store.sql.common import p

__all__ = ["SqlLoginCommit", "user_lock_key"]

_USER_LOCK = select(func.pg_advisory_xact_lock(p("key")))


def user_lock_key(tenant_id: str, user_id: str) -> int:
    """A signed 64-bit advisory lock key for one user of one tenant."""
    digest = hashlib.sha256(f"contextmfa/history\0{tenant_id}\0{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class SqlLoginCommit:
    def __init__(self, db: Database) -> None:
        self._db = db

    def version(self, tenant_id: str, user_id: str) -> int:
        """The user's history version, read before an evaluation reads the history."""
        values = {"p_tenant_id": tenant_id, "p_user_id": user_id}
        with self._db.read() as connection:
            return int(connection.execute(history.VERSION, values).scalar_one())

    def commit(
        self,
        login: RecordedLogin,
        *,
        history_entry: LoginRecord | None,
        seen_version: int,
        audit_detail: Mapping[str, Any],
        now: datetime,
    ) -> None:
        """Write the login's record, audit entry and (unless denied) history entry at once;
        :class:`HistoryConflict` (nothing written) when the user's history moved past
        ``seen_version``."""
        tenant_id, user_id = login.tenant_id, login.user_id
        entry = audit.audit_values(
            tenant_id, "login.decision", user_id=user_id, detail=audit_detail, now=now
        )
        with self._db.write() as connection:
            if history_entry is not None and self._db.dialect == "postgresql":
                connection.execute(_USER_LOCK, {"p_key": user_lock_key(tenant_id, user_id)})
            connection.execute(recorded_logins.INSERT, recorded_logins.recorded_values(login))
            connection.execute(audit.INSERT, entry)
            if history_entry is None:
                return
            user = {"p_tenant_id": tenant_id, "p_user_id": user_id}
            if int(connection.execute(history.VERSION, user).scalar_one()) != seen_version:
                raise HistoryConflict("the user's history changed during the evaluation")
            values = history.history_values(tenant_id, user_id, history_entry)
            connection.execute(history.INSERT, values)
