"""actions/impossible_travel.py run in the sandbox."""

import pytest

from contextmfa.directives import Deny, Require

STEM = "impossible_travel"
SOURCE = f"action:{STEM}"
# Amsterdam 52.3759,4.8975 one hour after a login from New York 40.7128,-74.0060.
NEW_YORK_HOP = {"distance_km": 5861.4, "speed_kmh": 5861.4, "country_code": "US"}
LISBON_DAY = {"distance_km": 1855.0, "speed_kmh": 77.3, "country_code": "PT"}


def travel(make_event, with_risk, code, details=None, confidence="high"):
    return with_risk(make_event(), confidence, impossible_travel=(code, details or {}))


@pytest.mark.parametrize(
    "code",
    ["minimal_travel_from_last_login", "travel_from_last_login", "initial_login"],
)
def test_ordinary_travel_needs_nothing(run, make_event, with_risk, code):
    result = run(STEM, travel(make_event, with_risk, code))
    assert result.error is None
    assert result.directives == ()


def test_impossible_travel_is_challenged_by_default(run, make_event, with_risk):
    event = travel(make_event, with_risk, "impossible_travel_from_last_login", NEW_YORK_HOP, "low")
    result = run(STEM, event)
    assert result.error is None
    assert result.directives == (Require(None, False, SOURCE),)
    assert any("5861.4 km" in log.line and "US" in log.line for log in result.logs)


def test_impossible_travel_denies_in_deny_mode(run, make_event, with_risk):
    event = travel(make_event, with_risk, "impossible_travel_from_last_login", NEW_YORK_HOP, "low")
    result = run(STEM, event, {"MODE": "deny"})
    assert result.directives == (Deny("impossible_travel", SOURCE),)


def test_substantial_travel_is_challenged_unless_ignored(run, make_event, with_risk):
    event = travel(make_event, with_risk, "substantial_travel_from_last_login", LISBON_DAY)
    assert run(STEM, event).directives == (Require(None, False, SOURCE),)
    assert run(STEM, event, {"MODE": "deny"}).directives == (Require(None, False, SOURCE),)
    ignored = run(STEM, event, {"SUBSTANTIAL_TRAVEL": "ignore"})
    assert ignored.error is None
    assert ignored.directives == ()


def test_missing_geoip_is_challenged_unless_ignored(run, make_event, with_risk):
    event = travel(make_event, with_risk, "missing_geoip")
    assert run(STEM, event).directives == (Require(None, False, SOURCE),)
    assert run(STEM, event, {"MISSING_GEOIP": "ignore"}).directives == ()


def test_missing_risk_assessment_fails_closed(run, make_event):
    result = run(STEM, make_event(authentication={"risk_assessment": None}))
    assert result.error is None
    assert result.directives == (Require(None, False, SOURCE),)


def test_unknown_code_fails_closed(run, make_event, with_risk):
    result = run(STEM, travel(make_event, with_risk, "teleported"))
    assert result.directives == (Require(None, False, SOURCE),)


@pytest.mark.parametrize(
    ("name", "value"),
    [("MODE", "block"), ("SUBSTANTIAL_TRAVEL", "deny"), ("MISSING_GEOIP", "allow")],
)
def test_bad_choices_fail_with_the_secret_name(run, make_event, name, value):
    result = run(STEM, make_event(), {name: value})
    assert result.error is not None
    assert name in result.error.message
