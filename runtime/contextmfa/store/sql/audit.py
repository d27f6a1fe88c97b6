"""The audit log in SQL: append-only, read newest first."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from contextmfa.store.clock import utc
from contextmfa.store.database import Database
from contextmfa.store.models import AuditRow
from contextmfa.store.ports import AuditEntry
from contextmfa.store.sql.common import p, rowcount, table
from contextmfa.store.tokens import new_id

__all__ = ["INSERT", "SqlAuditLog", "audit_values"]

T = table(AuditRow)
INSERT = T.insert()
_NEWEST = select(T).where(T.c.tenant_id == p("tenant_id")).order_by(T.c.seq.desc())
_LIST = _NEWEST.limit(p("limit"))
_LIST_USER = _NEWEST.where(T.c.user_id == p("user_id")).limit(p("limit"))


def audit_values(
    tenant_id: str, kind: str, *, user_id: str | None, detail: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """The row :data:`INSERT` writes for one entry. ``detail`` is not copied: the JSON column
    serialises it when the statement runs, so nothing later can change what was written."""
    return {
        "tenant_id": tenant_id,
        "id": new_id(),
        "kind": kind,
        "user_id": user_id,
        "created_at": utc(now),
        "detail": dict(detail),
    }


class SqlAuditLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(
        self,
        tenant_id: str,
        kind: str,
        *,
        user_id: str | None,
        detail: Mapping[str, Any],
        now: datetime,
    ) -> None:
        values = audit_values(tenant_id, kind, user_id=user_id, detail=detail, now=now)
        with self._db.write() as connection:
            connection.execute(INSERT, values)

    def list(
        self, tenant_id: str, *, user_id: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        values: dict[str, object] = {"p_tenant_id": tenant_id, "p_limit": limit}
        if user_id is not None:
            values["p_user_id"] = user_id
        with self._db.read() as connection:
            rows = connection.execute(_LIST if user_id is None else _LIST_USER, values).all()
        return [
            AuditEntry(row.id, row.tenant_id, row.kind, row.user_id, row.created_at, row.detail)
            for row in rows
        ]

    def purge(self, tenant_id: str, *, before: datetime) -> int:
        statement = delete(T).where(T.c.tenant_id == tenant_id, T.c.created_at < utc(before))
        with self._db.write() as connection:
            return rowcount(connection.execute(statement))
