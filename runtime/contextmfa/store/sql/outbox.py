"""The outbox in SQL: message bodies carry codes, so they are sealed at rest like secrets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from contextmfa.store.clock import utc
from contextmfa.store.crypto import SecretBox
from contextmfa.store.database import Database
from contextmfa.store.models import OutboxRow
from contextmfa.store.ports import OutboxMessage
from contextmfa.store.sql.common import p, table
from contextmfa.store.tokens import new_id

__all__ = ["SqlOutbox"]

T = table(OutboxRow)
_INSERT = T.insert()
_NEWEST = select(T).where(T.c.tenant_id == p("tenant_id")).order_by(T.c.seq.desc())
_LIST = _NEWEST.limit(p("limit"))
_LIST_CHANNEL = _NEWEST.where(T.c.channel == p("channel")).limit(p("limit"))


class SqlOutbox:
    def __init__(self, db: Database, box: SecretBox) -> None:
        self._db = db
        self._box = box

    def put(self, tenant_id: str, channel: str, to: str, body: str, *, now: datetime) -> str:
        message_id = new_id()
        values = {
            "tenant_id": tenant_id,
            "id": message_id,
            "channel": channel,
            "to": to,
            "created_at": utc(now),
            "body": self._box.seal(tenant_id, message_id, body.encode("utf-8")),
        }
        with self._db.write() as connection:
            connection.execute(_INSERT, values)
        return message_id

    def list(
        self, tenant_id: str, *, channel: str | None = None, limit: int = 100
    ) -> list[OutboxMessage]:
        values: dict[str, object] = {"p_tenant_id": tenant_id, "p_limit": limit}
        if channel is not None:
            values["p_channel"] = channel
        with self._db.read() as connection:
            rows = connection.execute(_LIST if channel is None else _LIST_CHANNEL, values).all()
        return [
            OutboxMessage(
                id=row.id,
                tenant_id=row.tenant_id,
                channel=row.channel,
                to=row.to,
                created_at=row.created_at,
                body=self._box.open(row.tenant_id, row.id, row.body).decode("utf-8"),
            )
            for row in rows
        ]
