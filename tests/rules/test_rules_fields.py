"""The field vocabulary: where each field comes from, when it is missing, and that the context
does no work for fields no rule reads."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from contextmfa.rules import RuleContext, RuleSet
from contextmfa.rules.fields import FIELDS

Judge = Callable[..., bool | None]
Ctx = Callable[..., RuleContext]

TRUE_ON_BASE_EVENT = [
    'user.id == "auth0|carol"',
    'user.email == "carol@acme.test"',
    'user.name == "Carol Jansen"',
    'user.username == "carol"',
    "user.email_verified == true",
    '"finance" in user.roles',
    "user.logins_count == 28",
    '"webauthn-roaming" in user.enrolled_factors',
    '"pwd" in auth.methods',
    'client.id == "payroll-web"',
    'client.name == "Payroll"',
    'connection.name == "Username-Password-Authentication"',
    'connection.strategy == "auth0"',
    'organization.id == "org_1"',
    'organization.name == "acme"',
    'request.hostname == "login.acme.test"',
    'request.language == "en"',
    'device.id == "d-carol"',
    "device.remembered == false",
    'transaction.protocol == "oidc-basic-profile"',
    '"profile" in transaction.requested_scopes',
    'geo.country == "NL"',
    'geo.country3 == "NLD"',
    'geo.country_name == "Netherlands"',
    'geo.city == "Amsterdam"',
    'geo.continent == "EU"',
    'geo.subdivision == "NH"',
    'geo.subdivision_name == "North Holland"',
    'geo.time_zone == "Europe/Amsterdam"',
    "geo.latitude == 52.374",
    "geo.longitude == 4.8897",
    "asn.number == 1103",
    'asn.organization == "SURFnet"',
    'risk.confidence == "high"',
    'risk.new_device == "match"',
    'risk.impossible_travel == "minimal_travel_from_last_login"',
    'risk.untrusted_ip == "not_found_on_deny_list"',
    "time.hour == 8 and time.minute == 30 and time.time == 08:30 and time.weekday == mon",
    'time.date == "2026-03-02"',
    "local.hour == 9 and local.minute == 30 and local.time == 09:30 and local.weekday == mon",
    'local.date == "2026-03-02"',
]


@pytest.mark.parametrize("text", TRUE_ON_BASE_EVENT)
def test_field_reads_the_event(judge: Judge, text: str) -> None:
    assert judge(text) is True


def test_every_field_of_the_vocabulary_is_read_here_or_in_the_operator_tests() -> None:
    tested = set(re.findall(r"[a-z_0-9.]+", " ".join(TRUE_ON_BASE_EVENT)))
    untested = [name for name in FIELDS if name not in tested]
    assert untested == [
        "ip",  # test_rules_operators.py: IP
        "request.user_agent",  # test_rules_operators.py: STRING
        "risk.distance_km",  # test_rules_operators.py: test_speed_is_infinite_...
        "risk.speed_kmh",
        "transaction.acr_values",  # test_rules_operators.py: LISTS
    ]


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"client": None}, "client.id is missing"),
        ({"client": None}, "client.metadata.tier is missing"),
        ({"connection": None}, "connection.strategy is missing"),
        ({"organization": None}, "organization.name is missing"),
        ({"stats": None}, "user.logins_count is missing"),
        ({"transaction": None}, "transaction.acr_values is missing"),
        ({"user": {"email": None}}, "user.email is missing"),
        ({"user": {"email_verified": None}}, "user.email_verified is missing"),
        ({"request": {"user_agent": None}}, "request.user_agent is missing"),
        ({"device": {"id": None}}, "device.id is missing"),
        ({"authorization": {"roles": []}}, "user.roles is present"),  # empty, not missing
        ({}, "risk.distance_km is missing and risk.speed_kmh is missing"),
    ],
)
def test_missing_parts_of_the_event(
    judge: Judge, make_ctx: Ctx, changes: dict[str, Any], text: str
) -> None:
    assert judge(text, make_ctx(**changes)) is True


def test_no_geoip_means_geo_and_asn_missing_and_local_is_utc(judge: Judge, make_ctx: Ctx) -> None:
    ctx = make_ctx(geoip=None, asn={})
    assert judge("geo.country is missing and geo.latitude is missing", ctx) is True
    assert judge("asn.number is missing and asn.organization is missing", ctx) is True
    assert judge("local.time == 08:30 and local.hour == time.hour", ctx) is True


@pytest.mark.parametrize(
    ("zone", "timestamp", "text"),
    [
        ("Asia/Tokyo", "2026-03-02T09:30:00+01:00", "local.time == 17:30"),
        ("America/New_York", "2026-03-02T02:00:00+00:00", "local.weekday == sun"),
        ("America/New_York", "2026-03-02T02:00:00+00:00", 'local.date == "2026-03-01"'),
        ("Europe/Amsterdam", "2026-03-29T01:30:00+00:00", "local.hour == 3"),  # CEST begins
        ("Europe/Amsterdam", "2026-10-25T00:30:00+00:00", "local.hour == 2"),  # still CEST
        ("Europe/Amsterdam", "2026-10-25T01:30:00+00:00", "local.hour == 2"),  # CET again
        ("Mars/Olympus_Mons", "2026-03-02T09:30:00+01:00", "local.time == 08:30"),  # unknown: UTC
        ("../../etc/passwd", "2026-03-02T09:30:00+01:00", "local.time == 08:30"),
        ("", "2026-03-02T09:30:00+01:00", "local.time == 08:30"),
    ],
)
def test_local_time_is_in_the_geoip_time_zone(
    judge: Judge, make_ctx: Ctx, zone: str, timestamp: str, text: str
) -> None:
    ctx = make_ctx(geoip={"country_code": "XX", "time_zone": zone}, timestamp=timestamp)
    assert judge(text, ctx) is True


def test_utc_time_ignores_the_offset_it_was_written_with(judge: Judge, make_ctx: Ctx) -> None:
    ctx = make_ctx(timestamp="2026-03-02T23:30:00-05:00")
    assert judge('time.weekday == tue and time.time == 04:30 and time.date == "2026-03-03"', ctx)


def test_values_of_the_wrong_type_in_enrichment_read_as_missing(
    judge: Judge, make_ctx: Ctx
) -> None:
    geoip = {"country_code": 31, "latitude": "52", "city_name": ["x"], "time_zone": 5}
    ctx = make_ctx(geoip=geoip, asn={"number": "1103", "organization": None}, risk={"x": 1})
    for field in ("geo.country", "geo.latitude", "geo.city", "asn.number", "risk.confidence"):
        assert judge(f"{field} is missing", ctx) is True, field
    assert judge("local.time == 08:30", ctx) is True  # a bad zone reads as UTC


def test_an_event_outside_the_utc_calendar_reads_as_missing_time(
    judge: Judge, make_ctx: Ctx
) -> None:
    ctx = make_ctx(timestamp="9999-12-31T23:00:00-05:00")
    assert judge("time.hour is missing and time.date is missing", ctx) is True
    assert judge("time.hour < 12", ctx) is None


def test_the_context_does_no_work_for_fields_no_rule_reads(
    compile_rules: Callable[[str], RuleSet], make_ctx: Ctx
) -> None:
    rules = compile_rules('rule "r" { when geo.country == "NL" and ip in 10.0.0.0/8 skip mfa }')
    ctx = make_ctx()
    rules.evaluate(ctx)
    assert ctx._utc is None and ctx._local is None
    assert ctx.cache == {}


def test_derived_values_are_computed_once_per_login(
    compile_rules: Callable[[str], RuleSet], make_ctx: Ctx
) -> None:
    rules = compile_rules(
        'rule "a" { when local.hour == 9 and "pwd" in auth.methods skip mfa }\n'
        'rule "b" { when local.weekday == mon and "x" in auth.methods require mfa }\n'
    )
    ctx = make_ctx()
    rules.evaluate(ctx)
    local = ctx._local
    methods = ctx.cache["auth.methods"]
    rules.evaluate(ctx)
    assert ctx._local is local and ctx.cache["auth.methods"] is methods
    assert ctx._utc is None


def test_repr_names_the_login_only(make_ctx: Ctx) -> None:
    assert repr(make_ctx()) == "RuleContext(login='l-test')"
