"""Token buckets: the spec's numbers, the arithmetic, and the OTP scenario on every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from contextmfa.store import limits
from contextmfa.store.limits import BucketLimit, RateVerdict, evaluate_take

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_the_spec_numbers():
    per_hour = 3600
    assert (limits.OTP_FAILURES.capacity, limits.OTP_FAILURES.horizon) == (10, per_hour)
    assert limits.OTP_FAILURES.refill_seconds == 360
    assert limits.RECOVERY_CODE_FAILURES == limits.OTP_FAILURES
    assert (limits.WEBAUTHN_FAILURES.capacity, limits.WEBAUTHN_FAILURES.horizon) == (15, 60)
    assert (limits.PUSH_SENDS.capacity, limits.PUSH_SENDS.horizon) == (5, 60)
    assert (limits.SMS_SENDS.capacity, limits.SMS_SENDS.refill_seconds) == (10, per_hour)
    assert limits.VOICE_SENDS == limits.SMS_SENDS
    assert (limits.EMAIL_SENDS.capacity, limits.EMAIL_SENDS.refill_seconds) == (20, 60)


def test_bucket_shape_is_checked():
    with pytest.raises(ValueError):
        BucketLimit(capacity=0, refill_seconds=1)
    with pytest.raises(ValueError):
        BucketLimit(capacity=1, refill_seconds=0)


def test_evaluate_take_arithmetic():
    limit = BucketLimit(capacity=3, refill_seconds=10)
    verdict, tat = evaluate_take(None, 100.0, limit)
    assert verdict == RateVerdict(True, 0, 2) and tat == 110.0
    verdict, tat = evaluate_take(120.0, 100.0, limit, cost=1)
    assert verdict == RateVerdict(True, 0, 0) and tat == 130.0
    verdict, tat = evaluate_take(130.0, 100.0, limit)
    assert verdict == RateVerdict(False, 10, 0) and tat is None
    verdict, tat = evaluate_take(130.0, 104.5, limit)  # 5.5 s to go: rounded up
    assert verdict.retry_after_seconds == 6
    assert evaluate_take(None, 0.0, limit, cost=4)[0].allowed is False  # more than capacity


def test_peek_takes_nothing(store, tenant):
    limit = BucketLimit(capacity=2, refill_seconds=60)
    assert store.rate_limits.peek(tenant, "k", limit, now=NOW) == RateVerdict(True, 0, 2)
    store.rate_limits.take(tenant, "k", limit, now=NOW)
    assert store.rate_limits.peek(tenant, "k", limit, now=NOW) == RateVerdict(True, 0, 1)
    store.rate_limits.take(tenant, "k", limit, now=NOW)
    assert store.rate_limits.peek(tenant, "k", limit, now=NOW) == RateVerdict(False, 60, 0)
    assert store.rate_limits.peek(tenant, "k", limit, now=NOW) == RateVerdict(False, 60, 0)


def test_eleventh_otp_failure_in_an_hour_is_refused(store, tenant):
    """Ten failures pass; the eleventh waits 6 minutes; then exactly one more is allowed."""
    with freeze_time("2026-11-27 09:00:00") as clock:

        def take() -> RateVerdict:
            return store.rate_limits.take(
                tenant, "otp:alice", limits.OTP_FAILURES, now=datetime.now(UTC)
            )

        assert all(take().allowed for _ in range(10))
        refused = take()
        assert not refused.allowed and refused.retry_after_seconds == 360
        clock.tick(timedelta(minutes=5))
        assert take() == RateVerdict(False, 60, 0)
        clock.tick(timedelta(minutes=1))
        assert take().allowed
        assert take() == RateVerdict(False, 360, 0)


def test_sms_burst_then_one_per_hour(store, tenant):
    sends = [store.rate_limits.take(tenant, "sms:a", limits.SMS_SENDS, now=NOW) for _ in range(11)]
    assert [v.allowed for v in sends] == [True] * 10 + [False]
    assert sends[-1].retry_after_seconds == 3600
    later = NOW + timedelta(hours=1)
    assert store.rate_limits.take(tenant, "sms:a", limits.SMS_SENDS, now=later).allowed
    assert not store.rate_limits.take(tenant, "sms:a", limits.SMS_SENDS, now=later).allowed


def test_a_refused_take_costs_nothing(store, tenant):
    limit = BucketLimit(capacity=1, refill_seconds=60)
    assert store.rate_limits.take(tenant, "k", limit, now=NOW).allowed
    for second in range(0, 50, 10):
        moment = NOW + timedelta(seconds=second)
        assert not store.rate_limits.take(tenant, "k", limit, now=moment).allowed
    assert store.rate_limits.take(tenant, "k", limit, now=NOW + timedelta(seconds=60)).allowed


def test_a_full_bucket_does_not_overflow(store, tenant):
    limit = BucketLimit(capacity=3, refill_seconds=10)
    store.rate_limits.take(tenant, "k", limit, now=NOW)
    much_later = NOW + timedelta(days=1)
    verdicts = [store.rate_limits.take(tenant, "k", limit, now=much_later) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]


def test_cost_takes_several_tokens(store, tenant):
    limit = BucketLimit(capacity=5, refill_seconds=10)
    assert store.rate_limits.take(tenant, "k", limit, now=NOW, cost=3) == RateVerdict(True, 0, 2)
    assert store.rate_limits.take(tenant, "k", limit, now=NOW, cost=3) == RateVerdict(False, 10, 2)
    with pytest.raises(ValueError):
        store.rate_limits.take(tenant, "k", limit, now=NOW, cost=0)


def test_buckets_are_per_key(store, tenant):
    limit = BucketLimit(capacity=1, refill_seconds=60)
    assert store.rate_limits.take(tenant, "otp:alice", limit, now=NOW).allowed
    assert store.rate_limits.take(tenant, "otp:bob", limit, now=NOW).allowed
    assert not store.rate_limits.take(tenant, "otp:alice", limit, now=NOW).allowed


def test_a_right_answer_gives_its_attempt_back(store, tenant):
    """Attempts are taken before comparing; one that passed returns, never past a full bucket."""
    limit = BucketLimit(capacity=3, refill_seconds=60)
    for limiter in {
        id(store.rate_limits): store.rate_limits,
        id(store.attempt_limits): store.attempt_limits,
    }.values():
        key = f"k{id(limiter)}"
        limiter.give_back(tenant, key, limit, now=NOW)  # nothing taken yet: stays full
        assert limiter.peek(tenant, key, limit, now=NOW).remaining == 3
        for _ in range(3):
            assert limiter.take(tenant, key, limit, now=NOW).allowed
        assert not limiter.take(tenant, key, limit, now=NOW).allowed
        limiter.give_back(tenant, key, limit, now=NOW)
        assert limiter.peek(tenant, key, limit, now=NOW).remaining == 1
        for _ in range(5):
            limiter.give_back(tenant, key, limit, now=NOW)
        assert limiter.peek(tenant, key, limit, now=NOW).remaining == 3
        assert [limiter.take(tenant, key, limit, now=NOW).allowed for _ in range(4)] == [
            True,
            True,
            True,
            False,
        ]


def test_attempts_are_counted_in_sql_even_with_redis(store):
    """Redis keeps nothing across a restart; the guess budget must survive one."""
    from contextmfa.store.sql import SqlRateLimiter

    if hasattr(store, "database"):
        assert isinstance(store.attempt_limits, SqlRateLimiter)
