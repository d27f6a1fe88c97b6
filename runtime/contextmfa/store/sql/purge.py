"""Housekeeping: delete what can no longer matter (run it from a periodic job or the CLI).

Nothing here is needed for correctness: expired challenges, claims, tokens and cache entries are
already refused by the queries that read them. Purging keeps tables small. Login history and the
outbox are kept for a retention period; the audit log is never purged here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete

from contextmfa.store.clock import posix, utc
from contextmfa.store.database import Database
from contextmfa.store.models import (
    ActionCacheRow,
    ChallengeRow,
    LoginRow,
    OutboxRow,
    RateBucketRow,
    RememberTokenRow,
    SingleUseRow,
)
from contextmfa.store.sql.common import rowcount

__all__ = ["CHALLENGE_GRACE", "purge"]

# Keep an expired challenge this long, so a late poll is told "expired" rather than "unknown".
CHALLENGE_GRACE = timedelta(hours=1)


def purge(
    db: Database, now: datetime, *, history_days: int = 365, outbox_days: int = 7
) -> dict[str, int]:
    """Delete expired rows in every tenant; returns the number deleted per table."""
    moment = utc(now)
    statements = {
        "challenges": delete(ChallengeRow).where(
            ChallengeRow.expires_at < moment - CHALLENGE_GRACE
        ),
        "single_use": delete(SingleUseRow).where(SingleUseRow.expires_at <= moment),
        "rate_buckets": delete(RateBucketRow).where(RateBucketRow.tat <= posix(moment)),
        "remember_tokens": delete(RememberTokenRow).where(RememberTokenRow.expires_at <= moment),
        "action_cache": delete(ActionCacheRow).where(ActionCacheRow.expires_at <= moment),
        "login_history": delete(LoginRow).where(
            LoginRow.timestamp < moment - timedelta(days=history_days)
        ),
        "outbox": delete(OutboxRow).where(
            OutboxRow.created_at < moment - timedelta(days=outbox_days)
        ),
    }
    counts: dict[str, int] = {}
    for name, statement in statements.items():
        with db.write() as connection:
            counts[name] = rowcount(connection.execute(statement))
    return counts
