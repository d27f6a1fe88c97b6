"""The SQL schema: one table per concept, every row keyed by tenant first.

``tenant_id`` leads every primary key, unique key and index, so every query the store runs is a
range of one tenant's rows. The Alembic migrations in ``migrations/versions/`` must produce exactly
this schema (a test compares them).

What is sensitive is never stored in clear: ``authenticators.secret`` and ``outbox.body`` hold
Fernet tokens (``crypto.py``); ``challenges.code_hash`` a keyed hash (``codes.py``);
``remember_tokens.token_hash`` a SHA-256 of a 256-bit token. User agents and device ids are
indexed through their SHA-256 (``*_hash``), since either can be long enough to break a B-tree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Double,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = [
    "ActionCacheRow",
    "AuditRow",
    "AuthenticatorRow",
    "Base",
    "ChallengeRow",
    "LoginRow",
    "OutboxRow",
    "RateBucketRow",
    "RecordedLoginRow",
    "RememberTokenRow",
    "SingleUseRow",
]

TENANT = 128
IDENT = 255


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (naive text) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("the store needs timezone-aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JsonDoc = JSON().with_variant(JSONB(), "postgresql")
# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
Serial = BigInteger().with_variant(Integer(), "sqlite")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class AuthenticatorRow(Base):
    __tablename__ = "authenticators"
    __table_args__ = (Index(None, "tenant_id", "user_id", "created_at"),)

    tenant_id: Mapped[str] = mapped_column(String(TENANT), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(IDENT))
    type: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(IDENT))
    confirmed: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    public: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(BigInteger)


class ChallengeRow(Base):
    __tablename__ = "challenges"
    __table_args__ = (Index(None, "expires_at"),)

    tenant_id: Mapped[str] = mapped_column(String(TENANT), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(IDENT))
    factor: Mapped[str] = mapped_column(String(32))
    authenticator_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    max_attempts: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(32))
    finished: Mapped[bool] = mapped_column(Boolean)
    data: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    code_hash: Mapped[str | None] = mapped_column(String(128))


class SingleUseRow(Base):
    __tablename__ = "single_use"
    __table_args__ = (Index(None, "expires_at"),)

    tenant_id: Mapped[str] = mapped_column(String(TENANT), primary_key=True)
    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(IDENT), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RateBucketRow(Base):
    __tablename__ = "rate_buckets"
    __table_args__ = (Index(None, "tat"),)

    tenant_id: Mapped[str] = mapped_column(String(TENANT), primary_key=True)
    key: Mapped[str] = mapped_column(String(IDENT), primary_key=True)
    tat: Mapped[float] = mapped_column(Double)  # POSIX seconds at which the bucket is full
    allowed: Mapped[bool] = mapped_column(Boolean)  # the verdict of the last take


class RememberTokenRow(Base):
    __tablename__ = "remember_tokens"
    __table_args__ = (Index(None, "tenant_id", "user_id"),)

    tenant_id: Mapped[str] = mapped_column(String(TENANT), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(IDENT))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ActionCacheRow(Base):
    __tablename__ = "action_cache"
    __table_args__ = (
        Index(None, "tenant_id", "action", "expires_at"),
        Index(None, "tenant_id", "expires_at", "action", "key"),  # eviction order
    )

    tenant_id: Mapped[str] = mapped_column(String(TENANT), primary_key=True)
    action: Mapped[str] = mapped_column(String(IDENT), primary_key=True)
    key: Mapped[str] = mapped_column(String(IDENT), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LoginRow(Base):
    __tablename__ = "login_history"
    __table_args__ = (
        Index(None, "tenant_id", "user_id", "timestamp", "id"),
        Index(None, "tenant_id", "user_id", "device_hash", "timestamp"),
        Index(None, "tenant_id", "user_id", "agent_hash", "timestamp"),
    )

    id: Mapped[int] = mapped_column(Serial, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(String(TENANT))
    user_id: Mapped[str] = mapped_column(String(IDENT))
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime)
    device_id: Mapped[str | None] = mapped_column(Text)
    device_hash: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(Text)
    agent_hash: Mapped[str | None] = mapped_column(String(64))
    latitude: Mapped[float | None] = mapped_column(Double)
    longitude: Mapped[float | None] = mapped_column(Double)
    country_code: Mapped[str | None] = mapped_column(String(8))


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        Index(None, "tenant_id", "channel", "seq"),
    )

    seq: Mapped[int] = mapped_column(Serial, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(String(TENANT))
    id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    to: Mapped[str] = mapped_column(String(IDENT))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    body: Mapped[bytes] = mapped_column(LargeBinary)  # Fernet token: bodies carry codes


class AuditRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        Index(None, "tenant_id", "user_id", "seq"),
    )

    seq: Mapped[int] = mapped_column(Serial, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(String(TENANT))
    id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str | None] = mapped_column(String(IDENT))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDoc)


class RecordedLoginRow(Base):
    """A login the service decided: the event as served, its decision and the config version.

    Read back in ``seq`` order (the order the service decided them, which is the order their
    risk history saw them), filtered by the login's own time and user.
    """

    __tablename__ = "recorded_logins"
    __table_args__ = (
        Index(None, "tenant_id", "occurred_at"),
        Index(None, "tenant_id", "user_id", "seq"),
        Index(None, "tenant_id", "recorded_at"),
    )

    seq: Mapped[int] = mapped_column(Serial, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(String(TENANT))
    login_id: Mapped[str] = mapped_column(String(IDENT))
    user_id: Mapped[str] = mapped_column(String(IDENT))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    config_version: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    event: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    decision: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
