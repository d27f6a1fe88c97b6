"""Once-only operations under contention: 16 threads race, exactly one wins, on every backend.

The threads wait on a barrier and fire together, each through its own connection (SQLite file,
PostgreSQL) or the shared one (SQLite in memory, Redis), so the database itself has to decide.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from contextmfa.store.limits import BucketLimit

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
THREADS = 16
RACE_BACKENDS = ["memory", "sqlite-memory", "sqlite-file", "postgresql", "redis"]


def race(operation: Callable[[], bool]) -> list[bool]:
    barrier = threading.Barrier(THREADS)
    results: list[bool] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            outcome = operation()
        except BaseException as exc:  # reported below, never swallowed
            with lock:
                errors.append(exc)
            return
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert len(results) == THREADS
    return results


@pytest.fixture(params=RACE_BACKENDS)
def racer(request, opener):
    return opener(request.param)


def test_one_thread_claims_a_single_use_key(racer, tenant):
    results = race(lambda: racer.single_use.claim(tenant, "otp-step", "auth:123", now=NOW))
    assert results.count(True) == 1


def test_one_thread_reclaims_an_expired_key(racer, tenant):
    racer.single_use.claim(tenant, "otp-step", "k", now=NOW, expires_at=NOW + timedelta(seconds=30))
    later = NOW + timedelta(seconds=31)
    results = race(lambda: racer.single_use.claim(tenant, "otp-step", "k", now=later))
    assert results.count(True) == 1


def test_one_thread_finishes_a_challenge(racer, tenant):
    made = racer.challenges.create(
        tenant,
        "alice",
        "sms",
        authenticator_id=None,
        data={},
        code_hash="h1:x",
        now=NOW,
        expires_at=NOW + timedelta(minutes=5),
        max_attempts=5,
    )
    results = race(lambda: racer.challenges.finish(tenant, made.id, now=NOW))
    assert results.count(True) == 1


def test_concurrent_guesses_get_at_most_max_attempts(racer, tenant):
    made = racer.challenges.create(
        tenant,
        "alice",
        "sms",
        authenticator_id=None,
        data={},
        code_hash="h1:x",
        now=NOW,
        expires_at=NOW + timedelta(minutes=5),
        max_attempts=5,
    )
    results = race(lambda: racer.challenges.take_attempt(tenant, made.id, now=NOW))
    assert results.count(True) == 5
    assert racer.challenges.get(tenant, made.id).attempts == 5


def test_one_push_answer_wins(racer, tenant):
    made = racer.challenges.create(
        tenant,
        "alice",
        "push-notification",
        authenticator_id="dev",
        data={},
        code_hash=None,
        now=NOW,
        expires_at=NOW + timedelta(minutes=5),
        max_attempts=1,
    )
    results = race(
        lambda: racer.challenges.set_state(tenant, made.id, "approved", expected="pending")
    )
    assert results.count(True) == 1


def test_one_thread_sets_the_sign_count(racer, tenant):
    key = racer.authenticators.add(
        tenant,
        "alice",
        "webauthn-roaming",
        name="key",
        public={},
        secret=None,
        confirmed=True,
        now=NOW,
    )
    results = race(lambda: racer.authenticators.compare_and_set_sign_count(tenant, key.id, 0, 1))
    assert results.count(True) == 1
    assert racer.authenticators.get(tenant, key.id).sign_count == 1


def test_a_bucket_is_not_overspent(racer, tenant):
    limit = BucketLimit(capacity=10, refill_seconds=360)
    results = race(lambda: racer.rate_limits.take(tenant, "otp:alice", limit, now=NOW).allowed)
    assert results.count(True) == 10
