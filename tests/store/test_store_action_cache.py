"""``api.cache`` storage on every backend: one capacity per tenant, evicting in the same order.

The caches are built with a small capacity over each backend's real database or server, so that
a few writes show what ten thousand would; PostgreSQL and Redis are skipped, with the reason,
when their servers are not reachable (conftest.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contextmfa.sandbox.cache import TENANT_CAPACITY, InMemoryActionCache
from contextmfa.store.sql.action_cache import SqlActionCache

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
BACKENDS = ["memory", "sqlite-memory", "sqlite-file", "postgresql", "redis"]


@pytest.fixture(params=BACKENDS)
def cache_of(request: pytest.FixtureRequest, opener: Any) -> Any:
    """``cache_of(capacity)``: a cache of that size on the backend under test."""
    backend = request.param

    def build(capacity: int) -> Any:
        if backend == "memory":
            return InMemoryActionCache(capacity)
        if backend == "redis":
            from contextmfa.store.redis import RedisActionCache, connect

            client = connect(request.getfixturevalue("redis_url"))
            request.addfinalizer(client.close)
            return RedisActionCache(client, capacity)
        return SqlActionCache(opener(backend).database, capacity)

    return build


def live(cache: Any, tenant: str, slots: list[tuple[str, str]], now: Any = NOW) -> list[str]:
    return [f"{a}/{k}" for a, k in slots if cache.get(tenant, a, k, now) is not None]


def test_the_default_capacity_is_per_tenant(store):
    assert store.action_cache.capacity == TENANT_CAPACITY


def test_a_full_tenant_forgets_the_entries_closest_to_expiry(cache_of, tenant):
    cache = cache_of(3)
    for n in range(5):
        cache.set(tenant, "geo", f"u{n}", "v", 600, NOW + n * SECOND)
    slots = [("geo", f"u{n}") for n in range(5)]
    assert live(cache, tenant, slots) == ["geo/u2", "geo/u3", "geo/u4"]
    assert cache.entry_count(tenant, "geo", NOW) == 3


def test_capacity_spans_the_tenants_actions_and_keys_stay_per_action(cache_of, tenant):
    cache = cache_of(3)
    cache.set(tenant, "first", "k", "1", 600, NOW)
    cache.set(tenant, "second", "k", "2", 600, NOW + SECOND)
    assert cache.get(tenant, "first", "k", NOW) == "1"
    assert cache.get(tenant, "second", "k", NOW) == "2"
    cache.set(tenant, "second", "x", "3", 600, NOW + 2 * SECOND)
    cache.set(tenant, "second", "y", "4", 600, NOW + 3 * SECOND)
    slots = [("first", "k"), ("second", "k"), ("second", "x"), ("second", "y")]
    assert live(cache, tenant, slots) == ["second/k", "second/x", "second/y"]


def test_other_tenants_take_nothing_from_a_tenant(cache_of, tenant):
    other = tenant + "-other"
    cache = cache_of(2)
    cache.set(tenant, "geo", "a", "v", 600, NOW)
    cache.set(tenant, "geo", "b", "v", 600, NOW)
    for n in range(3):
        cache.set(other, "geo", f"k{n}", "v", 600, NOW + n * SECOND)
    assert live(cache, tenant, [("geo", "a"), ("geo", "b")]) == ["geo/a", "geo/b"]


def test_expired_entries_go_first_and_the_entry_just_written_stays(cache_of, tenant):
    cache = cache_of(3)
    cache.set(tenant, "geo", "long", "v", 900, NOW)
    cache.set(tenant, "geo", "old", "v", 10, NOW)
    cache.set(tenant, "geo", "mid", "v", 600, NOW)
    later = NOW + 20 * SECOND
    cache.set(tenant, "geo", "brief", "v", 1, later)  # the closest to expiry, but just written
    slots = [("geo", k) for k in ("long", "old", "mid", "brief")]
    assert live(cache, tenant, slots, later) == ["geo/long", "geo/mid", "geo/brief"]
    cache.set(tenant, "geo", "next", "v", 900, later)
    assert live(cache, tenant, slots, later) == ["geo/long", "geo/mid"]


def test_ties_in_expiry_go_by_action_then_key(cache_of, tenant):
    cache = cache_of(3)
    for action, key in [("b", "1"), ("a", "2"), ("a", "1")]:
        cache.set(tenant, action, key, "v", 600, NOW)
    cache.set(tenant, "c", "0", "v", 600, NOW)
    slots = [("a", "1"), ("a", "2"), ("b", "1"), ("c", "0")]
    assert live(cache, tenant, slots) == ["a/2", "b/1", "c/0"]


def test_overwriting_renews_without_growing(cache_of, tenant):
    cache = cache_of(2)
    cache.set(tenant, "geo", "a", "v1", 600, NOW)
    cache.set(tenant, "geo", "b", "v", 600, NOW + SECOND)
    for n in range(5):
        cache.set(tenant, "geo", "a", f"v{n}", 600, NOW + (2 + n) * SECOND)
    assert cache.get(tenant, "geo", "a", NOW) == "v4"
    assert cache.get(tenant, "geo", "b", NOW) == "v"
    cache.set(tenant, "geo", "c", "v", 600, NOW + 10 * SECOND)
    assert live(cache, tenant, [("geo", "a"), ("geo", "b"), ("geo", "c")]) == ["geo/a", "geo/c"]


def test_a_deleted_entry_frees_its_place(cache_of, tenant):
    cache = cache_of(2)
    cache.set(tenant, "geo", "a", "v", 600, NOW)
    cache.set(tenant, "geo", "b", "v", 600, NOW + SECOND)
    cache.delete(tenant, "geo", "a")
    cache.set(tenant, "geo", "c", "v", 600, NOW + 2 * SECOND)
    assert live(cache, tenant, [("geo", "b"), ("geo", "c")]) == ["geo/b", "geo/c"]
