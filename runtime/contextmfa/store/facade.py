"""The store as the service and the CLI use it: every port behind one object, opened from a URL.

    store = Store.open("sqlite:///contextmfa.db", secret_key=key)            # embedded
    store = Store.open("postgresql+psycopg://mfa@db/mfa", secret_key=key,
                       redis_url="redis://cache:6379/0")                      # many workers
    store = Store.open("sqlite://", development=True)                        # tests, replay

Opening migrates the schema to the newest revision. The secret key is the argument, else
``CONTEXTMFA_SECRET_KEY``; without either, opening fails with a ConfigError unless
``development=True`` (a fixed, public key, with a logged warning).

With ``redis_url``, send limits, the Actions cache and challenge state live in Redis; the rest
(authenticators, single-use claims, remember tokens, history, outbox, audit, recorded logins)
stays in SQL. Verification attempts (``attempt_limits``: wrong OTP and recovery codes, WebAuthn
failures) are always counted in SQL: Redis keeps nothing across a restart, and a restart must
never hand a guesser a fresh budget.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from contextmfa.enrich.history import History
from contextmfa.sandbox.cache import ActionCache
from contextmfa.store.codes import CodeHasher
from contextmfa.store.crypto import SecretBox
from contextmfa.store.database import Database, translated_errors
from contextmfa.store.keys import MasterKey, load_master_key
from contextmfa.store.ports import (
    AuditLog,
    AuthenticatorStore,
    ChallengeStore,
    LoginRecords,
    Outbox,
    RateLimiter,
    RememberTokens,
    SingleUse,
)
from contextmfa.store.schema import upgrade
from contextmfa.store.sql import (
    SqlActionCache,
    SqlAuditLog,
    SqlAuthenticators,
    SqlChallenges,
    SqlHistory,
    SqlLoginRecords,
    SqlOutbox,
    SqlRateLimiter,
    SqlRememberTokens,
    SqlSingleUse,
)
from contextmfa.store.sql.login_commit import SqlLoginCommit
from contextmfa.store.sql.purge import purge

__all__ = ["Store", "migrate"]


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest schema (no key needed)."""
    db = Database(url)
    try:
        with translated_errors():
            upgrade(db.engine)
    finally:
        db.dispose()


class Store:
    """Every port of ``store.ports`` plus ``history``, ``action_cache`` and ``codes``."""

    authenticators: AuthenticatorStore
    challenges: ChallengeStore
    single_use: SingleUse
    rate_limits: RateLimiter
    attempt_limits: RateLimiter
    remember: RememberTokens
    outbox: Outbox
    audit: AuditLog
    logins: LoginRecords
    history: History
    login_commit: SqlLoginCommit
    action_cache: ActionCache
    codes: CodeHasher

    def __init__(self, db: Database, master: MasterKey, redis_url: str | None = None) -> None:
        box = SecretBox(master)
        self.database = db
        self.development = master.development
        self.codes = CodeHasher(master)
        self.authenticators = SqlAuthenticators(db, box)
        self.single_use = SqlSingleUse(db)
        self.remember = SqlRememberTokens(db)
        self.outbox = SqlOutbox(db, box)
        self.audit = SqlAuditLog(db)
        self.logins = SqlLoginRecords(db)
        self.history = SqlHistory(db)
        self.login_commit = SqlLoginCommit(db)
        self.attempt_limits = SqlRateLimiter(db)
        self._redis = None
        if redis_url is None:
            self.challenges = SqlChallenges(db)
            self.rate_limits = self.attempt_limits
            self.action_cache = SqlActionCache(db)
        else:
            self._use_redis(redis_url)

    def _use_redis(self, redis_url: str) -> None:
        from contextmfa.store.redis import (
            RedisActionCache,
            RedisChallenges,
            RedisRateLimiter,
            connect,
        )
        from contextmfa.store.redis.client import call

        client = connect(redis_url)
        call(client.ping)
        self._redis = client
        self.challenges = RedisChallenges(client)
        self.rate_limits = RedisRateLimiter(client)
        self.action_cache = RedisActionCache(client)

    @classmethod
    def open(
        cls,
        url: str,
        *,
        secret_key: str | None = None,
        redis_url: str | None = None,
        development: bool = False,
        environ: Mapping[str, str] | None = None,
    ) -> Store:
        """Open (and migrate) the store at ``url``; see the module docstring."""
        master = load_master_key(secret_key, development=development, environ=environ)
        db = Database(url)
        try:
            with translated_errors():
                upgrade(db.engine)
            return cls(db, master, redis_url)
        except BaseException:
            db.dispose()
            raise

    @property
    def uses_redis(self) -> bool:
        return self._redis is not None

    def ping_redis(self) -> None:
        """PING Redis (a readiness probe); StoreUnavailable when it does not answer."""
        if self._redis is not None:
            from contextmfa.store.redis.client import call

            call(self._redis.ping)

    def purge(
        self, now: datetime, *, history_days: int = 365, outbox_days: int = 7
    ) -> dict[str, int]:
        """Delete expired SQL rows (Redis expires its own keys); counts per table."""
        return purge(self.database, now, history_days=history_days, outbox_days=outbox_days)

    def close(self) -> None:
        if self._redis is not None:
            self._redis.close()
        self.login_commit.close()
        self.database.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        url = self.database.engine.url.render_as_string(hide_password=True)
        return f"Store({url!r}, redis={self.uses_redis})"
