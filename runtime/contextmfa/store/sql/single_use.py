"""Single-use claims in SQL: ``INSERT ... ON CONFLICT DO UPDATE ... WHERE expired RETURNING``.

The unique key (tenant, scope, key) decides who wins: the one INSERT that creates the row, or the
one UPDATE that finds an expired claim and renews it, returns a row; everyone else gets nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.sql import Executable

from contextmfa.store.clock import utc
from contextmfa.store.database import Database
from contextmfa.store.models import SingleUseRow
from contextmfa.store.sql.common import insert_for, p, rowcount, table

__all__ = ["SqlSingleUse"]

T = table(SingleUseRow)
_SLOT = (T.c.tenant_id == p("tenant_id"), T.c.scope == p("scope"), T.c.key == p("key"))
_CLAIMED = select(T.c.key).where(*_SLOT, or_(T.c.expires_at.is_(None), T.c.expires_at > p("now")))
_HELD = T.c.expires_at == p("held_until")
"""Fences a release or extend to the caller's own lease (ports.SingleUse.release)."""
_RELEASE = delete(T).where(*_SLOT)
_RELEASE_HELD = _RELEASE.where(_HELD)
_EXTEND = update(T).where(*_SLOT).values(expires_at=p("expires_at"))
_EXTEND_HELD = _EXTEND.where(_HELD)


class SqlSingleUse:
    def __init__(self, db: Database) -> None:
        self._db = db
        insert = insert_for(db.dialect, T).values(
            tenant_id=p("tenant_id"),
            scope=p("scope"),
            key=p("key"),
            created_at=p("now"),
            expires_at=p("expires_at"),
        )
        self._claim = insert.on_conflict_do_update(
            index_elements=[T.c.tenant_id, T.c.scope, T.c.key],
            set_={
                "created_at": insert.excluded.created_at,
                "expires_at": insert.excluded.expires_at,
            },
            where=T.c.expires_at.is_not(None) & (T.c.expires_at <= p("now")),
        ).returning(T.c.key)

    def claim(
        self,
        tenant_id: str,
        scope: str,
        key: str,
        *,
        now: datetime,
        expires_at: datetime | None = None,
    ) -> bool:
        values = {
            "p_tenant_id": tenant_id,
            "p_scope": scope,
            "p_key": key,
            "p_now": utc(now),
            "p_expires_at": None if expires_at is None else utc(expires_at),
        }
        with self._db.write() as connection:
            return connection.execute(self._claim, values).first() is not None

    def is_claimed(self, tenant_id: str, scope: str, key: str, *, now: datetime) -> bool:
        values = {"p_tenant_id": tenant_id, "p_scope": scope, "p_key": key, "p_now": utc(now)}
        with self._db.read() as connection:
            return connection.execute(_CLAIMED, values).first() is not None

    def release(
        self, tenant_id: str, scope: str, key: str, *, held_until: datetime | None = None
    ) -> bool:
        values = {"p_tenant_id": tenant_id, "p_scope": scope, "p_key": key}
        return self._change(_RELEASE, _RELEASE_HELD, values, held_until)

    def extend(
        self,
        tenant_id: str,
        scope: str,
        key: str,
        *,
        expires_at: datetime | None,
        held_until: datetime | None = None,
    ) -> bool:
        values = {
            "p_tenant_id": tenant_id,
            "p_scope": scope,
            "p_key": key,
            "p_expires_at": None if expires_at is None else utc(expires_at),
        }
        return self._change(_EXTEND, _EXTEND_HELD, values, held_until)

    def _change(
        self,
        statement: Executable,
        fenced: Executable,
        values: dict[str, Any],
        held_until: datetime | None,
    ) -> bool:
        """Run ``statement``, or with ``held_until`` its ``fenced`` form; True if it changed a
        claim."""
        if held_until is not None:
            values["p_held_until"] = utc(held_until)
            statement = fenced
        with self._db.write() as connection:
            return rowcount(connection.execute(statement, values)) > 0
