"""Authenticators in SQL; the secret is sealed with :class:`SecretBox` before it leaves memory."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, true, update

from contextmfa.store.clock import utc
from contextmfa.store.crypto import SecretBox
from contextmfa.store.database import Database
from contextmfa.store.models import AuthenticatorRow
from contextmfa.store.ports import Authenticator
from contextmfa.store.sql.common import p, rowcount, table
from contextmfa.store.tokens import new_id

__all__ = ["SqlAuthenticators"]

T = table(AuthenticatorRow)
_ONE = (T.c.tenant_id == p("tenant_id")) & (T.c.id == p("id"))
_USER = (T.c.tenant_id == p("tenant_id")) & (T.c.user_id == p("user_id"))
_ORDER = (T.c.created_at, T.c.id)

_INSERT = T.insert()
_GET = select(T).where(_ONE)
_FOR_USER = select(T).where(_USER).order_by(*_ORDER)
_CONFIRMED_FOR_USER = select(T).where(_USER, T.c.confirmed == true()).order_by(*_ORDER)
_CONFIRM = update(T).where(_ONE).values(confirmed=True)
_SET_PUBLIC = update(T).where(_ONE).values(public=p("public"))
_TOUCH = update(T).where(_ONE).values(last_used_at=p("now"))
_CAS_SIGN_COUNT = update(T).where(_ONE, T.c.sign_count == p("old")).values(sign_count=p("new"))
_REMOVE = delete(T).where(_ONE)
_REMOVE_FOR_USER = delete(T).where(_USER)


class SqlAuthenticators:
    def __init__(self, db: Database, box: SecretBox) -> None:
        self._db = db
        self._box = box

    def add(
        self,
        tenant_id: str,
        user_id: str,
        type: str,
        *,
        name: str,
        public: Mapping[str, Any],
        secret: bytes | None,
        confirmed: bool,
        now: datetime,
    ) -> Authenticator:
        record = Authenticator(
            id=new_id(),
            tenant_id=tenant_id,
            user_id=user_id,
            type=type,
            name=name,
            confirmed=confirmed,
            created_at=utc(now),
            public=copy.deepcopy(dict(public)),
            secret=secret,
        )
        sealed = None if secret is None else self._box.seal(tenant_id, record.id, secret)
        values = {
            "tenant_id": tenant_id,
            "id": record.id,
            "user_id": user_id,
            "type": type,
            "name": name,
            "confirmed": confirmed,
            "created_at": record.created_at,
            "last_used_at": None,
            "public": copy.deepcopy(dict(public)),
            "secret": sealed,
            "sign_count": 0,
        }
        with self._db.write() as connection:
            connection.execute(_INSERT, values)
        return record

    def get(self, tenant_id: str, authenticator_id: str) -> Authenticator | None:
        with self._db.read() as connection:
            row = connection.execute(_GET, _key(tenant_id, authenticator_id)).first()
        return None if row is None else self._record(row)

    def for_user(
        self, tenant_id: str, user_id: str, *, confirmed_only: bool = True
    ) -> list[Authenticator]:
        query = _CONFIRMED_FOR_USER if confirmed_only else _FOR_USER
        with self._db.read() as connection:
            rows = connection.execute(query, {"p_tenant_id": tenant_id, "p_user_id": user_id})
            return [self._record(row) for row in rows.all()]

    def confirm(self, tenant_id: str, authenticator_id: str, *, now: datetime) -> bool:
        utc(now)
        return self._change(_CONFIRM, _key(tenant_id, authenticator_id)) == 1

    def update_public(
        self, tenant_id: str, authenticator_id: str, public: Mapping[str, Any]
    ) -> bool:
        values = _key(tenant_id, authenticator_id) | {"p_public": copy.deepcopy(dict(public))}
        return self._change(_SET_PUBLIC, values) == 1

    def touch(self, tenant_id: str, authenticator_id: str, *, now: datetime) -> bool:
        values = _key(tenant_id, authenticator_id) | {"p_now": utc(now)}
        return self._change(_TOUCH, values) == 1

    def remove(self, tenant_id: str, authenticator_id: str) -> bool:
        return self._change(_REMOVE, _key(tenant_id, authenticator_id)) == 1

    def remove_for_user(self, tenant_id: str, user_id: str) -> int:
        return self._change(_REMOVE_FOR_USER, {"p_tenant_id": tenant_id, "p_user_id": user_id})

    def compare_and_set_sign_count(
        self, tenant_id: str, authenticator_id: str, old: int, new: int
    ) -> bool:
        values = _key(tenant_id, authenticator_id) | {"p_old": old, "p_new": new}
        return self._change(_CAS_SIGN_COUNT, values) == 1

    def _change(self, statement: Any, values: dict[str, Any]) -> int:
        with self._db.write() as connection:
            return rowcount(connection.execute(statement, values))

    def _record(self, row: Any) -> Authenticator:
        secret = None if row.secret is None else self._box.open(row.tenant_id, row.id, row.secret)
        return Authenticator(
            id=row.id,
            tenant_id=row.tenant_id,
            user_id=row.user_id,
            type=row.type,
            name=row.name,
            confirmed=row.confirmed,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            public=row.public,
            secret=secret,
            sign_count=row.sign_count,
        )


def _key(tenant_id: str, authenticator_id: str) -> dict[str, Any]:
    return {"p_tenant_id": tenant_id, "p_id": authenticator_id}
