"""actions/business_hours.py run in the sandbox. 2026-11-25 is a Wednesday."""

import pytest

from contextmfa.directives import Require

STEM = "business_hours"
SOURCE = f"action:{STEM}"
CHALLENGE = (Require(None, False, SOURCE),)


def at(make_event, timestamp, app_metadata=None, user_metadata=None, roles=None):
    user = {"app_metadata": app_metadata or {}, "user_metadata": user_metadata or {}}
    event = make_event(timestamp=timestamp, user=user)
    if roles is not None:
        event["authorization"]["roles"] = list(roles)
    return event


def test_weekday_daytime_in_utc_needs_nothing(run, make_event):
    result = run(STEM, make_event())
    assert result.error is None
    assert result.directives == ()


@pytest.mark.parametrize(
    ("timestamp", "outside"),
    [
        ("2026-11-25T08:00:00Z", False),
        ("2026-11-25T07:59:59Z", True),
        ("2026-11-25T18:00:59Z", False),
        ("2026-11-25T18:01:00Z", True),
        ("2026-11-28T10:00:00Z", True),
        ("2026-11-29T12:00:00Z", True),
    ],
)
def test_default_window_is_mon_fri_8_to_18_inclusive(run, make_event, timestamp, outside):
    result = run(STEM, at(make_event, timestamp))
    assert result.error is None
    assert result.directives == (CHALLENGE if outside else ())


def test_outside_hours_logs_local_time_and_geoip_zone(run, make_event):
    result = run(STEM, at(make_event, "2026-11-25T19:30:00Z"), {"UTC_OFFSET": "+01:00"})
    assert result.directives == CHALLENGE
    line = " ".join(item.line for item in result.logs)
    assert "wed 20:30" in line
    assert "Europe/Amsterdam" in line


def test_utc_offset_secret_shifts_the_clock(run, make_event):
    # 10:15 UTC is 19:15 in Tokyo.
    assert run(STEM, make_event(), {"UTC_OFFSET": "+09:00"}).directives == CHALLENGE


@pytest.mark.parametrize(
    ("offset", "outside"),
    [
        ("+05:30", False),
        ("+0530", False),
        ("UTC+5:30", False),
        ("+9", False),
        ("-11:00", False),
        ("Z", True),
        ("UTC", True),
        ("+02:00", True),
    ],
)
def test_offset_spellings(run, make_event, offset, outside):
    # 03:00 UTC: 08:30 in Mumbai, 12:00 in Tokyo, 16:00 Tuesday at -11:00, 05:00 at +02:00.
    result = run(STEM, at(make_event, "2026-11-25T03:00:00Z"), {"UTC_OFFSET": offset})
    assert result.error is None
    assert result.directives == (CHALLENGE if outside else ())


def test_offset_can_move_the_login_to_another_day(run, make_event):
    # Friday 23:30 UTC is Saturday 01:30 at +02:00; Sunday 23:30 UTC is Monday 08:30 at +09:00.
    friday_night = at(make_event, "2026-11-27T23:30:00Z")
    assert run(STEM, friday_night, {"UTC_OFFSET": "+02:00"}).directives == CHALLENGE
    sunday_night = at(make_event, "2026-11-29T23:30:00Z")
    assert run(STEM, sunday_night, {"UTC_OFFSET": "+09:00"}).directives == ()


def test_app_metadata_offset_wins_over_user_metadata_and_secret(run, make_event):
    # 12:30 UTC: 07:30 at -05:00 (outside), 13:30 at +01:00 (inside).
    event = at(
        make_event, "2026-11-25T12:30:00Z", {"utc_offset": "-05:00"}, {"utc_offset": "+01:00"}
    )
    assert run(STEM, event, {"UTC_OFFSET": "+01:00"}).directives == CHALLENGE


def test_user_metadata_offset_applies_when_app_metadata_has_none(run, make_event):
    event = at(make_event, "2026-11-25T12:30:00Z", user_metadata={"utc_offset": "-05:00"})
    assert run(STEM, event, {"UTC_OFFSET": "+01:00"}).directives == CHALLENGE


def test_malformed_offset_in_metadata_fails_closed(run, make_event):
    event = at(make_event, "2026-11-25T12:00:00Z", user_metadata={"utc_offset": "Europe/Paris"})
    result = run(STEM, event)
    assert result.error is None
    assert result.directives == CHALLENGE
    assert any("user_metadata.utc_offset" in log.line for log in result.logs)


def test_wrapping_window_and_custom_days(run, make_event):
    night_shift = {"BUSINESS_HOURS": "22:00-06:00", "BUSINESS_DAYS": "mon-sun"}
    assert run(STEM, at(make_event, "2026-11-28T23:00:00Z"), night_shift).directives == ()
    assert run(STEM, at(make_event, "2026-11-25T12:00:00Z"), night_shift).directives == CHALLENGE


def test_business_days_ranges_wrap_and_lists_work(run, make_event):
    sun_thu = {"BUSINESS_DAYS": "sun-thu"}
    assert run(STEM, at(make_event, "2026-11-29T10:00:00Z"), sun_thu).directives == ()
    assert run(STEM, at(make_event, "2026-11-27T10:00:00Z"), sun_thu).directives == CHALLENGE
    listed = {"BUSINESS_DAYS": "Mon, wed", "BUSINESS_HOURS": "07:30 - 19:00"}
    assert run(STEM, at(make_event, "2026-11-25T18:45:00Z"), listed).directives == ()
    assert run(STEM, at(make_event, "2026-11-26T10:00:00Z"), listed).directives == CHALLENGE


def test_apply_to_roles_limits_the_action(run, make_event):
    secrets = {"APPLY_TO_ROLES": "Admin"}
    night = "2026-11-25T23:00:00Z"
    assert run(STEM, at(make_event, night, roles=["employee"]), secrets).directives == ()
    admin = at(make_event, night, roles=["employee", "admin"])
    assert run(STEM, admin, secrets).directives == CHALLENGE


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BUSINESS_HOURS", "8-18"),
        ("BUSINESS_HOURS", "08:00-24:00"),
        ("BUSINESS_DAYS", "weekdays"),
        ("BUSINESS_DAYS", ""),
        ("UTC_OFFSET", "+25:00"),
        ("UTC_OFFSET", "Europe/Amsterdam"),
    ],
)
def test_malformed_secrets_fail_without_echoing_them(run, make_event, name, value):
    result = run(STEM, make_event(), {name: value})
    assert result.error is not None
    assert result.error.kind == "exception"
    assert name in result.error.message
    assert not value or value not in result.error.message
