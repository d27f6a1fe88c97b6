"""The Actions' ``api.cache`` in SQL (the :class:`contextmfa.sandbox.cache.ActionCache` protocol).

Dumb on purpose, like the in-memory one: ``api.cache`` checks key and value sizes, TTLs and the
entry count before calling. An entry is live while ``now < expires_at``, ``now`` being the
login's time. Expired entries are deleted when counted (and by ``Store.purge``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from contextmfa.store.clock import utc
from contextmfa.store.database import Database
from contextmfa.store.models import ActionCacheRow
from contextmfa.store.sql.common import insert_for, p, table

__all__ = ["SqlActionCache"]

T = table(ActionCacheRow)
_SPACE = (T.c.tenant_id == p("tenant_id")) & (T.c.action == p("action"))
_GET = select(T.c.value).where(_SPACE, T.c.key == p("key"), T.c.expires_at > p("now"))
_DELETE = delete(T).where(_SPACE, T.c.key == p("key"))
_EXPIRE = delete(T).where(_SPACE, T.c.expires_at <= p("now"))
_COUNT = select(func.count()).select_from(T).where(_SPACE)


class SqlActionCache:
    def __init__(self, db: Database) -> None:
        self._db = db
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
        with self._db.write() as connection:
            connection.execute(self._set, row)

    def delete(self, tenant_id: str, action: str, key: str) -> None:
        values = {"p_tenant_id": tenant_id, "p_action": action, "p_key": key}
        with self._db.write() as connection:
            connection.execute(_DELETE, values)

    def entry_count(self, tenant_id: str, action: str, now: datetime) -> int:
        space = {"p_tenant_id": tenant_id, "p_action": action}
        with self._db.write() as connection:
            connection.execute(_EXPIRE, space | {"p_now": utc(now)})
            return int(connection.execute(_COUNT, space).scalar() or 0)
