"""An unreachable database or Redis is a StoreUnavailable error, never a wrong answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contextmfa.store import Store, StoreUnavailable, keygen
from contextmfa.store.limits import OTP_FAILURES
from contextmfa.store.redis import RedisActionCache, RedisChallenges, RedisRateLimiter, connect

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
NOWHERE_PG = "postgresql+psycopg://root@127.0.0.1:1/none?connect_timeout=2"
NOWHERE_REDIS = "redis://127.0.0.1:1/0"


def test_an_unreachable_database_is_unavailable():
    with pytest.raises(StoreUnavailable) as info:
        Store.open(NOWHERE_PG, secret_key=keygen())
    assert info.value.code == "store_unavailable"


def test_an_unreachable_redis_is_unavailable_at_open():
    with pytest.raises(StoreUnavailable):
        Store.open("sqlite://", secret_key=keygen(), redis_url=NOWHERE_REDIS)


def test_a_redis_that_goes_away_is_unavailable_per_call():
    client = connect(NOWHERE_REDIS)
    with pytest.raises(StoreUnavailable):
        RedisRateLimiter(client).take("acme", "otp:alice", OTP_FAILURES, now=NOW)
    with pytest.raises(StoreUnavailable):
        RedisChallenges(client).finish("acme", "id", now=NOW)
    with pytest.raises(StoreUnavailable):
        RedisActionCache(client).get("acme", "geo", "k", NOW)
    with pytest.raises(StoreUnavailable):
        RedisChallenges(client).create(
            "acme",
            "alice",
            "sms",
            authenticator_id=None,
            data={},
            code_hash=None,
            now=NOW,
            expires_at=NOW + timedelta(minutes=5),
            max_attempts=5,
        )


def test_a_postgres_restart_fails_the_call_in_flight_then_recovers(postgres_url, tenant):
    """A server-side disconnect (what a restart does) is unavailable once, then reconnects."""
    import psycopg
    from sqlalchemy import text

    with Store.open(postgres_url, secret_key=keygen()) as store:
        assert store.single_use.claim(tenant, "s", "before", now=NOW)
        with store.database.read() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        admin_url = postgres_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(StoreUnavailable):
            store.single_use.claim(tenant, "s", "during", now=NOW)
        assert store.single_use.claim(tenant, "s", "after", now=NOW)
        assert not store.single_use.claim(tenant, "s", "before", now=NOW)


def test_a_value_too_long_for_postgres_is_an_input_error(postgres_url, tenant):
    from contextmfa.errors import InputError

    with Store.open(postgres_url, secret_key=keygen()) as store:
        with pytest.raises(InputError) as info:
            store.remember.issue(tenant, "u" * 300, now=NOW, days=1)
        assert "u" * 300 not in str(info.value)
        assert store.remember.invalidate_user(tenant, "u") == 0  # the store still works


def test_a_full_disk_is_unavailable_and_the_store_recovers_when_space_returns(tmp_path, tenant):
    """SQLite's "database or disk is full" (here a page limit, as a full disk answers) is a
    StoreUnavailable (503 with Retry-After), not a bug; writes succeed again once there is room."""
    from sqlalchemy import event

    limit = {"pages": 0}
    with Store.open(f"sqlite:///{tmp_path / 'full.db'}", secret_key=keygen()) as store:
        engine = store.database.engine

        @event.listens_for(engine, "connect")
        def _cap(dbapi_connection, _record):
            if limit["pages"]:
                dbapi_connection.execute(f"PRAGMA max_page_count={limit['pages']}")

        with store.database.read() as connection:
            from sqlalchemy import text

            limit["pages"] = connection.execute(text("PRAGMA page_count")).scalar() + 2
        store.database.dispose()
        with pytest.raises(StoreUnavailable):
            for n in range(10_000):
                store.single_use.claim(tenant, "fill", f"{n:04d}" + "x" * 200, now=NOW)
        limit["pages"] = 0
        store.database.dispose()
        assert store.single_use.claim(tenant, "fill", "after", now=NOW)
