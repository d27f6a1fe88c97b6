"""The in-memory login history: last login, last-seen lookups, isolation and bounds."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from contextmfa.enrich.history import History, InMemoryHistory, LoginRecord

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def record(
    hours: float, device_id: str | None = None, user_agent: str | None = None
) -> LoginRecord:
    return LoginRecord(
        timestamp=T0 + timedelta(hours=hours),
        device_id=device_id,
        user_agent=user_agent,
        latitude=52.37,
        longitude=4.89,
        country_code="NL",
    )


def test_is_a_history() -> None:
    assert isinstance(InMemoryHistory(), History)


def test_empty_history() -> None:
    history = InMemoryHistory()
    assert history.last("acme", "u1") is None
    assert history.logins("acme", "u1") == ()
    assert history.device_last_seen("acme", "u1", "d1") is None
    assert history.user_agent_last_seen("acme", "u1", FIREFOX) is None
    assert len(history) == 0


def test_last_login_and_last_seen() -> None:
    history = InMemoryHistory()
    history.add("acme", "u1", record(0, "d1", FIREFOX))
    history.add("acme", "u1", record(5, "d2", SAFARI))
    history.add("acme", "u1", record(7, "d1", SAFARI))
    assert history.last("acme", "u1") == record(7, "d1", SAFARI)
    assert history.device_last_seen("acme", "u1", "d1") == T0 + timedelta(hours=7)
    assert history.device_last_seen("acme", "u1", "d2") == T0 + timedelta(hours=5)
    assert history.user_agent_last_seen("acme", "u1", FIREFOX) == T0
    assert history.user_agent_last_seen("acme", "u1", SAFARI) == T0 + timedelta(hours=7)
    assert [r.timestamp for r in history.logins("acme", "u1")] == [
        T0,
        T0 + timedelta(hours=5),
        T0 + timedelta(hours=7),
    ]


def test_out_of_order_records_keep_the_latest() -> None:
    history = InMemoryHistory()
    history.add("acme", "u1", record(10, "d1"))
    history.add("acme", "u1", record(2, "d1"))
    assert history.last("acme", "u1").timestamp == T0 + timedelta(hours=10)
    assert history.device_last_seen("acme", "u1", "d1") == T0 + timedelta(hours=10)
    assert [r.timestamp for r in history.logins("acme", "u1")] == [
        T0 + timedelta(hours=2),
        T0 + timedelta(hours=10),
    ]


def test_same_timestamp_the_later_added_is_last() -> None:
    history = InMemoryHistory()
    history.add("acme", "u1", record(1, "first"))
    history.add("acme", "u1", record(1, "second"))
    assert history.last("acme", "u1").device_id == "second"


def test_tenants_and_users_are_isolated() -> None:
    history = InMemoryHistory()
    history.add("acme", "u1", record(0, "d1", FIREFOX))
    assert history.last("globex", "u1") is None
    assert history.last("acme", "u2") is None
    assert history.device_last_seen("globex", "u1", "d1") is None
    assert history.user_agent_last_seen("acme", "u2", FIREFOX) is None
    assert len(history) == 1


def test_empty_strings_are_absent() -> None:
    history = InMemoryHistory()
    history.add("acme", "u1", record(0, "", ""))
    assert history.device_last_seen("acme", "u1", "") is None
    assert history.user_agent_last_seen("acme", "u1", "") is None


def test_device_and_user_agent_bounds_forget_the_oldest() -> None:
    history = InMemoryHistory(max_devices=2, max_user_agents=2, keep_logins=2)
    history.add("acme", "u1", record(0, "d1", "ua1"))
    history.add("acme", "u1", record(1, "d2", "ua2"))
    history.add("acme", "u1", record(2, "d1", "ua1"))  # d1 / ua1 seen again: now the newest
    history.add("acme", "u1", record(3, "d3", "ua3"))  # evicts d2 / ua2
    assert history.device_last_seen("acme", "u1", "d2") is None
    assert history.user_agent_last_seen("acme", "u1", "ua2") is None
    assert history.device_last_seen("acme", "u1", "d1") == T0 + timedelta(hours=2)
    assert history.device_last_seen("acme", "u1", "d3") == T0 + timedelta(hours=3)
    assert [r.device_id for r in history.logins("acme", "u1")] == ["d1", "d3"]
    assert history.last("acme", "u1").device_id == "d3"


def test_bounds_must_be_positive() -> None:
    with pytest.raises(ValueError):
        InMemoryHistory(max_devices=0)


def test_login_record_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        record(0).device_id = "other"  # type: ignore[misc]


def test_record_from_enriched_event() -> None:
    event = {
        "request": {
            "ip": "193.0.6.139",
            "user_agent": FIREFOX,
            "geoip": {"country_code": "NL", "latitude": 52.374, "longitude": 4.8897},
        },
        "device": {"id": "dev-1", "remembered": False},
    }
    assert LoginRecord.from_event(event, T0) == LoginRecord(
        T0, "dev-1", FIREFOX, 52.374, 4.8897, "NL"
    )
    bare = {"request": {"ip": "10.0.0.1", "user_agent": None, "geoip": None}, "device": {"id": ""}}
    assert LoginRecord.from_event(bare, T0) == LoginRecord(T0)
