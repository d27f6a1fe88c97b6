"""Recorded logins: every login the service decided, for ``contextmfa logins export``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _time(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "recorded_logins",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant_id", sa.String(128), nullable=False),
        sa.Column("login_id", sa.String(255), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        _time("occurred_at"),
        _time("recorded_at"),
        sa.Column("config_version", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("event", _json(), nullable=False),
        sa.Column("decision", _json(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_recorded_logins"),
    )
    op.create_index(
        "ix_recorded_logins_tenant_id_occurred_at",
        "recorded_logins",
        ["tenant_id", "occurred_at"],
    )
    op.create_index(
        "ix_recorded_logins_tenant_id_user_id_seq",
        "recorded_logins",
        ["tenant_id", "user_id", "seq"],
    )
    op.create_index(
        "ix_recorded_logins_tenant_id_recorded_at",
        "recorded_logins",
        ["tenant_id", "recorded_at"],
    )


def downgrade() -> None:
    op.drop_table("recorded_logins")
