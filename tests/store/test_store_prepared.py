"""Prepared statements (store/sql/prepared.py) read and write exactly what SQLAlchemy's own
execution does, on every SQL backend, and fail the same way; the login view (login_view.py)
answers in one row what a login asks of its user."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest import KEY
from sqlalchemy.exc import IntegrityError

from contextmfa.enrich.history import LoginRecord
from contextmfa.store.sql import audit, history, recorded_logins
from contextmfa.store.sql.login_view import LOGIN_VIEW
from contextmfa.store.sql.prepared import Prepared

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(sql_store):
    """Every SQL backend: SQLite in memory and in a file, PostgreSQL."""
    return sql_store


def _view_values(tenant: str, user: str, device: str | None, agent: str | None) -> dict:
    return {
        "p_tenant_id": tenant,
        "p_user_id": user,
        "p_device_hash": history.digest(device),
        "p_agent_hash": history.digest(agent),
    }


def _add(store, tenant: str, user: str, minutes: int, **fields) -> None:
    record = LoginRecord(timestamp=NOW + timedelta(minutes=minutes), **fields)
    store.history.add(tenant, user, record)


def test_a_select_gives_the_rows_sqlalchemy_gives(store, tenant):
    _add(store, tenant, "alice", 0, device_id="laptop", user_agent="UA/1", latitude=48.85)
    _add(store, tenant, "alice", 5, device_id="phone", country_code="FR", longitude=2.35)
    values = _view_values(tenant, "alice", "laptop", "UA/1")
    statement = history.VERSION_AND_SEEN
    with store.database.read() as connection:
        expected = tuple(connection.execute(statement, values).one())
        got = Prepared(statement).first(connection, values)
    assert got == expected
    assert isinstance(got[1], datetime) and got[1].tzinfo is not None


def test_an_insert_writes_the_row_sqlalchemy_writes(store, tenant):
    """JSON documents, aware datetimes and NULLs go through the same type processing."""
    decision = {"outcome": "allow", "factors": [], "nested": {"ratio": 0.5, "none": None}}
    event = {"id": "l1", "user": {"user_id": "alice"}, "text": "é ✓"}
    row = {
        "tenant_id": tenant,
        "login_id": "l1",
        "user_id": "alice",
        "occurred_at": NOW,
        "recorded_at": NOW + timedelta(seconds=1),
        "config_version": "v1",
        "outcome": "allow",
        "event": event,
        "decision": decision,
    }
    with store.database.write() as connection:
        Prepared(recorded_logins.INSERT).insert(connection, row)
    (found,) = list(store.logins.export(tenant))
    assert found.login_id == "l1"
    assert found.event == event
    assert found.decision == decision
    assert found.occurred_at == NOW
    assert found.recorded_at == NOW + timedelta(seconds=1)


def test_an_insert_without_an_optional_column_leaves_it_null(store, tenant):
    entry = audit.audit_values(tenant, "login.decision", user_id=None, detail={}, now=NOW)
    with store.database.write() as connection:
        Prepared(audit.INSERT).insert(connection, entry)
    (found,) = store.audit.list(tenant)
    assert found.user_id is None
    assert found.kind == "login.decision"


def test_a_constraint_violation_is_sqlalchemys_error_and_rolls_the_transaction_back(store, tenant):
    entry = audit.audit_values(tenant, "login.decision", user_id="alice", detail={}, now=NOW)
    prepared = Prepared(audit.INSERT)
    with pytest.raises(IntegrityError), store.database.write() as connection:
        prepared.insert(connection, entry)
        prepared.insert(connection, entry)  # the same id twice
    assert store.audit.list(tenant) == []


def test_the_login_view_of_a_user_with_nothing(store, tenant):
    with store.database.read() as connection:
        row = Prepared(LOGIN_VIEW).first(connection, _view_values(tenant, "nobody", "d", "ua"))
    version, device_seen, agent_seen, types, *last = row
    assert (version, device_seen, agent_seen) == (0, None, None)
    assert not types  # [] on SQLite, NULL on PostgreSQL
    assert last == [None] * 6


def test_the_login_view_reads_version_seen_times_last_login_and_confirmed_factor_types(
    store, tenant
):
    _add(store, tenant, "alice", 0, device_id="laptop", user_agent="UA/1")
    _add(store, tenant, "alice", 9, device_id="phone", user_agent="UA/2", latitude=1.5)
    _add(store, tenant, "alice", 3, device_id="laptop", user_agent="UA/2", country_code="DE")
    _add(store, tenant, "bob", 20, device_id="laptop")
    for kind, confirmed in (("otp", True), ("otp", True), ("webauthn-roaming", True)):
        store.authenticators.add(
            tenant, "alice", kind, name=kind, public={}, secret=b"s", confirmed=confirmed, now=NOW
        )
    store.authenticators.add(
        tenant, "alice", "sms", name="sms", public={}, secret=None, confirmed=False, now=NOW
    )

    read = store.login_commit.read(tenant, "alice", device_id="laptop", user_agent="UA/2")
    assert read.version == store.login_commit.version(tenant, "alice")
    assert read.device_seen == NOW + timedelta(minutes=3)
    assert read.agent_seen == NOW + timedelta(minutes=9)
    assert read.last == store.history.last(tenant, "alice")
    assert read.last.device_id == "phone" and read.last.latitude == 1.5
    assert read.factor_types == frozenset({"otp", "webauthn-roaming"})

    unseen = store.login_commit.read(tenant, "alice", device_id="tablet", user_agent=None)
    assert unseen.device_seen is None and unseen.agent_seen is None
    assert unseen.last == read.last


def test_a_connection_that_died_is_unavailable_once_then_replaced(postgres_url):
    """PostgreSQL restarted under a pooled connection: the prepared statement's failure is the
    store's StoreUnavailable (503 to callers), and the pool is refreshed for the next call."""
    import psycopg
    from sqlalchemy import text

    from contextmfa.store import Store
    from contextmfa.store.errors import StoreUnavailable

    store = Store.open(postgres_url, secret_key=KEY)
    try:
        with store.database.read() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        admin_url = postgres_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        values = _view_values("t", "alice", None, None)
        with pytest.raises(StoreUnavailable), store.database.read() as connection:
            Prepared(LOGIN_VIEW).first(connection, values)
        with store.database.read() as connection:
            assert Prepared(LOGIN_VIEW).first(connection, values)[0] == 0
    finally:
        store.close()


def test_factor_types_come_back_exactly_as_stored(store, tenant):
    """An array, not a joined string: a name with the old separator or an empty one is kept as
    it is (an empty type must never read as "no factor": that would offer enrollment)."""
    for kind in ("otp", "odd,name", ""):
        store.authenticators.add(
            tenant, "carol", kind, name="x", public={}, secret=None, confirmed=True, now=NOW
        )
    read = store.login_commit.read(tenant, "carol", device_id=None, user_agent=None)
    assert read.factor_types == frozenset({"otp", "odd,name", ""})
