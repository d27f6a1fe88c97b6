"""``api.cache`` limits, results and TTLs, and the in-memory store (time is always the login's)."""

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
    ("call", "code"),
    [
        ('api.cache.set("k" * 65, "v")', "key_too_long"),
        ('api.cache.set("é" * 33, "v")', "key_too_long"),  # 66 bytes in UTF-8
        ('api.cache.set("", "v")', "key_empty"),
        ('api.cache.delete("k" * 65)', "key_too_long"),
        ('api.cache.set("k", "v" * 4097)', "value_too_long"),
        ('api.cache.set("k", "€" * 1366)', "value_too_long"),  # 4098 bytes
        ('api.cache.set("k", "v", ttl_seconds=0)', "ttl_out_of_range"),
        ('api.cache.set("k", "v", ttl_seconds=86401)', "ttl_out_of_range"),
    ],
)
def test_what_cannot_be_stored_is_a_result_not_an_error(sb, call, code):
    result = sb.run(
        f"""
        outcome = {call}
        expected = {{"type": "error", "code": "{code}"}}
        print(outcome["type"], outcome.get("code"), outcome == expected)
        print(api.cache.get("k"))
        api.multifactor.enable("none")
        """
    )
    assert sb.logs(sb.succeeded(result)) == [f"error {code} True", "None"]
    assert len(result.directives) == 1


@pytest.mark.parametrize("key", ['"k" * 65', '""'])
def test_a_key_that_can_never_be_stored_is_never_found(sb, key):
    result = sb.run(f"print(api.cache.get({key}))")
    assert sb.logs(sb.succeeded(result)) == ["None"]


def test_largest_allowed_values_pass(sb):
    result = sb.run(
        """
        print(api.cache.set("k" * 64, "v" * 4096, ttl_seconds=86400))
        print(api.cache.set("short", "v", ttl_seconds=1))
        print(api.cache.delete("short"))
        """
    )
    assert sb.logs(sb.succeeded(result)) == ["{'type': 'success'}"] * 3


@pytest.mark.parametrize(
    "call",
    [
        'api.cache.set("k", 5)',
        'api.cache.set(5, "v")',
        'api.cache.set("k", "v", ttl_seconds=1.5)',
        "api.cache.get(None)",
        "api.cache.delete(5)",
    ],
)
def test_wrong_types_are_errors(sb, call):
    sb.failed(sb.run(call), "exception")


def test_the_twenty_first_user_within_the_ttl_is_not_denied(sb):
    """Issue 17 #1: 20 entries per Action failed every later login of the TTL."""
    cache = InMemoryActionCache()
    action = sb.compile(
        """
        key = "seen:" + event.user.user_id
        if api.cache.get(key) is None:
            api.authentication.challenge_with("otp")
            print(api.cache.set(key, "1")["type"])
        """
    )
    for n in range(30):
        event = sb.event_copy()
        event["user"]["user_id"] = f"auth0|{n}"
        result = sb.succeeded(sb.execute(action, event=event, cache=cache))
        assert sb.logs(result) == ["success"]
    assert cache.entry_count("acme", "step_up", sb.NOW) == 30


def test_a_full_cache_forgets_the_entries_closest_to_expiry(sb):
    cache = InMemoryActionCache(capacity=3)
    writer = sb.compile('print(api.cache.set(event.user.user_id, "v", ttl_seconds=600)["type"])')
    for n, seconds in enumerate([0, 10, 20, 30, 40]):
        event = sb.event_copy()
        event["user"]["user_id"] = f"u{n}"
        now = sb.NOW + timedelta(seconds=seconds)
        assert sb.logs(sb.succeeded(sb.execute(writer, event=event, cache=cache, now=now))) == [
            "success"
        ]
    later = sb.NOW + timedelta(seconds=50)
    assert [cache.get("acme", "step_up", f"u{n}", later) for n in range(5)] == [
        None,
        None,
        "v",
        "v",
        "v",
    ]


def test_a_short_lived_entry_just_written_is_not_the_one_forgotten(sb):
    cache = InMemoryActionCache(capacity=2)
    sb.succeeded(sb.execute(sb.compile('api.cache.set("a", "1", ttl_seconds=900)'), cache=cache))
    sb.succeeded(sb.execute(sb.compile('api.cache.set("b", "2", ttl_seconds=900)'), cache=cache))
    result = sb.run(
        """
        print(api.cache.set("c", "3", ttl_seconds=5))
        print(api.cache.get("c"))
        """,
        cache=cache,
    )
    assert sb.logs(sb.succeeded(result)) == ["{'type': 'success'}", "3"]
    assert cache.get("acme", "step_up", "a", sb.NOW) is None
    assert cache.get("acme", "step_up", "b", sb.NOW) == "2"


def test_capacity_is_per_tenant_and_keys_stay_per_action(sb):
    cache = InMemoryActionCache(capacity=3)
    first = sb.compile('api.cache.set("k", "first")', path="/tenant/actions/first.py")
    second = sb.compile('api.cache.set("k", "second")', path="/tenant/actions/second.py")
    sb.succeeded(sb.execute(first, cache=cache))
    sb.succeeded(sb.execute(second, cache=cache, now=sb.NOW + timedelta(seconds=1)))
    assert cache.get("acme", "first", "k", sb.NOW) == "first"
    assert cache.get("acme", "second", "k", sb.NOW) == "second"
    for n in range(2):  # two more entries of one Action: the tenant's oldest goes
        cache.set("acme", "second", f"x{n}", "v", 900, sb.NOW + timedelta(seconds=2 + n))
    assert cache.get("acme", "first", "k", sb.NOW) is None
    assert cache.get("acme", "second", "k", sb.NOW) == "second"
    for n in range(3):  # another tenant's entries take nothing from acme's
        cache.set("globex", "first", f"k{n}", "v", 900, sb.NOW)
    assert cache.get("acme", "second", "k", sb.NOW) == "second"


def test_a_cache_flood_stays_within_the_tenant_capacity(sb):
    cache = InMemoryActionCache(capacity=50)
    result = sb.run(
        """
        for i in range(500):
            api.cache.set(str(i), "x" * 4096)
        print(api.cache.get("499") == "x" * 4096, api.cache.get("0"))
        """,
        cache=cache,
    )
    assert sb.logs(sb.succeeded(result)) == ["True None"]
    assert cache.entry_count("acme", "step_up", sb.NOW) == 50


def test_expired_entries_are_forgotten_first(sb):
    cache = InMemoryActionCache(capacity=20)
    cache.set("acme", "step_up", "live", "v", 900, sb.NOW)
    for i in range(19):
        cache.set("acme", "step_up", f"k{i}", "v", 10, sb.NOW)
    later = sb.NOW + timedelta(seconds=10)
    sb.succeeded(sb.execute(sb.compile('api.cache.set("new", "v")'), cache=cache, now=later))
    assert cache.entry_count("acme", "step_up", later) == 2
    assert cache.get("acme", "step_up", "live", later) == "v"


def test_cache_type_errors_are_sticky(sb):
    result = sb.run(
        """
        try:
            api.cache.set("k", 5)
        except Exception:
            pass
        api.multifactor.enable("none")
        """
    )
    sb.failed(result, "exception")
    assert result.directives == ()


class BrokenCache(InMemoryActionCache):
    def get(self, tenant_id, action, key, now):
        raise ConnectionError("redis://:hunter2@cache.internal down")


def test_a_broken_store_is_an_error_without_details(sb):
    result = sb.execute(sb.compile('api.cache.get("k")'), cache=BrokenCache())
    message = sb.failed(result, "exception")
    assert "hunter2" not in message and "redis" not in message
