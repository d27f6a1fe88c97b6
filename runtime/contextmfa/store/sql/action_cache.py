"""The Actions' ``api.cache`` in SQL (the :class:`contextmfa.sandbox.cache.ActionCache` protocol).

Dumb on purpose, like the in-memory one: ``api.cache`` checks key and value sizes and TTLs before
calling. An entry is live while ``now < expires_at``, ``now`` being the login's time. A tenant
holds at most ``capacity`` rows across its Actions: a ``set`` that goes past it deletes the rows
closest to expiry (expired ones first; ties by Action, then key), never the row just written.
On PostgreSQL eviction runs in a transaction of its own, after the write: deleting in that fixed
order while holding no other row lock, two evictions can wait for each other but never deadlock.
SQLite has one writer at a time, so there it shares the write's transaction (one commit, not two).
Expired rows are also deleted by ``Store.purge``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Connection

from contextmfa.sandbox.cache import TENANT_CAPACITY
from contextmfa.store.clock import utc
from contextmfa.store.database import Database
from contextmfa.store.models import ActionCacheRow
from contextmfa.store.sql.common import insert_for, p, table

__all__ = ["SqlActionCache"]

T = table(ActionCacheRow)
_TENANT = T.c.tenant_id == p("tenant_id")
_SPACE = _TENANT & (T.c.action == p("action"))
_GET = select(T.c.value).where(_SPACE, T.c.key == p("key"), T.c.expires_at > p("now"))
_DELETE = delete(T).where(_SPACE, T.c.key == p("key"))
_EXPIRE = delete(T).where(_SPACE, T.c.expires_at <= p("now"))
_COUNT = select(func.count()).select_from(T).where(_SPACE)
_SIZE = select(func.count()).select_from(T).where(_TENANT)
_OLDEST = (
    select(T.c.action, T.c.key)
    .where(_TENANT, ~((T.c.action == p("action")) & (T.c.key == p("key"))))
    .order_by(T.c.expires_at, T.c.action, T.c.key)
    .limit(p("excess"))
)


class SqlActionCache:
    def __init__(self, db: Database, capacity: int = TENANT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._db = db
        self.capacity = capacity
        self._evict_apart = db.dialect == "postgresql"
        insert = insert_for(db.dialect, T)
        self._set = insert.on_conflict_do_update(
            index_elements=[T.c.tenant_id, T.c.action, T.c.key],
            set_={"value": insert.excluded.value, "expires_at": insert.excluded.expires_at},
        )

    def get(self, tenant_id: str, action: str, key: str, now: datetime) -> str | None:
        values = {"p_tenant_id": tenant_id, "p_action": action, "p_key": key, "p_now": utc(now)}
        with self._db.read() as connection:
            found: str | None = connection.execute(_GET, values).scalar()
        return found

    def set(
        self, tenant_id: str, action: str, key: str, value: str, ttl_seconds: int, now: datetime
    ) -> None:
        row = {
            "tenant_id": tenant_id,
            "action": action,
            "key": key,
            "value": value,
            "expires_at": utc(now) + timedelta(seconds=ttl_seconds),
        }
        written = {"p_tenant_id": tenant_id, "p_action": action, "p_key": key}
        with self._db.write() as connection:
            connection.execute(self._set, row)
            excess = int(connection.execute(_SIZE, written).scalar() or 0) - self.capacity
            if excess > 0 and not self._evict_apart:
                _evict(connection, written, excess)
        if excess > 0 and self._evict_apart:
            with self._db.write() as connection:
                _evict(connection, written, excess)

    def delete(self, tenant_id: str, action: str, key: str) -> None:
        values = {"p_tenant_id": tenant_id, "p_action": action, "p_key": key}
        with self._db.write() as connection:
            connection.execute(_DELETE, values)

    def entry_count(self, tenant_id: str, action: str, now: datetime) -> int:
        """Live entries of one Action (for tests and operators; ``api.cache`` does not count)."""
        space = {"p_tenant_id": tenant_id, "p_action": action}
        with self._db.write() as connection:
            connection.execute(_EXPIRE, space | {"p_now": utc(now)})
            return int(connection.execute(_COUNT, space).scalar() or 0)


def _evict(connection: Connection, written: dict[str, str], excess: int) -> None:
    """Delete the tenant's ``excess`` rows closest to expiry, except the one just written."""
    oldest = connection.execute(_OLDEST, written | {"p_excess": excess}).all()
    if oldest:
        tenant = written["p_tenant_id"]
        connection.execute(
            _DELETE, [{"p_tenant_id": tenant, "p_action": a, "p_key": k} for a, k in oldest]
        )
