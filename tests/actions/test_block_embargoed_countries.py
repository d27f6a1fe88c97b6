"""actions/block_embargoed_countries.py run in the sandbox."""

from pathlib import Path

import pytest

from contextmfa.directives import Deny, Require

STEM = "block_embargoed_countries"
SOURCE = f"action:{STEM}"
ACTIONS_DIR = Path(__file__).resolve().parents[2] / "actions"
TEHRAN = {
    "country_code": "IR",
    "country_code3": "IRN",
    "country_name": "Iran",
    "city_name": "Tehran",
    "continent_code": "AS",
    "subdivision_code": "23",
    "subdivision_name": "Tehran",
    "latitude": 35.6944,
    "longitude": 51.4215,
    "time_zone": "Asia/Tehran",
}


def login_from(make_event, country_code, ip="5.160.218.10"):
    return make_event(request={"ip": ip, "geoip": {**TEHRAN, "country_code": country_code}})


def test_login_from_a_non_embargoed_country_passes(run, make_event):
    result = run(STEM, make_event())
    assert result.error is None
    assert result.directives == ()


@pytest.mark.parametrize("country", ["CU", "IR", "KP", "SY"])
def test_default_list_denies_each_embargoed_country(run, make_event, country):
    result = run(STEM, login_from(make_event, country))
    assert result.error is None
    assert result.directives == (Deny("embargoed_country", SOURCE),)
    assert any(country in log.line for log in result.logs)


def test_secret_replaces_the_list_and_is_case_insensitive(run, make_event):
    secrets = {"EMBARGOED_COUNTRIES": " by , ru"}
    denied = run(STEM, login_from(make_event, "BY", ip="178.124.128.1"), secrets)
    assert denied.directives == (Deny("embargoed_country", SOURCE),)
    iran = run(STEM, login_from(make_event, "IR"), secrets)
    assert iran.error is None
    assert iran.directives == ()


def test_lower_case_country_from_the_event_still_matches(run, make_event):
    result = run(STEM, login_from(make_event, "ir"))
    assert result.directives == (Deny("embargoed_country", SOURCE),)


def test_empty_secret_embargoes_nothing(run, make_event):
    result = run(STEM, login_from(make_event, "IR"), {"EMBARGOED_COUNTRIES": ""})
    assert result.error is None
    assert result.directives == ()


def test_unknown_country_is_challenged_by_default(run, make_event):
    result = run(STEM, make_event(request={"ip": "10.20.30.40", "geoip": None}))
    assert result.error is None
    assert result.directives == (Require(None, False, SOURCE),)


def test_geoip_entry_without_country_counts_as_unknown(run, make_event):
    result = run(STEM, make_event(request={"geoip": {"country_code": None}}))
    assert result.directives == (Require(None, False, SOURCE),)


def test_unknown_country_can_deny(run, make_event):
    event = make_event(request={"geoip": None})
    result = run(STEM, event, {"UNKNOWN_COUNTRY": "Deny"})
    assert result.directives == (Deny("unknown_country", SOURCE),)


def test_unknown_country_can_be_allowed(run, make_event):
    result = run(STEM, make_event(request={"geoip": None}), {"UNKNOWN_COUNTRY": "allow"})
    assert result.error is None
    assert result.directives == ()


def test_malformed_country_list_fails_without_echoing_it(run, make_event):
    result = run(STEM, make_event(), {"EMBARGOED_COUNTRIES": "Cuba,Iran"})
    assert result.error is not None
    assert result.error.kind == "exception"
    assert "EMBARGOED_COUNTRIES" in result.error.message
    assert "Cuba" not in result.error.message
    assert result.directives == ()


def test_error_points_at_the_line_that_rejected_the_secret(run, make_event):
    source = (ACTIONS_DIR / f"{STEM}.py").read_text(encoding="utf-8").splitlines()
    result = run(STEM, make_event(), {"EMBARGOED_COUNTRIES": "XXX"})
    assert result.error is not None
    assert "raise ValueError" in source[result.error.line - 1]


def test_bad_unknown_country_choice_fails(run, make_event):
    result = run(STEM, make_event(), {"UNKNOWN_COUNTRY": "maybe"})
    assert result.error is not None
    assert "UNKNOWN_COUNTRY" in result.error.message
