"""A decided login's history entry, record and audit entry: one commit, refused when the user's
history moved since the evaluation read it (another worker decided a login of the same user)."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta

import pytest
from conftest import KEY

from contextmfa.enrich.history import LoginRecord
from contextmfa.store import Store
from contextmfa.store.errors import HistoryConflict
from contextmfa.store.ports import RecordedLogin
from contextmfa.store.sql.login_commit import user_lock_key

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(sql_store):
    """Every SQL backend: SQLite in memory and in a file, PostgreSQL."""
    return sql_store


def _login(tenant: str, login_id: str, outcome: str = "allow") -> RecordedLogin:
    return RecordedLogin(
        tenant_id=tenant,
        login_id=login_id,
        user_id="alice",
        occurred_at=NOW,
        recorded_at=NOW,
        config_version="v1",
        event={"id": login_id},
        decision={"outcome": outcome},
    )


def _entry(minutes: int, device: str) -> LoginRecord:
    return LoginRecord(timestamp=NOW + timedelta(minutes=minutes), device_id=device)


def _commit(store, tenant, login_id, entry, seen) -> None:
    store.login_commit.commit(
        _login(tenant, login_id),
        history_entry=entry,
        seen_version=seen,
        audit_detail={"login_id": login_id},
        now=NOW,
    )


def _written(store, tenant) -> tuple[list[str], list[str], list[str | None]]:
    logins = [r.login_id for r in store.logins.export(tenant)]
    audited = [e.detail["login_id"] for e in reversed(store.audit.list(tenant))]
    devices = [r.device_id for r in store.history.logins(tenant, "alice")]
    return logins, audited, devices


def test_history_record_and_audit_are_written_together(store, tenant):
    seen = store.login_commit.version(tenant, "alice")
    assert seen == 0
    _commit(store, tenant, "l1", _entry(0, "d1"), seen)
    assert store.login_commit.version(tenant, "alice") > seen
    assert _written(store, tenant) == (["l1"], ["l1"], ["d1"])


def test_a_history_that_moved_since_the_evaluation_is_refused_and_nothing_is_written(store, tenant):
    seen = store.login_commit.version(tenant, "alice")
    _commit(store, tenant, "other-worker", _entry(0, "d1"), seen)
    with pytest.raises(HistoryConflict):
        _commit(store, tenant, "stale", _entry(1, "d2"), seen)
    assert _written(store, tenant) == (["other-worker"], ["other-worker"], ["d1"])
    _commit(store, tenant, "again", _entry(1, "d2"), store.login_commit.version(tenant, "alice"))
    assert _written(store, tenant)[2] == ["d1", "d2"]


def test_a_denied_login_adds_no_history_and_needs_no_check(store, tenant):
    store.history.add(tenant, "alice", _entry(0, "d1"))
    _commit(store, tenant, "denied", None, 0)
    assert _written(store, tenant) == (["denied"], ["denied"], ["d1"])


def test_lock_keys_are_64_bit_and_per_user():
    key = user_lock_key("acme", "alice")
    assert -(2**63) <= key < 2**63
    assert key == user_lock_key("acme", "alice")
    assert len({key, user_lock_key("acme", "bob"), user_lock_key("globex", "alice")}) == 3


def _race(store, tenant: str, user: str) -> list[str]:
    """Two commits for ``user`` over the same history version, released together."""
    seen = store.login_commit.version(tenant, user)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker(name: str) -> None:
        login = dataclasses.replace(_login(tenant, f"{user}-{name}"), user_id=user)
        barrier.wait()
        try:
            store.login_commit.commit(
                login, history_entry=_entry(0, name), seen_version=seen, audit_detail={}, now=NOW
            )
            outcomes.append("won")
        except HistoryConflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_of_two_workers_committing_over_one_history_version_exactly_one_wins(store, tenant):
    """Both evaluated the user against the same history; whichever commits second is refused,
    however the two interleave (a PostgreSQL advisory lock per user, SQLite's write lock)."""
    for round_ in range(5):
        user = f"alice-{round_}"
        assert _race(store, tenant, user) == ["refused", "won"]
        assert len(store.history.logins(tenant, user)) == 1
        assert len(list(store.logins.export(tenant, user_id=user))) == 1


def test_concurrent_commits_are_all_written_each_checked_against_its_own_history(store, tenant):
    """Many users' logins committing at once (grouped into shared transactions on a SQLite
    file): every one is written, and a stale one among them is refused alone."""
    users = [f"crowd-{i}" for i in range(12)]
    stale_user = users[0]
    _commit_as(store, tenant, stale_user, "first", 0)
    barrier = threading.Barrier(len(users))
    outcomes: dict[str, str] = {}

    def worker(user: str) -> None:
        barrier.wait()
        try:
            _commit_as(store, tenant, user, "crowd", 0)  # version 0 is stale for stale_user only
            outcomes[user] = "won"
        except HistoryConflict:
            outcomes[user] = "refused"

    threads = [threading.Thread(target=worker, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == {user: "refused" if user == stale_user else "won" for user in users}
    for user in users:
        devices = [r.device_id for r in store.history.logins(tenant, user)]
        assert devices == (["first"] if user == stale_user else ["crowd"])
        assert len(list(store.logins.export(tenant, user_id=user))) == len(devices)


def _commit_as(store, tenant: str, user: str, device: str, seen: int) -> None:
    login = dataclasses.replace(_login(tenant, f"{user}-{device}"), user_id=user)
    store.login_commit.commit(
        login, history_entry=_entry(0, device), seen_version=seen, audit_detail={}, now=NOW
    )


@pytest.fixture
def second_worker(store):
    """Another worker's store on the same database (SQLite file, PostgreSQL)."""
    if store.database.in_memory:
        pytest.skip("an in-memory database belongs to one process")
    other = Store.open(store.database.engine.url.render_as_string(False), secret_key=KEY)
    yield other
    other.close()


def test_a_held_history_makes_another_workers_commit_of_the_user_wait_then_refuses_it(
    store, second_worker, tenant
):
    user = "held-alice"
    seen_by_other = second_worker.login_commit.version(tenant, user)
    other_done = threading.Event()
    other_outcome: list[str] = []

    def other_worker() -> None:
        try:
            _commit_as(second_worker, tenant, user, "other", seen_by_other)
            other_outcome.append("won")
        except HistoryConflict:
            other_outcome.append("refused")
        other_done.set()

    with store.login_commit.holding(tenant, user) as held:
        assert held.version == seen_by_other
        thread = threading.Thread(target=other_worker)
        thread.start()
        assert not other_done.wait(0.5), "the other worker's commit did not wait"
        held.commit(
            dataclasses.replace(_login(tenant, "held"), user_id=user),
            history_entry=_entry(0, "held"),
            audit_detail={},
            now=NOW,
        )
    thread.join()
    assert other_outcome == ["refused"]
    assert [r.device_id for r in store.history.logins(tenant, user)] == ["held"]


def test_holding_one_user_holds_up_no_other(store, second_worker, tenant):
    with store.login_commit.holding(tenant, "held-bob"):
        _commit_as(second_worker, tenant, "free-carol", "x", 0)
    assert [r.device_id for r in store.history.logins(tenant, "free-carol")] == ["x"]


def test_one_read_gives_the_version_and_the_device_and_agent_last_seen(store, tenant):
    empty = store.login_commit.read(tenant, "alice", device_id="d1", user_agent="ua")
    assert (empty.version, empty.device_seen, empty.agent_seen) == (0, None, None)
    store.history.add(tenant, "alice", LoginRecord(timestamp=NOW, device_id="d1", user_agent="ua"))
    later = NOW + timedelta(hours=1)
    store.history.add(tenant, "alice", LoginRecord(timestamp=later, device_id="d2"))
    read = store.login_commit.read(tenant, "alice", device_id="d1", user_agent="ua")
    assert read.version == store.login_commit.version(tenant, "alice") > 0
    assert read.device_seen == store.history.device_last_seen(tenant, "alice", "d1") == NOW
    assert read.agent_seen == store.history.user_agent_last_seen(tenant, "alice", "ua") == NOW
    other = store.login_commit.read(tenant, "alice", device_id="d2", user_agent=None)
    assert (other.device_seen, other.agent_seen) == (later, None)


def test_a_database_whose_default_isolation_is_stricter_still_refuses_the_stale_commit(
    postgres_url, tenant
):
    """The commit's check needs each statement to see what committed before it began; a
    database set to repeatable read by default must not let two commits over one version win."""
    import psycopg

    admin_url = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    database = postgres_url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(
            f"ALTER DATABASE \"{database}\" SET default_transaction_isolation = 'repeatable read'"
        )
    store = Store.open(postgres_url, secret_key=KEY)
    try:
        for round_ in range(5):
            assert _race(store, tenant, f"rr-{round_}") == ["refused", "won"]
    finally:
        store.close()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{database}" RESET default_transaction_isolation')
