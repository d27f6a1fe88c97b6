"""Token buckets in SQL: one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` per take.

The bucket is one number, its TAT (see ``limits.py``). The UPDATE computes, from the row's old
values, whether the take fits (``allowed``) and the new TAT, and returns both; the database runs
competing takes on one bucket one after the other (row lock / write lock), so every worker sees
the same bucket and no two takes spend the same token.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Double, case, select, update

from contextmfa.store.clock import posix
from contextmfa.store.database import Database
from contextmfa.store.limits import (
    EPSILON,
    BucketLimit,
    RateVerdict,
    evaluate_take,
    verdict_after_take,
)
from contextmfa.store.models import RateBucketRow
from contextmfa.store.sql.common import insert_for, p, table

__all__ = ["SqlRateLimiter"]

T = table(RateBucketRow)
_PEEK = select(T.c.tat).where(T.c.tenant_id == p("tenant_id"), T.c.key == p("key"))
_NOW, _STEP = p("now").cast(Double), p("step").cast(Double)
_GIVE_BACK = (
    update(T)
    .where(T.c.tenant_id == p("tenant_id"), T.c.key == p("key"))
    .values(tat=case((T.c.tat - _STEP > _NOW, T.c.tat - _STEP), else_=_NOW))
)


class SqlRateLimiter:
    def __init__(self, db: Database) -> None:
        self._db = db
        now, step, horizon = (p(name).cast(Double) for name in ("now", "step", "horizon"))
        base = case((T.c.tat > now, T.c.tat), else_=now)
        fits = base + step - now <= horizon
        insert = insert_for(db.dialect, T).values(
            tenant_id=p("tenant_id"), key=p("key"), tat=p("first_tat"), allowed=p("first_allowed")
        )
        self._take = insert.on_conflict_do_update(
            index_elements=[T.c.tenant_id, T.c.key],
            set_={"allowed": fits, "tat": case((fits, base + step), else_=T.c.tat)},
        ).returning(T.c.tat, T.c.allowed)

    def take(
        self,
        tenant_id: str,
        bucket_key: str,
        limit: BucketLimit,
        *,
        now: datetime,
        cost: int = 1,
    ) -> RateVerdict:
        if cost < 1:
            raise ValueError("cost must be at least 1")
        seconds = posix(now)
        first, first_tat = evaluate_take(None, seconds, limit, cost)
        step = cost * limit.refill_seconds
        values = {
            "p_tenant_id": tenant_id,
            "p_key": bucket_key,
            "p_first_tat": seconds if first_tat is None else first_tat,
            "p_first_allowed": first.allowed,
            "p_now": seconds,
            "p_step": float(step),
            "p_horizon": limit.horizon + EPSILON,
        }
        with self._db.write() as connection:
            tat, allowed = connection.execute(self._take, values).one()
        return verdict_after_take(float(tat), bool(allowed), seconds, limit, step)

    def peek(
        self, tenant_id: str, bucket_key: str, limit: BucketLimit, *, now: datetime
    ) -> RateVerdict:
        with self._db.read() as connection:
            tat = connection.execute(_PEEK, {"p_tenant_id": tenant_id, "p_key": bucket_key})
            found = tat.scalar()
        return evaluate_take(found, posix(now), limit, 0)[0]

    def give_back(
        self, tenant_id: str, bucket_key: str, limit: BucketLimit, *, now: datetime, cost: int = 1
    ) -> None:
        values = {
            "p_tenant_id": tenant_id,
            "p_key": bucket_key,
            "p_now": posix(now),
            "p_step": float(max(cost, 1) * limit.refill_seconds),
        }
        with self._db.write() as connection:
            connection.execute(_GIVE_BACK, values)
