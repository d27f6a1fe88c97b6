"""``api.cache`` limits and TTLs, and the in-memory store (time is always the login's)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contextmfa.sandbox import InMemoryActionCache


def test_set_get_delete_round_trip(sb):
    result = sb.run(
        """
        print(api.cache.get("k"))
        api.cache.set("k", "v1")
        print(api.cache.get("k"))
        api.cache.delete("k")
        print(api.cache.get("k"))
        """
    )
    assert sb.logs(sb.succeeded(result)) == ["None", "v1", "None"]


def test_values_survive_between_logins_per_tenant_and_action(sb):
    cache = InMemoryActionCache()
    writer = sb.compile('api.cache.set("seen", "yes")')
    reader_code = 'print(api.cache.get("seen"))'
    sb.succeeded(sb.execute(writer, cache=cache))
    assert sb.logs(sb.execute(sb.compile(reader_code), cache=cache)) == ["yes"]
    other_action = sb.compile(reader_code, path="/tenant/actions/other.py")
    assert sb.logs(sb.execute(other_action, cache=cache)) == ["None"]
    assert cache.get("another-tenant", "step_up", "seen", sb.NOW) is None


def test_ttl_expiry_is_measured_against_the_login_time(sb):
    cache = InMemoryActionCache()
    sb.succeeded(sb.execute(sb.compile('api.cache.set("k", "v", ttl_seconds=60)'), cache=cache))
    reader = sb.compile('print(api.cache.get("k"))')
    assert sb.logs(sb.execute(reader, cache=cache, now=sb.NOW + timedelta(seconds=59))) == ["v"]
    assert sb.logs(sb.execute(reader, cache=cache, now=sb.NOW + timedelta(seconds=60))) == ["None"]


def test_default_ttl_is_fifteen_minutes(sb):
    cache = InMemoryActionCache()
    sb.succeeded(sb.execute(sb.compile('api.cache.set("k", "v")'), cache=cache))
    assert cache.get("acme", "step_up", "k", sb.NOW + timedelta(seconds=899)) == "v"
    assert cache.get("acme", "step_up", "k", sb.NOW + timedelta(seconds=900)) is None


@pytest.mark.parametrize(
    "call",
    [
        'api.cache.set("k" * 65, "v")',
        'api.cache.set("é" * 33, "v")',  # 66 bytes in UTF-8
        'api.cache.get("k" * 65)',
        'api.cache.delete("k" * 65)',
        'api.cache.set("k", "v" * 4097)',
        'api.cache.set("k", "€" * 1366)',  # 4098 bytes
        'api.cache.set("k", "v", ttl_seconds=0)',
        'api.cache.set("k", "v", ttl_seconds=86401)',
    ],
)
def test_limits_are_limit_errors(sb, call):
    sb.failed(sb.run(call), "limit")


def test_largest_allowed_values_pass(sb):
    result = sb.run(
        """
        api.cache.set("k" * 64, "v" * 4096, ttl_seconds=86400)
        api.cache.set("short", "v", ttl_seconds=1)
        """
    )
    sb.succeeded(result)


@pytest.mark.parametrize(
    "call",
    ['api.cache.set("k", 5)', 'api.cache.set(5, "v")', 'api.cache.set("k", "v", ttl_seconds=1.5)'],
)
def test_wrong_types_are_errors(sb, call):
    sb.failed(sb.run(call), "exception")


def test_at_most_twenty_entries_but_overwrites_are_fine(sb):
    result = sb.run(
        """
        for i in range(20):
            api.cache.set("k" + str(i), "v")
        api.cache.set("k0", "again")
        print("twenty")
        api.cache.set("k20", "v")
        """
    )
    assert "20 entries" in sb.failed(result, "limit")
    assert sb.logs(result) == ["twenty"]


def test_expired_entries_do_not_count(sb):
    cache = InMemoryActionCache()
    for i in range(20):
        cache.set("acme", "step_up", f"k{i}", "v", 10, sb.NOW)
    later = sb.NOW + timedelta(seconds=10)
    sb.succeeded(sb.execute(sb.compile('api.cache.set("new", "v")'), cache=cache, now=later))
    assert cache.entry_count("acme", "step_up", later) == 1


def test_cache_limit_errors_are_sticky(sb):
    result = sb.run(
        """
        try:
            api.cache.set("k" * 100, "v")
        except Exception:
            pass
        api.multifactor.enable("none")
        """
    )
    sb.failed(result, "limit")
    assert result.directives == ()


class BrokenCache(InMemoryActionCache):
    def get(self, tenant_id, action, key, now):
        raise ConnectionError("redis://:hunter2@cache.internal down")


def test_a_broken_store_is_an_error_without_details(sb):
    result = sb.execute(sb.compile('api.cache.get("k")'), cache=BrokenCache())
    message = sb.failed(result, "exception")
    assert "hunter2" not in message and "redis" not in message
