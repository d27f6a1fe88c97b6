"""The risk assessment: every code of every assessor, the windows, t = 0 and confidence."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contextmfa.enrich.history import InMemoryHistory, LoginRecord
from contextmfa.enrich.risk import EARTH_RADIUS_KM, RiskSettings, assess, haversine_km

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
AMSTERDAM = (52.37, 4.89)
NEW_YORK = (40.71, -74.01)
BERLIN = (52.52, 13.40)
UTRECHT = (52.09, 5.12)
LONDON = (51.51, -0.13)
SYDNEY = (-33.87, 151.21)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def geo(point: tuple[float, float] | None, country: str = "NL") -> dict[str, Any]:
    lat, lon = point if point else (None, None)
    return {
        "country_code": country,
        "country_code3": None,
        "country_name": None,
        "city_name": None,
        "continent_code": None,
        "subdivision_code": None,
        "subdivision_name": None,
        "latitude": lat,
        "longitude": lon,
        "time_zone": None,
    }


def history_with(
    *,
    hours: float = 0,
    device_id: str | None = "dev-1",
    user_agent: str | None = FIREFOX,
    point: tuple[float, float] | None = AMSTERDAM,
    country: str | None = "NL",
) -> InMemoryHistory:
    """A history holding one earlier login by acme/alice."""
    history = InMemoryHistory()
    lat, lon = point if point else (None, None)
    history.add(
        "acme",
        "alice",
        LoginRecord(T0 + timedelta(hours=hours), device_id, user_agent, lat, lon, country),
    )
    return history


def run(
    history: InMemoryHistory,
    now: datetime,
    *,
    device_id: str | None = "dev-1",
    user_agent: str | None = FIREFOX,
    geoip: dict[str, Any] | None = None,
    deny_list_match: str | None = None,
    deny_lists_configured: bool = False,
    settings: RiskSettings | None = None,
) -> dict[str, Any]:
    return assess(
        now=now,
        tenant_id="acme",
        user_id="alice",
        device_id=device_id,
        user_agent=user_agent,
        geoip=geo(AMSTERDAM) if geoip is None else geoip,
        history=history,
        deny_list_match=deny_list_match,
        deny_lists_configured=deny_lists_configured,
        settings=settings or RiskSettings(),
    )


def code(result: dict[str, Any], assessment: str) -> str:
    return result["assessments"][assessment]["code"]


# --- haversine -------------------------------------------------------------------------------


def test_haversine_reference_distances() -> None:
    assert haversine_km(*AMSTERDAM, *AMSTERDAM) == 0
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * EARTH_RADIUS_KM)
    assert haversine_km(90, 0, -90, 0) == pytest.approx(math.pi * EARTH_RADIUS_KM)
    assert haversine_km(0, 0, 0, 90) == pytest.approx(math.pi * EARTH_RADIUS_KM / 2)
    # Published great-circle distances: Amsterdam-New York about 5,860 km, Amsterdam-Berlin 577.
    assert 5850 < haversine_km(*AMSTERDAM, *NEW_YORK) < 5875
    assert 570 < haversine_km(*AMSTERDAM, *BERLIN) < 585
    assert haversine_km(*AMSTERDAM, *NEW_YORK) == haversine_km(*NEW_YORK, *AMSTERDAM)


# --- the whole object ------------------------------------------------------------------------


def test_first_login_shape() -> None:
    result = run(InMemoryHistory(), T0)
    assert result == {
        "confidence": "high",
        "version": "1",
        "assessments": {
            "new_device": {"code": "initial_login", "details": {}},
            "impossible_travel": {"code": "initial_login", "details": {}},
            "untrusted_ip": {"code": "assessment_not_available", "details": {}},
        },
    }


def test_result_is_json_without_infinities() -> None:
    result = run(history_with(), T0, geoip=geo(NEW_YORK, "US"))  # t = 0 across the Atlantic
    assert json.loads(json.dumps(result, allow_nan=False)) == result


# --- new_device ------------------------------------------------------------------------------


def test_new_device_match() -> None:
    result = run(history_with(), T0 + timedelta(days=3))
    assert result["assessments"]["new_device"] == {"code": "match", "details": {}}


def test_new_device_match_at_the_window_edge() -> None:
    history = history_with()
    assert code(run(history, T0 + timedelta(days=30)), "new_device") == "match"
    later = T0 + timedelta(days=30, seconds=1)
    assert code(run(history, later, user_agent=CHROME), "new_device") == "no_match"
    short = RiskSettings(device_trust_days=7)
    assert code(run(history, T0 + timedelta(days=7), settings=short), "new_device") == "match"
    # The user agent was last seen as long ago as the device: outside the window too.
    assert code(run(history, T0 + timedelta(days=8), settings=short), "new_device") == ("no_match")


def test_new_device_partial_match_on_user_agent() -> None:
    history = history_with()
    assert code(run(history, T0 + timedelta(days=1), device_id="dev-2"), "new_device") == (
        "partial_match"
    )
    assert code(run(history, T0 + timedelta(days=1), device_id=None), "new_device") == (
        "partial_match"
    )


def test_new_device_partial_match_uses_the_same_window() -> None:
    history = history_with()
    now = T0 + timedelta(days=30, seconds=1)
    assert code(run(history, now, device_id="dev-2"), "new_device") == "no_match"


def test_new_device_expired_device_falls_back_to_recent_user_agent() -> None:
    history = history_with(device_id="dev-1", user_agent=CHROME)
    history.add(
        "acme", "alice", LoginRecord(T0 + timedelta(days=40), "dev-9", FIREFOX, *AMSTERDAM, "NL")
    )
    now = T0 + timedelta(days=45)
    assert code(run(history, now, device_id="dev-1", user_agent=FIREFOX), "new_device") == (
        "partial_match"
    )


def test_new_device_unknown_device() -> None:
    result = run(history_with(), T0 + timedelta(days=1), device_id=None, user_agent=None)
    assert result["assessments"]["new_device"] == {"code": "unknown_device", "details": {}}
    empty = run(history_with(), T0 + timedelta(days=1), device_id="", user_agent="")
    assert code(empty, "new_device") == "unknown_device"


def test_new_device_no_match() -> None:
    history = history_with()
    now = T0 + timedelta(days=1)
    assert code(run(history, now, device_id="dev-2", user_agent=CHROME), "new_device") == (
        "no_match"
    )
    # Only a device id, and it is new: no_match, not unknown_device.
    assert code(run(history, now, device_id="dev-2", user_agent=None), "new_device") == ("no_match")
    assert code(run(history, now, device_id=None, user_agent=CHROME), "new_device") == "no_match"


def test_new_device_zero_trust_days() -> None:
    history = history_with()
    zero = RiskSettings(device_trust_days=0)
    assert code(run(history, T0, settings=zero), "new_device") == "match"
    assert code(run(history, T0 + timedelta(seconds=1), settings=zero), "new_device") == (
        "no_match"
    )


def test_new_device_record_after_now_counts_as_within_window() -> None:
    history = history_with(hours=5)
    assert code(run(history, T0), "new_device") == "match"


# --- impossible_travel -----------------------------------------------------------------------


def travel(
    to: tuple[float, float], hours: float, settings: RiskSettings | None = None
) -> dict[str, Any]:
    result = run(
        history_with(), T0 + timedelta(hours=hours), geoip=geo(to, "XX"), settings=settings
    )
    return result["assessments"]["impossible_travel"]


def test_impossible_travel() -> None:
    assert travel(NEW_YORK, 1) == {
        "code": "impossible_travel_from_last_login",
        "details": {"distance_km": 5862.7, "speed_kmh": 5862.7, "country_code": "NL"},
    }
    # Amsterdam to Berlin in half an hour: 1153 km/h over 577 km.
    assert travel(BERLIN, 0.5)["code"] == "impossible_travel_from_last_login"


def test_substantial_travel() -> None:
    assert travel(NEW_YORK, 12) == {
        "code": "substantial_travel_from_last_login",
        "details": {"distance_km": 5862.7, "speed_kmh": 488.6, "country_code": "NL"},
    }
    assert travel(SYDNEY, 24)["code"] == "substantial_travel_from_last_login"


def test_travel() -> None:
    assert travel(BERLIN, 6) == {
        "code": "travel_from_last_login",
        "details": {"distance_km": 576.7, "speed_kmh": 96.1, "country_code": "NL"},
    }


def test_minimal_travel_even_when_fast() -> None:
    # 35 km in 5 minutes is 418 km/h, but under 100 km is never impossible travel.
    assert travel(UTRECHT, 5 / 60) == {
        "code": "minimal_travel_from_last_login",
        "details": {"distance_km": 34.9, "speed_kmh": 418.2, "country_code": "NL"},
    }


def test_zero_time_is_infinite_speed() -> None:
    assert travel(LONDON, 0) == {
        "code": "impossible_travel_from_last_login",
        "details": {"distance_km": 357.1, "speed_kmh": None, "country_code": "NL"},
    }
    assert travel(UTRECHT, 0) == {
        "code": "minimal_travel_from_last_login",
        "details": {"distance_km": 34.9, "speed_kmh": None, "country_code": "NL"},
    }
    assert travel(AMSTERDAM, 0)["details"] == {
        "distance_km": 0.0,
        "speed_kmh": None,
        "country_code": "NL",
    }


def test_impossible_speed_setting() -> None:
    slow = RiskSettings(impossible_speed_kmh=400)
    assert travel(NEW_YORK, 12, slow)["code"] == "impossible_travel_from_last_login"
    assert travel(BERLIN, 6, slow)["code"] == "travel_from_last_login"


def test_event_older_than_last_login_uses_elapsed_time_either_way() -> None:
    # The last login is 6 h *after* this event (an out-of-order replay): 577 km in 6 h.
    history = history_with(hours=6)
    result = run(history, T0, geoip=geo(BERLIN, "DE"))
    assert result["assessments"]["impossible_travel"] == {
        "code": "travel_from_last_login",
        "details": {"distance_km": 576.7, "speed_kmh": 96.1, "country_code": "NL"},
    }


def test_travel_compares_with_the_last_login_only() -> None:
    history = history_with(point=NEW_YORK, country="US")
    history.add(
        "acme", "alice", LoginRecord(T0 + timedelta(hours=10), "dev-1", FIREFOX, *BERLIN, "DE")
    )
    result = run(history, T0 + timedelta(hours=16), geoip=geo(AMSTERDAM))
    assert result["assessments"]["impossible_travel"]["code"] == "travel_from_last_login"
    assert result["assessments"]["impossible_travel"]["details"]["country_code"] == "DE"


def test_missing_geoip() -> None:
    now = T0 + timedelta(hours=3)
    missing = {"code": "missing_geoip", "details": {}}
    no_geoip = assess(
        now=now,
        tenant_id="acme",
        user_id="alice",
        device_id="dev-1",
        user_agent=FIREFOX,
        geoip=None,
        history=history_with(),
        deny_list_match=None,
        deny_lists_configured=False,
        settings=RiskSettings(),
    )
    assert no_geoip["assessments"]["impossible_travel"] == missing
    country_only = run(history_with(), now, geoip=geo(None, "CH"))
    assert country_only["assessments"]["impossible_travel"] == missing
    last_without = run(history_with(point=None, country=None), now, geoip=geo(BERLIN))
    assert last_without["assessments"]["impossible_travel"] == missing


# --- untrusted_ip ----------------------------------------------------------------------------


def test_untrusted_ip_codes() -> None:
    history = history_with()
    now = T0 + timedelta(days=1)
    not_available = run(history, now)["assessments"]["untrusted_ip"]
    assert not_available == {"code": "assessment_not_available", "details": {}}
    found = run(history, now, deny_list_match="tor", deny_lists_configured=True)
    assert found["assessments"]["untrusted_ip"] == {
        "code": "found_on_deny_list",
        "details": {"source": "tor"},
    }
    clean = run(history, now, deny_lists_configured=True)
    assert clean["assessments"]["untrusted_ip"] == {"code": "not_found_on_deny_list", "details": {}}


# --- confidence ------------------------------------------------------------------------------


def test_confidence_high() -> None:
    assert run(history_with(), T0 + timedelta(days=1))["confidence"] == "high"
    # partial_match, unknown_device, travel and missing_geoip are not concerns.
    partial = run(history_with(), T0 + timedelta(hours=6), device_id="dev-2", geoip=geo(BERLIN))
    assert (code(partial, "new_device"), code(partial, "impossible_travel")) == (
        "partial_match",
        "travel_from_last_login",
    )
    assert partial["confidence"] == "high"
    unknown = run(history_with(), T0 + timedelta(days=1), device_id=None, user_agent=None)
    assert unknown["confidence"] == "high"


def test_confidence_medium() -> None:
    new_device = run(history_with(), T0 + timedelta(days=1), device_id="dev-2", user_agent=CHROME)
    assert new_device["confidence"] == "medium"
    far = run(history_with(), T0 + timedelta(hours=12), geoip=geo(NEW_YORK, "US"))
    assert code(far, "impossible_travel") == "substantial_travel_from_last_login"
    assert far["confidence"] == "medium"


def test_confidence_low_with_two_concerns() -> None:
    result = run(
        history_with(),
        T0 + timedelta(hours=12),
        device_id="dev-2",
        user_agent=CHROME,
        geoip=geo(NEW_YORK, "US"),
    )
    assert (code(result, "new_device"), code(result, "impossible_travel")) == (
        "no_match",
        "substantial_travel_from_last_login",
    )
    assert result["confidence"] == "low"


def test_confidence_low_on_impossible_travel() -> None:
    result = run(history_with(), T0 + timedelta(hours=1), geoip=geo(NEW_YORK, "US"))
    assert code(result, "new_device") == "match"
    assert result["confidence"] == "low"


def test_confidence_low_on_deny_list() -> None:
    result = run(
        history_with(), T0 + timedelta(days=1), deny_list_match="tor", deny_lists_configured=True
    )
    assert code(result, "new_device") == "match"
    assert result["confidence"] == "low"
    first = run(InMemoryHistory(), T0, deny_list_match="tor", deny_lists_configured=True)
    assert first["confidence"] == "low"


# --- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [{"device_trust_days": -1}, {"impossible_speed_kmh": 0}, {"impossible_speed_kmh": -5}],
)
def test_risk_settings_reject_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RiskSettings(**kwargs)
