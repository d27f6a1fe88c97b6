"""SQL implementations of the store ports (SQLite and PostgreSQL through SQLAlchemy 2).

Every atomic operation is one statement whose WHERE clause (or unique key) decides the race:
``UPDATE ... WHERE finished = false`` for finishing a challenge, ``INSERT ... ON CONFLICT`` for
single-use claims and rate buckets. The database serialises the competing statements (a row lock
on PostgreSQL, the write lock on SQLite) and exactly one sees its condition hold.
"""

from contextmfa.store.sql.action_cache import SqlActionCache
from contextmfa.store.sql.audit import SqlAuditLog
from contextmfa.store.sql.authenticators import SqlAuthenticators
from contextmfa.store.sql.challenges import SqlChallenges
from contextmfa.store.sql.history import SqlHistory
from contextmfa.store.sql.outbox import SqlOutbox
from contextmfa.store.sql.rate_limits import SqlRateLimiter
from contextmfa.store.sql.recorded_logins import SqlLoginRecords
from contextmfa.store.sql.remember import SqlRememberTokens
from contextmfa.store.sql.single_use import SqlSingleUse

__all__ = [
    "SqlActionCache",
    "SqlAuditLog",
    "SqlAuthenticators",
    "SqlChallenges",
    "SqlHistory",
    "SqlLoginRecords",
    "SqlOutbox",
    "SqlRateLimiter",
    "SqlRememberTokens",
    "SqlSingleUse",
]
