"""actions/auth0/access_on_weekdays_only_for_an_app.py: every branch of auth0/rules
access-on-weekdays-only-for-an-app.js, and its days agree with zoneinfo's."""

import datetime
import itertools
from zoneinfo import ZoneInfo

import pytest
from auth0_ports import ALLOW, Case, cases, client, decision_of, deny, login, run_inline

STEM = "access_on_weekdays_only_for_an_app"
DENIED = deny("This app is available during the week")
THE_APP = client(name="TheAppToCheckAccessTo")


def at(when):
    return login(THE_APP, {"timestamp": when})


CASES = cases(
    STEM,
    ("another application is left alone at weekends", {"timestamp": "2026-11-28T18:00:00Z"}),
    (
        "a login without a client is left alone",
        {"client": None, "timestamp": "2026-11-28T18:00:00Z"},
    ),
    ("the application on a Wednesday", THE_APP),
    ("the application on a Saturday is denied", at("2026-11-28T18:00:00Z"), DENIED),
    ("the application on a Sunday is denied", at("2026-11-29T18:00:00Z"), DENIED),
    ("Monday in UTC is still Sunday in Chicago: denied", at("2026-11-30T05:30:00Z"), DENIED),
    ("Saturday in UTC is still Friday in Chicago", at("2026-11-28T05:30:00Z")),
    ("the Monday after daylight time starts (CDT)", at("2026-03-09T05:30:00Z")),
    ("the Sunday night after daylight time ends (CST): denied", at("2026-11-02T05:30:00Z"), DENIED),
    (
        "UTC as the earlier version: Saturday",
        at("2026-11-28T05:30:00Z"),
        DENIED,
        {"TIME_ZONE": "UTC"},
    ),
    (
        "a fixed offset: Saturday 00:30 at +01:00",
        at("2026-11-27T23:30:00Z"),
        DENIED,
        {"TIME_ZONE": "+01:00"},
    ),
    (
        "another application by name",
        login(client(name="Acme Intranet"), {"timestamp": "2026-11-28T18:00:00Z"}),
        DENIED,
        {"CLIENT_NAME": "Acme Intranet"},
    ),
    (
        "a zone the port does not know is an error",
        THE_APP,
        ALLOW,
        {"TIME_ZONE": "Europe/Amsterdam"},
        "TIME_ZONE must be one of",
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)


ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "UTC",
]


def around_midnights(zone, year, month):
    """UTC instants 30 minutes either side of local midnight, Friday to Tuesday of the week of
    the month's transition Sunday (the second of March, the first of November)."""
    first = datetime.date(year, month, 1)
    sunday = first + datetime.timedelta(days=(6 - first.weekday()) % 7 + (7 if month == 3 else 0))
    local = ZoneInfo(zone)
    for days, minutes in itertools.product(range(-2, 3), (-30, 30)):
        midnight = datetime.datetime.combine(
            sunday + datetime.timedelta(days=days), datetime.time()
        )
        moment = midnight.replace(tzinfo=local) + datetime.timedelta(minutes=minutes)
        yield moment.astimezone(datetime.UTC)


@pytest.mark.parametrize("zone", ZONES)
def test_the_day_agrees_with_zoneinfo_around_every_change_of_time(make_event, port, zone):
    action = port(STEM)
    checked = 0
    for year, month in itertools.product((2007, 2019, 2026, 2037), (3, 11)):
        for moment in around_midnights(zone, year, month):
            event = make_event(**at(moment.isoformat()))
            run = run_inline(action, event, {"TIME_ZONE": zone})
            weekend = moment.astimezone(ZoneInfo(zone)).weekday() >= 5
            assert decision_of(run.directives) == (DENIED if weekend else ALLOW), moment
            checked += 1
    assert checked == 80


def test_every_case_names_its_port():
    assert all(isinstance(case, Case) and case.stem == STEM for case in CASES)
