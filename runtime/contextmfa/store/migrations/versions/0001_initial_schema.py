"""Initial schema: authenticators, challenges, single-use claims, rate buckets, remember tokens,
the Actions cache, login history, outbox and audit log.

Written out in full (no import of ``contextmfa.store.models``) so that this revision keeps
meaning what it meant when later revisions change the models.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _serial() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _time(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _tenant() -> sa.Column[str]:
    return sa.Column("tenant_id", sa.String(128), nullable=False)


def _string(name: str, length: int = 255, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "authenticators",
        _tenant(),
        _string("id", 64),
        _string("user_id"),
        _string("type", 32),
        _string("name"),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        _time("created_at"),
        _time("last_used_at", nullable=True),
        sa.Column("public", _json(), nullable=False),
        sa.Column("secret", sa.LargeBinary(), nullable=True),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_authenticators"),
    )
    op.create_index(
        "ix_authenticators_tenant_id_user_id_created_at",
        "authenticators",
        ["tenant_id", "user_id", "created_at"],
    )

    op.create_table(
        "challenges",
        _tenant(),
        _string("id", 64),
        _string("user_id"),
        _string("factor", 32),
        _string("authenticator_id", 64, nullable=True),
        _time("created_at"),
        _time("expires_at"),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _string("state", 32),
        sa.Column("finished", sa.Boolean(), nullable=False),
        sa.Column("data", _json(), nullable=False),
        _string("code_hash", 128, nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_challenges"),
    )
    op.create_index("ix_challenges_expires_at", "challenges", ["expires_at"])

    op.create_table(
        "single_use",
        _tenant(),
        _string("scope", 64),
        _string("key"),
        _time("created_at"),
        _time("expires_at", nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "scope", "key", name="pk_single_use"),
    )
    op.create_index("ix_single_use_expires_at", "single_use", ["expires_at"])

    op.create_table(
        "rate_buckets",
        _tenant(),
        _string("key"),
        sa.Column("tat", sa.Double(), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "key", name="pk_rate_buckets"),
    )
    op.create_index("ix_rate_buckets_tat", "rate_buckets", ["tat"])

    op.create_table(
        "remember_tokens",
        _tenant(),
        _string("token_hash", 64),
        _string("user_id"),
        _time("created_at"),
        _time("expires_at"),
        sa.PrimaryKeyConstraint("tenant_id", "token_hash", name="pk_remember_tokens"),
    )
    op.create_index(
        "ix_remember_tokens_tenant_id_user_id", "remember_tokens", ["tenant_id", "user_id"]
    )

    op.create_table(
        "action_cache",
        _tenant(),
        _string("action"),
        _string("key"),
        sa.Column("value", sa.Text(), nullable=False),
        _time("expires_at"),
        sa.PrimaryKeyConstraint("tenant_id", "action", "key", name="pk_action_cache"),
    )
    op.create_index(
        "ix_action_cache_tenant_id_action_expires_at",
        "action_cache",
        ["tenant_id", "action", "expires_at"],
    )

    op.create_table(
        "login_history",
        sa.Column("id", _serial(), autoincrement=True, nullable=False),
        _tenant(),
        _string("user_id"),
        _time("timestamp"),
        sa.Column("device_id", sa.Text(), nullable=True),
        _string("device_hash", 64, nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        _string("agent_hash", 64, nullable=True),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        _string("country_code", 8, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_login_history"),
    )
    for name, columns in (
        ("timestamp_id", ["timestamp", "id"]),
        ("device_hash_timestamp", ["device_hash", "timestamp"]),
        ("agent_hash_timestamp", ["agent_hash", "timestamp"]),
    ):
        op.create_index(
            f"ix_login_history_tenant_id_user_id_{name}",
            "login_history",
            ["tenant_id", "user_id", *columns],
        )

    op.create_table(
        "outbox",
        sa.Column("seq", _serial(), autoincrement=True, nullable=False),
        _tenant(),
        _string("id", 64),
        _string("channel", 16),
        _string("to"),
        _time("created_at"),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_outbox"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_outbox_tenant_id_id"),
    )
    op.create_index("ix_outbox_tenant_id_channel_seq", "outbox", ["tenant_id", "channel", "seq"])

    op.create_table(
        "audit_log",
        sa.Column("seq", _serial(), autoincrement=True, nullable=False),
        _tenant(),
        _string("id", 64),
        _string("kind", 64),
        _string("user_id", nullable=True),
        _time("created_at"),
        sa.Column("detail", _json(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_log"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_audit_log_tenant_id_id"),
    )
    op.create_index(
        "ix_audit_log_tenant_id_user_id_seq", "audit_log", ["tenant_id", "user_id", "seq"]
    )


def downgrade() -> None:
    for table in (
        "audit_log",
        "outbox",
        "login_history",
        "action_cache",
        "remember_tokens",
        "rate_buckets",
        "single_use",
        "challenges",
        "authenticators",
    ):
        op.drop_table(table)
