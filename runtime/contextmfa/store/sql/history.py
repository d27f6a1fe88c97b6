"""Login history in SQL: the :class:`contextmfa.enrich.history.History` the service's engine reads.

Each question the risk assessment asks is one indexed query: the last login is the first entry of
``(tenant_id, user_id, timestamp, id)`` read backwards; a device's or user agent's last-seen time
is ``MAX(timestamp)`` over ``(tenant_id, user_id, <sha256>, timestamp)``. Device ids and user
agents are looked up by their SHA-256, since a user agent can be longer than a B-tree key may be.

The engine adds only logins whose outcome was not ``deny``. ``logins()`` returns at most
``keep_logins`` records (the most recent), oldest first, like :class:`InMemoryHistory`; rows
older than a retention period are removed by ``Store.purge``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select

from contextmfa.enrich.history import LoginRecord
from contextmfa.store.clock import utc
from contextmfa.store.database import Database
from contextmfa.store.models import LoginRow
from contextmfa.store.sql.common import p, table

__all__ = [
    "INSERT",
    "INSERT_IF_UNCHANGED",
    "VERSION",
    "VERSION_AND_SEEN",
    "SqlHistory",
    "digest",
    "history_values",
]

T = table(LoginRow)
_USER = (T.c.tenant_id == p("tenant_id")) & (T.c.user_id == p("user_id"))
INSERT = T.insert()
VERSION = select(func.coalesce(func.max(T.c.id), 0)).where(_USER)
"""The user's history version: the newest row id, 0 for none. Ids only grow, so any login added
since a version was read makes it larger."""
_COLUMNS = (
    "tenant_id",
    "user_id",
    "timestamp",
    "device_id",
    "device_hash",
    "user_agent",
    "agent_hash",
    "latitude",
    "longitude",
    "country_code",
)
INSERT_IF_UNCHANGED = insert(T).from_select(
    _COLUMNS,
    select(*(bindparam(f"p_{name}", type_=T.c[name].type) for name in _COLUMNS)).where(
        VERSION.scalar_subquery() == p("seen")
    ),
)
"""The history row of :func:`history_values` (as ``p_<column>``), inserted only while the
user's history version is still ``p_seen``: the check and the insert in one statement."""
_LATEST = select(T).where(_USER).order_by(T.c.timestamp.desc(), T.c.id.desc()).limit(p("limit"))
_DEVICE_SEEN = select(func.max(T.c.timestamp)).where(_USER, T.c.device_hash == p("hash"))
_AGENT_SEEN = select(func.max(T.c.timestamp)).where(_USER, T.c.agent_hash == p("hash"))
VERSION_AND_SEEN = select(
    VERSION.scalar_subquery().label("version"),
    select(func.max(T.c.timestamp))
    .where(_USER, T.c.device_hash == p("device_hash"))
    .scalar_subquery()
    .label("device_seen"),
    select(func.max(T.c.timestamp))
    .where(_USER, T.c.agent_hash == p("agent_hash"))
    .scalar_subquery()
    .label("agent_seen"),
)
"""The version and a device's and a user agent's last-seen times in one statement (one round
trip, one snapshot): what a login's evaluation asks of the history besides its last entry."""


def digest(value: str | None) -> str | None:
    """How a device id or user agent is indexed (module docstring)."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest() if value else None


def history_values(tenant_id: str, user_id: str, record: LoginRecord) -> dict[str, Any]:
    """The row :data:`INSERT` writes for one login."""
    return {
        "tenant_id": tenant_id,
        "user_id": user_id,
        "timestamp": utc(record.timestamp),
        "device_id": record.device_id or None,
        "device_hash": digest(record.device_id),
        "user_agent": record.user_agent or None,
        "agent_hash": digest(record.user_agent),
        "latitude": record.latitude,
        "longitude": record.longitude,
        "country_code": record.country_code,
    }


class SqlHistory:
    def __init__(self, db: Database, *, keep_logins: int = 100) -> None:
        if keep_logins < 1:
            raise ValueError("keep_logins must be at least 1")
        self._db = db
        self._keep = keep_logins

    def add(self, tenant_id: str, user_id: str, record: LoginRecord) -> None:
        with self._db.write() as connection:
            connection.execute(INSERT, history_values(tenant_id, user_id, record))

    def logins(self, tenant_id: str, user_id: str) -> Sequence[LoginRecord]:
        return tuple(reversed(self._latest(tenant_id, user_id, self._keep)))

    def last(self, tenant_id: str, user_id: str) -> LoginRecord | None:
        found = self._latest(tenant_id, user_id, 1)
        return found[0] if found else None

    def device_last_seen(self, tenant_id: str, user_id: str, device_id: str) -> datetime | None:
        if not device_id:
            return None
        return self._seen(_DEVICE_SEEN, tenant_id, user_id, device_id)

    def user_agent_last_seen(
        self, tenant_id: str, user_id: str, user_agent: str
    ) -> datetime | None:
        if not user_agent:
            return None
        return self._seen(_AGENT_SEEN, tenant_id, user_id, user_agent)

    def _latest(self, tenant_id: str, user_id: str, limit: int) -> list[LoginRecord]:
        values = {"p_tenant_id": tenant_id, "p_user_id": user_id, "p_limit": limit}
        with self._db.read() as connection:
            rows = connection.execute(_LATEST, values).all()
        return [
            LoginRecord(
                timestamp=row.timestamp,
                device_id=row.device_id,
                user_agent=row.user_agent,
                latitude=row.latitude,
                longitude=row.longitude,
                country_code=row.country_code,
            )
            for row in rows
        ]

    def _seen(self, query: Any, tenant_id: str, user_id: str, value: str) -> datetime | None:
        values = {"p_tenant_id": tenant_id, "p_user_id": user_id, "p_hash": digest(value)}
        with self._db.read() as connection:
            seen: datetime | None = connection.execute(query, values).scalar()
        return seen
