"""``local_time(tz)``: the login's instant in an IANA zone, inline and in a confined worker."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contextmfa.flow import InlineFlow
from contextmfa.sandbox import InMemoryActionCache, SandboxLimits, compile_action
from contextmfa.sandbox.process import ProcessFlow
from contextmfa.sandbox.timezones import zone

BUSINESS_HOURS = """
from datetime import datetime, timezone
def on_execute_post_login(event, api):
    paris = local_time("Europe/Paris")
    print(paris.isoformat(), paris.tzname(), paris.hour, paris.weekday())
    print(local_time("America/New_York").isoformat(), local_time("UTC").isoformat())
    print(paris == datetime.now(timezone.utc), str(paris.tzinfo))
    if not 8 <= local_time("Asia/Tokyo").hour < 18:
        api.multifactor.enable("any")
"""
EXPECTED = [
    "2026-03-14T10:26:53+01:00 CET 10 5",
    "2026-03-14T05:26:53-04:00 2026-03-14T09:26:53+00:00",
    "True Europe/Paris",
]


def test_local_time_is_the_login_instant_in_the_zone(sb):
    result = sb.execute(compile_action(BUSINESS_HOURS, "/tenant/actions/hours.py"))
    assert sb.logs(sb.succeeded(result)) == EXPECTED
    assert result.directives  # 18:26 in Tokyo: outside business hours


def test_summer_time_follows_the_login_date(sb):
    action = sb.compile('print(local_time("Europe/Paris").isoformat())')
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert sb.logs(sb.succeeded(sb.execute(action, now=summer))) == ["2026-07-01T14:00:00+02:00"]


def test_an_unknown_zone_is_a_clear_error(sb):
    message = sb.failed(sb.run('local_time("europe/paris")'), "exception")
    assert "unknown time zone 'europe/paris'; did you mean 'Europe/Paris'?" in message
    message = sb.failed(sb.run('local_time("Mars/Olympus_Mons")'), "exception")
    assert "unknown time zone 'Mars/Olympus_Mons'" in message
    assert "unknown time zone" in sb.failed(sb.run('local_time("../../etc/passwd")'), "exception")


def test_a_zone_that_is_not_a_string_is_a_type_error(sb):
    assert "takes a time zone name" in sb.failed(sb.run("local_time(None)"), "exception")


def test_an_action_can_catch_an_unknown_zone(sb):
    result = sb.run(
        """
        try:
            local_time(event.user.app_metadata.get("tz") or "Nowhere/Atlantis")
        except ValueError:
            print("fallback", local_time("UTC").hour)
        """
    )
    assert sb.logs(sb.succeeded(result)) == ["fallback 9"]


def test_the_zone_object_offers_no_attributes(sb):
    message = sb.failed(sb.run('print(local_time("Europe/Paris").tzinfo.key)'), "forbidden")
    assert "'ZoneInfo' objects are not available" in message


def test_zones_come_from_tzdata_and_are_parsed_once():
    assert zone("Europe/Paris") is zone("Europe/Paris")
    with pytest.raises(ValueError, match="unknown time zone"):
        zone("Europe")


def test_local_time_in_a_confined_worker_matches_inline(sb):
    action = compile_action(BUSINESS_HOURS, "/tenant/actions/hours.py")
    options = dict(secrets_for=lambda _: {}, cache=InMemoryActionCache(), limits=SandboxLimits())
    inline = InlineFlow([action], on_error="deny", **options)
    isolated = ProcessFlow([action], on_error="deny", **options)
    try:
        got = isolated.run(sb.EVENT, now=sb.NOW, tenant_id="acme")
    finally:
        isolated.close()
    assert got == inline.run(sb.EVENT, now=sb.NOW, tenant_id="acme")
    assert [log["line"] if isinstance(log, dict) else log.line for log in got.logs] == EXPECTED


def test_the_zone_of_the_login_location_reads_from_the_event(sb):
    event = sb.event_copy()
    event["request"]["geoip"] = {
        "country_code": "JP",
        "country_code3": "JPN",
        "country_name": "Japan",
        "city_name": "Tokyo",
        "continent_code": "AS",
        "subdivision_code": None,
        "subdivision_name": None,
        "latitude": 35.6,
        "longitude": 139.7,
        "time_zone": "Asia/Tokyo",
    }
    action = sb.compile("print(local_time(event.request.geoip.time_zone).isoformat())")
    result = sb.execute(action, event=event)
    assert sb.logs(sb.succeeded(result)) == ["2026-03-14T18:26:53+09:00"]
