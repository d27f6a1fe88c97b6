"""Storage for the factor module and the service: ports, an in-memory store, SQL and Redis.

    from contextmfa.store import Store
    store = Store.open("sqlite:///contextmfa.db", secret_key=os.environ["CONTEXTMFA_SECRET_KEY"])
    store.authenticators.for_user("tenant", "user")

``ports`` (Protocols and records) and ``memory`` import nothing beyond the standard library and
contextmfa itself; :class:`Store` (SQLAlchemy, Alembic, optionally Redis) is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contextmfa.store.codes import CodeHasher, codes_match, hash_code
from contextmfa.store.errors import SecretKeyMismatch, StoreUnavailable
from contextmfa.store.keys import keygen
from contextmfa.store.limits import BucketLimit, RateVerdict
from contextmfa.store.memory import InMemoryStore
from contextmfa.store.ports import (
    AuditEntry,
    AuditLog,
    Authenticator,
    AuthenticatorStore,
    Challenge,
    ChallengeStore,
    Outbox,
    OutboxMessage,
    RateLimiter,
    RememberTokens,
    SingleUse,
)

if TYPE_CHECKING:
    from contextmfa.store.facade import Store, migrate

__all__ = [
    "AuditEntry",
    "AuditLog",
    "Authenticator",
    "AuthenticatorStore",
    "BucketLimit",
    "Challenge",
    "ChallengeStore",
    "CodeHasher",
    "InMemoryStore",
    "Outbox",
    "OutboxMessage",
    "RateLimiter",
    "RateVerdict",
    "RememberTokens",
    "SecretKeyMismatch",
    "SingleUse",
    "Store",
    "StoreUnavailable",
    "codes_match",
    "hash_code",
    "keygen",
    "migrate",
]


def __getattr__(name: str) -> Any:
    if name in ("Store", "migrate"):
        from contextmfa.store import facade

        return getattr(facade, name)
    raise AttributeError(name)
