"""actions/mfa_outside_home_country.py run in the sandbox."""

from contextmfa.directives import Require

STEM = "mfa_outside_home_country"
SOURCE = f"action:{STEM}"
BRUSSELS = {
    "country_code": "BE",
    "country_code3": "BEL",
    "country_name": "Belgium",
    "city_name": "Brussels",
    "continent_code": "EU",
    "subdivision_code": "BRU",
    "subdivision_name": "Brussels Capital",
    "latitude": 50.8503,
    "longitude": 4.3517,
    "time_zone": "Europe/Brussels",
}


def home(make_event, home_country, **overrides):
    return make_event(user={"app_metadata": {"home_country": home_country}}, **overrides)


def test_login_at_home_needs_nothing_and_records_the_country(run, make_event):
    result = run(STEM, home(make_event, "NL"))
    assert result.error is None
    assert result.directives == ()
    assert result.app_metadata == {"last_country": "NL"}


def test_login_abroad_requires_mfa(run, make_event):
    event = home(make_event, "NL", request={"ip": "81.246.80.1", "geoip": BRUSSELS})
    result = run(STEM, event)
    assert result.error is None
    assert result.directives == (Require(None, False, SOURCE),)
    assert result.app_metadata == {"last_country": "BE"}


def test_home_country_may_be_a_list_in_app_metadata(run, make_event):
    event = home(make_event, ["nl", "BE"], request={"geoip": BRUSSELS})
    result = run(STEM, event)
    assert result.error is None
    assert result.directives == ()


def test_app_metadata_wins_over_the_secret(run, make_event):
    result = run(STEM, home(make_event, "DE"), {"HOME_COUNTRY": "NL"})
    assert result.directives == (Require(None, False, SOURCE),)


def test_secret_applies_to_users_without_a_home_country(run, make_event):
    secrets = {"HOME_COUNTRY": "NL, be"}
    assert run(STEM, make_event(), secrets).directives == ()
    abroad = run(STEM, make_event(request={"geoip": {"country_code": "FR"}}), secrets)
    assert abroad.directives == (Require(None, False, SOURCE),)


def test_user_without_any_home_country_is_challenged(run, make_event):
    result = run(STEM, make_event())
    assert result.error is None
    assert result.directives == (Require(None, False, SOURCE),)
    assert any("no home country" in log.line for log in result.logs)


def test_unknown_login_country_is_challenged_and_not_recorded(run, make_event):
    result = run(STEM, home(make_event, "NL", request={"ip": "192.168.1.20", "geoip": None}))
    assert result.error is None
    assert result.directives == (Require(None, False, SOURCE),)
    assert result.app_metadata == {}


def test_malformed_home_country_in_metadata_fails_closed(run, make_event):
    result = run(STEM, home(make_event, "Netherlands"))
    assert result.error is None
    assert result.directives == (Require(None, False, SOURCE),)


def test_remember_browser_can_be_allowed(run, make_event):
    event = home(make_event, "NL", request={"geoip": BRUSSELS})
    result = run(STEM, event, {"ALLOW_REMEMBER_BROWSER": "true"})
    assert result.directives == (Require(None, True, SOURCE),)


def test_malformed_secrets_fail_with_their_name(run, make_event):
    bad_home = run(STEM, make_event(), {"HOME_COUNTRY": "Holland"})
    assert bad_home.error is not None
    assert "HOME_COUNTRY" in bad_home.error.message
    assert "Holland" not in bad_home.error.message
    bad_flag = run(STEM, make_event(), {"ALLOW_REMEMBER_BROWSER": "sometimes"})
    assert bad_flag.error is not None
    assert "ALLOW_REMEMBER_BROWSER" in bad_flag.error.message
