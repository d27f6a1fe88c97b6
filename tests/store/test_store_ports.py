"""The contract of every port, on every backend (memory, SQLite memory/file, PostgreSQL, Redis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contextmfa.enrich.history import History
from contextmfa.store import (
    AuditLog,
    AuthenticatorStore,
    ChallengeStore,
    Outbox,
    RateLimiter,
    RememberTokens,
    SingleUse,
)

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def test_every_port_is_implemented(store):
    assert isinstance(store.authenticators, AuthenticatorStore)
    assert isinstance(store.challenges, ChallengeStore)
    assert isinstance(store.single_use, SingleUse)
    assert isinstance(store.rate_limits, RateLimiter)
    assert isinstance(store.remember, RememberTokens)
    assert isinstance(store.outbox, Outbox)
    assert isinstance(store.audit, AuditLog)
    assert isinstance(store.history, History)
    for method in ("get", "set", "delete", "entry_count"):
        assert callable(getattr(store.action_cache, method))
    assert store.codes.matches(store.codes.hash("acme", "123456"), "acme", "123456")


def add_otp(store, tenant, user="alice", *, confirmed=False, secret=b"seed-0123456789"):
    return store.authenticators.add(
        tenant,
        user,
        "otp",
        name="phone app",
        public={"issuer": "Acme", "digits": 6},
        secret=secret,
        confirmed=confirmed,
        now=NOW,
    )


def test_authenticator_round_trip(store, tenant):
    added = add_otp(store, tenant)
    got = store.authenticators.get(tenant, added.id)
    assert got == added
    assert (got.type, got.name, got.user_id, got.tenant_id) == ("otp", "phone app", "alice", tenant)
    assert got.secret == b"seed-0123456789"
    assert got.public == {"issuer": "Acme", "digits": 6}
    assert got.confirmed is False and got.last_used_at is None and got.sign_count == 0
    assert got.created_at == NOW
    assert store.authenticators.get(tenant, "no-such-id") is None


def test_authenticator_ids_are_random_and_distinct(store, tenant):
    ids = {add_otp(store, tenant).id for _ in range(5)}
    assert len(ids) == 5 and all(len(i) >= 20 for i in ids)


def test_authenticator_without_secret(store, tenant):
    added = store.authenticators.add(
        tenant,
        "bob",
        "sms",
        name="mobile",
        public={"phone_number": "+31612345678"},
        secret=None,
        confirmed=True,
        now=NOW,
    )
    assert store.authenticators.get(tenant, added.id).secret is None


def test_for_user_lists_confirmed_oldest_first(store, tenant):
    first = add_otp(store, tenant, confirmed=True)
    pending = add_otp(store, tenant)
    second = store.authenticators.add(
        tenant,
        "alice",
        "email",
        name="mail",
        public={"email": "a@acme.test"},
        secret=None,
        confirmed=True,
        now=NOW + MINUTE,
    )
    add_otp(store, tenant, "bob", confirmed=True)
    assert [a.id for a in store.authenticators.for_user(tenant, "alice")] == [first.id, second.id]
    everything = store.authenticators.for_user(tenant, "alice", confirmed_only=False)
    assert {a.id for a in everything} == {first.id, pending.id, second.id}
    assert store.authenticators.for_user(tenant, "nobody") == []


def test_confirm_touch_update_public(store, tenant):
    added = add_otp(store, tenant)
    assert store.authenticators.confirm(tenant, added.id, now=NOW + MINUTE)
    assert store.authenticators.touch(tenant, added.id, now=NOW + 2 * MINUTE)
    assert store.authenticators.update_public(tenant, added.id, {"issuer": "Acme 2"})
    got = store.authenticators.get(tenant, added.id)
    assert got.confirmed and got.last_used_at == NOW + 2 * MINUTE
    assert got.public == {"issuer": "Acme 2"}
    assert got.secret == added.secret
    assert not store.authenticators.confirm(tenant, "missing", now=NOW)
    assert not store.authenticators.touch(tenant, "missing", now=NOW)
    assert not store.authenticators.update_public(tenant, "missing", {})


def test_records_hold_copies(store, tenant):
    public = {"transports": ["usb"]}
    added = store.authenticators.add(
        tenant,
        "alice",
        "webauthn-roaming",
        name="key",
        public=public,
        secret=None,
        confirmed=True,
        now=NOW,
    )
    public["transports"].append("nfc")
    assert store.authenticators.get(tenant, added.id).public == {"transports": ["usb"]}


def test_remove_and_remove_for_user(store, tenant):
    one, two = add_otp(store, tenant), add_otp(store, tenant)
    other = add_otp(store, tenant, "bob")
    assert store.authenticators.remove(tenant, one.id)
    assert not store.authenticators.remove(tenant, one.id)
    assert store.authenticators.get(tenant, one.id) is None
    assert store.authenticators.remove_for_user(tenant, "alice") == 1
    assert store.authenticators.get(tenant, two.id) is None
    assert store.authenticators.get(tenant, other.id) is not None


def test_sign_count_compare_and_set(store, tenant):
    key = store.authenticators.add(
        tenant,
        "alice",
        "webauthn-platform",
        name="laptop",
        public={"credential_id": "abc"},
        secret=None,
        confirmed=True,
        now=NOW,
    )
    assert store.authenticators.compare_and_set_sign_count(tenant, key.id, 0, 7)
    assert not store.authenticators.compare_and_set_sign_count(tenant, key.id, 0, 8)
    assert store.authenticators.get(tenant, key.id).sign_count == 7
    assert store.authenticators.compare_and_set_sign_count(tenant, key.id, 7, 9)
    assert not store.authenticators.compare_and_set_sign_count(tenant, "missing", 0, 1)


def new_challenge(store, tenant, *, max_attempts=5, minutes=5, code_hash="h1:abc"):
    return store.challenges.create(
        tenant,
        "alice",
        "sms",
        authenticator_id="auth-1",
        data={"to": "+31612345678"},
        code_hash=code_hash,
        now=NOW,
        expires_at=NOW + minutes * MINUTE,
        max_attempts=max_attempts,
    )


def test_challenge_round_trip(store, tenant):
    made = new_challenge(store, tenant)
    got = store.challenges.get(tenant, made.id)
    assert got == made
    assert (got.factor, got.authenticator_id, got.code_hash) == ("sms", "auth-1", "h1:abc")
    assert (got.state, got.finished, got.attempts, got.max_attempts) == ("pending", False, 0, 5)
    assert got.created_at == NOW and got.expires_at == NOW + 5 * MINUTE
    assert got.data == {"to": "+31612345678"}
    assert not got.expired(NOW) and got.expired(NOW + 5 * MINUTE)
    assert store.challenges.get(tenant, "missing") is None


def test_take_attempt_stops_at_max_attempts(store, tenant):
    made = new_challenge(store, tenant, max_attempts=3)
    taken = [store.challenges.take_attempt(tenant, made.id, now=NOW) for _ in range(5)]
    assert taken == [True, True, True, False, False]
    assert store.challenges.get(tenant, made.id).attempts == 3


def test_take_attempt_refused_when_expired_or_finished(store, tenant):
    expired = new_challenge(store, tenant)
    assert not store.challenges.take_attempt(tenant, expired.id, now=NOW + 5 * MINUTE)
    finished = new_challenge(store, tenant)
    assert store.challenges.finish(tenant, finished.id, now=NOW)
    assert not store.challenges.take_attempt(tenant, finished.id, now=NOW)
    assert not store.challenges.take_attempt(tenant, "missing", now=NOW)


def test_finish_once_and_only_before_expiry(store, tenant):
    made = new_challenge(store, tenant)
    assert store.challenges.finish(tenant, made.id, now=NOW + MINUTE)
    assert not store.challenges.finish(tenant, made.id, now=NOW + MINUTE)
    assert store.challenges.get(tenant, made.id).finished
    late = new_challenge(store, tenant)
    assert not store.challenges.finish(tenant, late.id, now=NOW + 5 * MINUTE)
    assert not store.challenges.get(tenant, late.id).finished


def test_push_state_transitions(store, tenant):
    push = store.challenges.create(
        tenant,
        "alice",
        "push-notification",
        authenticator_id="dev-1",
        data={"binding": "42"},
        code_hash=None,
        now=NOW,
        expires_at=NOW + 5 * MINUTE,
        max_attempts=1,
    )
    assert store.challenges.set_state(
        tenant, push.id, "approved", expected="pending", data={"binding": "42", "by": "dev-1"}
    )
    assert not store.challenges.set_state(tenant, push.id, "rejected", expected="pending")
    got = store.challenges.get(tenant, push.id)
    assert got.state == "approved" and got.data == {"binding": "42", "by": "dev-1"}
    assert store.challenges.set_state(tenant, push.id, "seen")  # no expectation: any state
    assert store.challenges.get(tenant, push.id).data == {"binding": "42", "by": "dev-1"}
    assert store.challenges.finish(tenant, push.id, now=NOW)
    assert not store.challenges.set_state(tenant, push.id, "approved")
    assert not store.challenges.set_state(tenant, "missing", "approved")


def test_single_use_first_caller_wins(store, tenant):
    assert store.single_use.claim(tenant, "otp-step", "auth-1:5000", now=NOW)
    assert not store.single_use.claim(tenant, "otp-step", "auth-1:5000", now=NOW)
    assert store.single_use.claim(tenant, "otp-step", "auth-1:5001", now=NOW)
    assert store.single_use.claim(tenant, "recovery-code", "auth-1:5000", now=NOW)


def test_single_use_forever_without_expiry(store, tenant):
    assert store.single_use.claim(tenant, "recovery-code", "h1:aa", now=NOW)
    assert not store.single_use.claim(tenant, "recovery-code", "h1:aa", now=NOW + 9999 * MINUTE)


def test_single_use_reclaimable_after_expiry(store, tenant):
    until = NOW + 2 * MINUTE
    assert store.single_use.claim(tenant, "otp-step", "k", now=NOW, expires_at=until)
    assert not store.single_use.claim(tenant, "otp-step", "k", now=until - timedelta(seconds=1))
    assert store.single_use.claim(tenant, "otp-step", "k", now=until, expires_at=until + MINUTE)
    assert not store.single_use.claim(tenant, "otp-step", "k", now=until)


def test_is_claimed_only_reads(store, tenant):
    until = NOW + 10 * MINUTE
    assert not store.single_use.is_claimed(tenant, "mfa-oob", "k", now=NOW)
    assert not store.single_use.is_claimed(tenant, "mfa-oob", "k", now=NOW)  # still nothing
    assert store.single_use.claim(tenant, "mfa-oob", "k", now=NOW, expires_at=until)
    assert store.single_use.is_claimed(tenant, "mfa-oob", "k", now=NOW)
    assert not store.single_use.is_claimed(tenant, "mfa-oob", "k", now=until)
    assert not store.single_use.is_claimed("other-" + tenant, "mfa-oob", "k", now=NOW)
    assert store.single_use.claim(tenant, "forever", "k", now=NOW)
    assert store.single_use.is_claimed(tenant, "forever", "k", now=NOW + 9999 * MINUTE)


def test_a_released_claim_can_be_claimed_again(store, tenant):
    until = NOW + 10 * MINUTE
    assert store.single_use.claim(tenant, "mfa-step", "t:0", now=NOW, expires_at=until)
    assert store.single_use.release(tenant, "mfa-step", "t:0")
    assert not store.single_use.release(tenant, "mfa-step", "t:0")
    assert store.single_use.claim(tenant, "mfa-step", "t:0", now=NOW, expires_at=until)
    assert not store.single_use.claim(tenant, "mfa-step", "t:0", now=NOW, expires_at=until)
    assert not store.single_use.release("another-" + tenant, "mfa-step", "t:0")
    assert not store.single_use.claim(tenant, "mfa-step", "t:0", now=NOW, expires_at=until)


def test_an_extended_lease_outlives_its_first_expiry(store, tenant):
    lease, lasting = NOW + MINUTE, NOW + 10 * MINUTE
    assert store.single_use.claim(tenant, "mfa-step", "t:1", now=NOW, expires_at=lease)
    assert store.single_use.extend(tenant, "mfa-step", "t:1", expires_at=lasting)
    assert not store.single_use.claim(tenant, "mfa-step", "t:1", now=lease, expires_at=lasting)
    assert store.single_use.claim(tenant, "mfa-step", "t:1", now=lasting, expires_at=lasting)
    assert not store.single_use.extend(tenant, "mfa-step", "never", expires_at=lasting)
    assert not store.single_use.extend("other-" + tenant, "mfa-step", "t:1", expires_at=lasting)


def test_a_lapsed_lease_is_fenced_from_the_caller_who_took_it_over(store, tenant):
    """A holds the step, outlives its lease, B takes it over: A can neither make the step
    lasting nor give B's claim back, B can do both."""
    first = NOW + MINUTE
    assert store.single_use.claim(tenant, "mfa-step", "t:2", now=NOW, expires_at=first)
    second = first + MINUTE
    assert store.single_use.claim(tenant, "mfa-step", "t:2", now=first, expires_at=second)
    lasting = NOW + 10 * MINUTE
    assert not store.single_use.extend(
        tenant, "mfa-step", "t:2", expires_at=lasting, held_until=first
    )
    assert not store.single_use.release(tenant, "mfa-step", "t:2", held_until=first)
    assert not store.single_use.claim(tenant, "mfa-step", "t:2", now=first, expires_at=second)
    assert store.single_use.extend(tenant, "mfa-step", "t:2", expires_at=lasting, held_until=second)
    assert not store.single_use.claim(tenant, "mfa-step", "t:2", now=second, expires_at=lasting)
    assert store.single_use.release(tenant, "mfa-step", "t:2", held_until=lasting)
    assert store.single_use.claim(tenant, "mfa-step", "t:2", now=second, expires_at=lasting)


def test_remember_tokens(store, tenant):
    token = store.remember.issue(tenant, "alice", now=NOW, days=30)
    assert len(token) >= 40
    assert store.remember.check(tenant, "alice", token, now=NOW + timedelta(days=29))
    assert not store.remember.check(tenant, "alice", token, now=NOW + timedelta(days=30))
    assert not store.remember.check(tenant, "bob", token, now=NOW)
    assert not store.remember.check(tenant, "alice", token + "x", now=NOW)
    assert not store.remember.check(tenant, "alice", "", now=NOW)


def test_remember_invalidate_user(store, tenant):
    one = store.remember.issue(tenant, "alice", now=NOW, days=30)
    two = store.remember.issue(tenant, "alice", now=NOW, days=30)
    bobs = store.remember.issue(tenant, "bob", now=NOW, days=30)
    assert store.remember.invalidate_user(tenant, "alice") == 2
    assert not store.remember.check(tenant, "alice", one, now=NOW)
    assert not store.remember.check(tenant, "alice", two, now=NOW)
    assert store.remember.check(tenant, "bob", bobs, now=NOW)
    assert store.remember.invalidate_user(tenant, "alice") == 0


def test_outbox_newest_first_by_channel(store, tenant):
    first = store.outbox.put(tenant, "sms", "+31612345678", "code 111111", now=NOW)
    second = store.outbox.put(tenant, "email", "a@acme.test", "code 222222", now=NOW + MINUTE)
    third = store.outbox.put(tenant, "sms", "+31612345678", "code 333333", now=NOW + 2 * MINUTE)
    assert [m.id for m in store.outbox.list(tenant)] == [third, second, first]
    sms = store.outbox.list(tenant, channel="sms")
    assert [(m.id, m.body, m.to) for m in sms] == [
        (third, "code 333333", "+31612345678"),
        (first, "code 111111", "+31612345678"),
    ]
    assert [m.id for m in store.outbox.list(tenant, limit=1)] == [third]
    assert sms[0].created_at == NOW + 2 * MINUTE


def test_audit_log(store, tenant):
    store.audit.record(tenant, "enrolled", user_id="alice", detail={"factor": "otp"}, now=NOW)
    store.audit.record(tenant, "rate_limited", user_id="bob", detail={}, now=NOW + MINUTE)
    store.audit.record(tenant, "key_rotated", user_id=None, detail={"n": 1}, now=NOW + MINUTE)
    entries = store.audit.list(tenant)
    assert [e.kind for e in entries] == ["key_rotated", "rate_limited", "enrolled"]
    alice = store.audit.list(tenant, user_id="alice")
    assert [(e.kind, e.detail, e.created_at) for e in alice] == [
        ("enrolled", {"factor": "otp"}, NOW)
    ]
    assert len(store.audit.list(tenant, limit=2)) == 2


def test_action_cache(store, tenant):
    cache = store.action_cache
    assert cache.get(tenant, "geo", "k", NOW) is None
    cache.set(tenant, "geo", "k", "v1", 60, NOW)
    cache.set(tenant, "geo", "k2", "v2", 10, NOW)
    cache.set(tenant, "other", "k", "x", 60, NOW)
    assert cache.get(tenant, "geo", "k", NOW + timedelta(seconds=59)) == "v1"
    assert cache.entry_count(tenant, "geo", NOW) == 2
    assert cache.entry_count(tenant, "geo", NOW + timedelta(seconds=10)) == 1
    assert cache.get(tenant, "geo", "k", NOW + timedelta(seconds=60)) is None
    cache.set(tenant, "geo", "k", "v3", 60, NOW)  # overwrite renews
    assert cache.get(tenant, "geo", "k", NOW + timedelta(seconds=30)) == "v3"
    cache.delete(tenant, "geo", "k")
    cache.delete(tenant, "geo", "never-set")
    assert cache.get(tenant, "geo", "k", NOW) is None
    assert cache.get(tenant, "other", "k", NOW) == "x"


def test_naive_datetimes_are_refused(store, tenant):
    with pytest.raises(ValueError, match="timezone-aware"):
        store.single_use.claim(tenant, "s", "k", now=NOW.replace(tzinfo=None))


def test_purge_deletes_only_what_has_expired(sqlite_file_url):
    from contextmfa.enrich.history import LoginRecord
    from contextmfa.store import Store
    from contextmfa.store.limits import BucketLimit

    with Store.open(sqlite_file_url, development=True) as store:
        old = store.challenges.create(
            "acme",
            "alice",
            "sms",
            authenticator_id=None,
            data={},
            code_hash=None,
            now=NOW,
            expires_at=NOW + 5 * MINUTE,
            max_attempts=5,
        )
        fresh = store.challenges.create(
            "acme",
            "alice",
            "sms",
            authenticator_id=None,
            data={},
            code_hash=None,
            now=NOW + timedelta(days=2),
            expires_at=NOW + timedelta(days=3),
            max_attempts=5,
        )
        store.single_use.claim("acme", "otp-step", "old", now=NOW, expires_at=NOW + MINUTE)
        store.single_use.claim("acme", "recovery-code", "forever", now=NOW)
        store.rate_limits.take("acme", "otp:alice", BucketLimit(10, 360), now=NOW)
        token = store.remember.issue("acme", "alice", now=NOW, days=30)
        store.action_cache.set("acme", "geo", "k", "v", 60, NOW)
        store.history.add("acme", "alice", LoginRecord(NOW - timedelta(days=400)))
        store.history.add("acme", "alice", LoginRecord(NOW))
        counts = store.purge(NOW + timedelta(days=2))
        assert counts == {
            "challenges": 1,
            "single_use": 1,
            "rate_buckets": 1,
            "remember_tokens": 0,
            "action_cache": 1,
            "login_history": 1,
            "outbox": 0,
        }
        assert store.challenges.get("acme", old.id) is None
        assert store.challenges.get("acme", fresh.id) is not None
        assert not store.single_use.claim("acme", "recovery-code", "forever", now=NOW)
        assert store.remember.check("acme", "alice", token, now=NOW + timedelta(days=2))
        assert len(store.history.logins("acme", "alice")) == 1
