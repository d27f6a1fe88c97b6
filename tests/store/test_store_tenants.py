"""Tenant isolation: nothing of tenant A is visible or changeable through tenant B's calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contextmfa.enrich.history import LoginRecord
from contextmfa.store.limits import BucketLimit
from contextmfa.store.redis.client import tenant_key

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=1)


def fill(store, tenant):
    """One of everything for user alice of ``tenant``; returns the ids."""
    auth = store.authenticators.add(
        tenant, "alice", "otp", name="app", public={}, secret=b"seed", confirmed=True, now=NOW
    )
    challenge = store.challenges.create(
        tenant,
        "alice",
        "sms",
        authenticator_id=auth.id,
        data={},
        code_hash="h1:x",
        now=NOW,
        expires_at=NOW + timedelta(minutes=5),
        max_attempts=5,
    )
    store.single_use.claim(tenant, "otp-step", "k", now=NOW)
    store.rate_limits.take(tenant, "otp:alice", BucketLimit(1, 3600), now=NOW)
    token = store.remember.issue(tenant, "alice", now=NOW, days=30)
    store.outbox.put(tenant, "sms", "+31612345678", "code 123456", now=NOW)
    store.audit.record(tenant, "enrolled", user_id="alice", detail={}, now=NOW)
    store.history.add(tenant, "alice", LoginRecord(NOW, device_id="d1", user_agent="UA"))
    store.action_cache.set(tenant, "geo", "k", "v", 600, NOW)
    return auth, challenge, token


def test_another_tenant_sees_and_changes_nothing(store, tenant):
    auth, challenge, token = fill(store, tenant)
    other = tenant + "-b"
    assert store.authenticators.get(other, auth.id) is None
    assert store.authenticators.for_user(other, "alice", confirmed_only=False) == []
    assert not store.authenticators.confirm(other, auth.id, now=NOW)
    assert not store.authenticators.touch(other, auth.id, now=NOW)
    assert not store.authenticators.update_public(other, auth.id, {"x": 1})
    assert not store.authenticators.compare_and_set_sign_count(other, auth.id, 0, 5)
    assert not store.authenticators.remove(other, auth.id)
    assert store.authenticators.remove_for_user(other, "alice") == 0
    assert store.challenges.get(other, challenge.id) is None
    assert not store.challenges.take_attempt(other, challenge.id, now=NOW)
    assert not store.challenges.set_state(other, challenge.id, "approved")
    assert not store.challenges.finish(other, challenge.id, now=NOW)
    assert store.single_use.claim(other, "otp-step", "k", now=NOW)  # its own namespace
    assert store.rate_limits.take(other, "otp:alice", BucketLimit(1, 3600), now=NOW).allowed
    assert not store.remember.check(other, "alice", token, now=NOW)
    assert store.remember.invalidate_user(other, "alice") == 0
    assert store.outbox.list(other) == []
    assert store.audit.list(other) == []
    assert store.history.last(other, "alice") is None
    assert store.history.logins(other, "alice") == ()
    assert store.history.device_last_seen(other, "alice", "d1") is None
    assert store.history.user_agent_last_seen(other, "alice", "UA") is None
    assert store.action_cache.get(other, "geo", "k", NOW) is None
    assert store.action_cache.entry_count(other, "geo", NOW) == 0
    store.action_cache.delete(other, "geo", "k")

    # ...and tenant A's things are intact.
    got = store.authenticators.get(tenant, auth.id)
    assert got.sign_count == 0 and got.public == {} and got.secret == b"seed"
    assert store.challenges.get(tenant, challenge.id).attempts == 0
    assert store.challenges.finish(tenant, challenge.id, now=LATER)
    assert not store.single_use.claim(tenant, "otp-step", "k", now=NOW)
    assert not store.rate_limits.take(tenant, "otp:alice", BucketLimit(1, 3600), now=NOW).allowed
    assert store.remember.check(tenant, "alice", token, now=NOW)
    assert len(store.outbox.list(tenant)) == 1 and len(store.audit.list(tenant)) == 1
    assert store.action_cache.get(tenant, "geo", "k", NOW) == "v"


def test_tenant_ids_cannot_forge_each_others_keys(store, tenant):
    """Tenant ids with separators do not alias: "t:x" + "y" is not "t" + "x:y"."""
    limit = BucketLimit(1, 3600)
    assert store.rate_limits.take(tenant + ":x", "y", limit, now=NOW).allowed
    assert store.rate_limits.take(tenant, "x:y", limit, now=NOW).allowed
    store.action_cache.set(tenant + "}", "a", "k", "v", 60, NOW)
    assert store.action_cache.get(tenant, "}a", "k", NOW) is None


def test_redis_keys_encode_the_tenant():
    assert tenant_key("acme", "rate", "otp:alice") == "cmfa:{acme}:rate:otp%3Aalice"
    assert tenant_key("a:b}", "x") == "cmfa:{a%3Ab%7D}:x"
    assert tenant_key("a", "b:c") != tenant_key("a:b", "c")
