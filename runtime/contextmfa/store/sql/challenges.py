"""Challenges in SQL: each once-only transition is one conditional UPDATE."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import false, select, true, update

from contextmfa.store.clock import utc
from contextmfa.store.database import Database
from contextmfa.store.models import ChallengeRow
from contextmfa.store.ports import Challenge
from contextmfa.store.sql.common import p, rowcount, table
from contextmfa.store.tokens import new_id

__all__ = ["SqlChallenges"]

T = table(ChallengeRow)
_ONE = (T.c.tenant_id == p("tenant_id")) & (T.c.id == p("id"))
_OPEN = _ONE & (T.c.finished == false())
_LIVE = _OPEN & (T.c.expires_at > p("now"))

_INSERT = T.insert()
_GET = select(T).where(_ONE)
_TAKE_ATTEMPT = (
    update(T).where(_LIVE, T.c.attempts < T.c.max_attempts).values(attempts=T.c.attempts + 1)
)
_FINISH = update(T).where(_LIVE).values(finished=true())
_SET_STATE = update(T).where(_OPEN).values(state=p("state"))
_SET_STATE_DATA = update(T).where(_OPEN).values(state=p("state"), data=p("data"))
_SET_STATE_IF = update(T).where(_OPEN, T.c.state == p("expected")).values(state=p("state"))
_SET_STATE_DATA_IF = (
    update(T).where(_OPEN, T.c.state == p("expected")).values(state=p("state"), data=p("data"))
)


class SqlChallenges:
    def __init__(self, db: Database) -> None:
        self._db = db

    def create(
        self,
        tenant_id: str,
        user_id: str,
        factor: str,
        *,
        authenticator_id: str | None,
        data: Mapping[str, Any],
        code_hash: str | None,
        now: datetime,
        expires_at: datetime,
        max_attempts: int,
    ) -> Challenge:
        record = Challenge(
            id=new_id(),
            tenant_id=tenant_id,
            user_id=user_id,
            factor=factor,
            authenticator_id=authenticator_id,
            created_at=utc(now),
            expires_at=utc(expires_at),
            max_attempts=max_attempts,
            data=copy.deepcopy(dict(data)),
            code_hash=code_hash,
        )
        values = {
            "tenant_id": tenant_id,
            "id": record.id,
            "user_id": user_id,
            "factor": factor,
            "authenticator_id": authenticator_id,
            "created_at": record.created_at,
            "expires_at": record.expires_at,
            "max_attempts": max_attempts,
            "attempts": 0,
            "state": record.state,
            "finished": False,
            "data": copy.deepcopy(dict(data)),
            "code_hash": code_hash,
        }
        with self._db.write() as connection:
            connection.execute(_INSERT, values)
        return record

    def get(self, tenant_id: str, challenge_id: str) -> Challenge | None:
        with self._db.read() as connection:
            row = connection.execute(_GET, _key(tenant_id, challenge_id)).first()
        if row is None:
            return None
        return Challenge(
            id=row.id,
            tenant_id=row.tenant_id,
            user_id=row.user_id,
            factor=row.factor,
            authenticator_id=row.authenticator_id,
            created_at=row.created_at,
            expires_at=row.expires_at,
            max_attempts=row.max_attempts,
            attempts=row.attempts,
            state=row.state,
            finished=row.finished,
            data=row.data,
            code_hash=row.code_hash,
        )

    def take_attempt(self, tenant_id: str, challenge_id: str, *, now: datetime) -> bool:
        return self._once(_TAKE_ATTEMPT, _key(tenant_id, challenge_id) | {"p_now": utc(now)})

    def set_state(
        self,
        tenant_id: str,
        challenge_id: str,
        state: str,
        *,
        data: Mapping[str, Any] | None = None,
        expected: str | None = None,
    ) -> bool:
        values = _key(tenant_id, challenge_id) | {"p_state": state}
        if data is not None:
            values["p_data"] = copy.deepcopy(dict(data))
        if expected is not None:
            values["p_expected"] = expected
            statement = _SET_STATE_IF if data is None else _SET_STATE_DATA_IF
        else:
            statement = _SET_STATE if data is None else _SET_STATE_DATA
        return self._once(statement, values)

    def finish(self, tenant_id: str, challenge_id: str, *, now: datetime) -> bool:
        return self._once(_FINISH, _key(tenant_id, challenge_id) | {"p_now": utc(now)})

    def _once(self, statement: Any, values: dict[str, Any]) -> bool:
        with self._db.write() as connection:
            return rowcount(connection.execute(statement, values)) == 1


def _key(tenant_id: str, challenge_id: str) -> dict[str, Any]:
    return {"p_tenant_id": tenant_id, "p_id": challenge_id}
