"""Remember-browser tokens in SQL, stored as SHA-256 of the token.

The row is found by its hash (an index lookup: the timing tells an attacker nothing about a
256-bit token's preimage), then the hash and the user are compared in constant time.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from contextmfa.store.clock import utc
from contextmfa.store.database import Database
from contextmfa.store.models import RememberTokenRow
from contextmfa.store.sql.common import p, rowcount, table
from contextmfa.store.tokens import new_token, token_hash

__all__ = ["SqlRememberTokens"]

T = table(RememberTokenRow)
_INSERT = T.insert()
_FIND = select(T).where(T.c.tenant_id == p("tenant_id"), T.c.token_hash == p("hash"))
_FORGET_USER = delete(T).where(T.c.tenant_id == p("tenant_id"), T.c.user_id == p("user_id"))


class SqlRememberTokens:
    def __init__(self, db: Database) -> None:
        self._db = db

    def issue(self, tenant_id: str, user_id: str, *, now: datetime, days: int) -> str:
        token = new_token()
        moment = utc(now)
        values = {
            "tenant_id": tenant_id,
            "token_hash": token_hash(token),
            "user_id": user_id,
            "created_at": moment,
            "expires_at": moment + timedelta(days=days),
        }
        with self._db.write() as connection:
            connection.execute(_INSERT, values)
        return token

    def check(self, tenant_id: str, user_id: str, token: str, *, now: datetime) -> bool:
        candidate = token_hash(token)
        moment = utc(now)
        with self._db.read() as connection:
            row = connection.execute(_FIND, {"p_tenant_id": tenant_id, "p_hash": candidate})
            found = row.first()
        if found is None:
            return False
        same_hash = hmac.compare_digest(found.token_hash, candidate)
        same_user = hmac.compare_digest(found.user_id.encode(), user_id.encode())
        return same_hash and same_user and moment < found.expires_at

    def invalidate_user(self, tenant_id: str, user_id: str) -> int:
        values = {"p_tenant_id": tenant_id, "p_user_id": user_id}
        with self._db.write() as connection:
            return rowcount(connection.execute(_FORGET_USER, values))
