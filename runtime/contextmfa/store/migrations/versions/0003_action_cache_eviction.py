"""The Actions' cache is sized per tenant: an index in eviction order (closest to expiry first).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_action_cache_tenant_id_expires_at_action_key",
        "action_cache",
        ["tenant_id", "expires_at", "action", "key"],
    )


def downgrade() -> None:
    op.drop_index("ix_action_cache_tenant_id_expires_at_action_key", table_name="action_cache")
