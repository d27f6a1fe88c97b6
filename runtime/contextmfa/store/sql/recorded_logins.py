"""Recorded logins in SQL: appended by the service, streamed out by ``contextmfa logins export``.

Export reads in pages of :data:`PAGE` rows by ``seq`` (keyset pagination), each page in its own
short read, so exporting millions of logins holds neither a long transaction nor the whole result.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from contextmfa.store.clock import utc
from contextmfa.store.database import Database
from contextmfa.store.models import RecordedLoginRow
from contextmfa.store.ports import RecordedLogin
from contextmfa.store.sql.common import p, rowcount, table

__all__ = ["INSERT", "PAGE", "SqlLoginRecords", "recorded_values"]

PAGE = 1000

T = table(RecordedLoginRow)
INSERT = T.insert()


def recorded_values(login: RecordedLogin) -> dict[str, Any]:
    """The row :data:`INSERT` writes for one decided login. The event and decision are not
    copied (a deep copy was a tenth of a login's cost): the JSON columns serialise them when the
    statement runs."""
    return {
        "tenant_id": login.tenant_id,
        "login_id": login.login_id,
        "user_id": login.user_id,
        "occurred_at": utc(login.occurred_at),
        "recorded_at": utc(login.recorded_at),
        "config_version": login.config_version,
        "outcome": str(login.decision.get("outcome", "")),
        "event": dict(login.event),
        "decision": dict(login.decision),
    }


class SqlLoginRecords:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, login: RecordedLogin) -> None:
        with self._db.write() as connection:
            connection.execute(INSERT, recorded_values(login))

    def export(
        self,
        tenant_id: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        user_id: str | None = None,
    ) -> Iterator[RecordedLogin]:
        query = select(T).where(T.c.tenant_id == p("tenant_id"), T.c.seq > p("after"))
        values: dict[str, Any] = {"p_tenant_id": tenant_id}
        if since is not None:
            query = query.where(T.c.occurred_at >= p("since"))
            values["p_since"] = utc(since)
        if until is not None:
            query = query.where(T.c.occurred_at < p("until"))
            values["p_until"] = utc(until)
        if user_id is not None:
            query = query.where(T.c.user_id == p("user_id"))
            values["p_user_id"] = user_id
        query = query.order_by(T.c.seq).limit(PAGE)
        after = 0
        while True:
            with self._db.read() as connection:
                rows = connection.execute(query, {**values, "p_after": after}).all()
            for row in rows:
                yield RecordedLogin(
                    tenant_id=row.tenant_id,
                    login_id=row.login_id,
                    user_id=row.user_id,
                    occurred_at=row.occurred_at,
                    recorded_at=row.recorded_at,
                    config_version=row.config_version,
                    event=row.event,
                    decision=row.decision,
                )
            if len(rows) < PAGE:
                return
            after = rows[-1].seq

    def purge(self, tenant_id: str, *, before: datetime) -> int:
        statement = delete(T).where(T.c.tenant_id == tenant_id, T.c.recorded_at < utc(before))
        with self._db.write() as connection:
            return rowcount(connection.execute(statement))
