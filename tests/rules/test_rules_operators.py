"""Every operator on every type it applies to, against one real event (tests/rules/conftest.py).

The event: Monday 2026-03-02 09:30 in Amsterdam (08:30 UTC), IP 145.100.0.1, country NL, roles
admin and finance, 28 logins, enrolled webauthn-roaming and otp, metadata home_country "NL",
level 3, tags ["a", "b"].
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from contextmfa.rules import RuleContext

Judge = Callable[..., bool | None]
Ctx = Callable[..., RuleContext]

STRING = [
    ('geo.country == "NL"', True),
    ('geo.country == "DE"', False),
    ('geo.country != "DE"', True),
    ('geo.country != "NL"', False),
    ('geo.city < "Berlin"', True),
    ('geo.city <= "Amsterdam"', True),
    ('geo.city > "Amsterdam"', False),
    ('geo.city >= "Amsterdam"', True),
    ('geo.country in ["NL", "DE"]', True),
    ('geo.country in ["CU", "IR"]', False),
    ('geo.country not in ["CU", "IR"]', True),
    ('geo.country not in ["NL"]', False),
    ('geo.country between "AA" and "NZ"', True),
    ('geo.country between "PA" and "ZZ"', False),
    ('request.user_agent matches ".*Firefox/1[0-9]{2}\\.0"', True),
    ('request.user_agent matches "Firefox"', False),  # a full match, not a search
    ('request.user_agent matches "(?i)mozilla.*"', True),
    ('request.user_agent startswith "Mozilla/5.0"', True),
    ('request.user_agent startswith "curl"', False),
    ('request.user_agent endswith "Firefox/125.0"', True),
    ('request.user_agent endswith "Safari"', False),
    ('request.user_agent contains "Linux"', True),
    ('request.user_agent contains "Windows"', False),
    ('client.id == "payroll-web"', True),
    ('"payroll-web" == client.id', True),
    ('user.email endswith "@acme.test"', True),
    ('time.date == "2026-03-02"', True),
    ('time.date >= "2026-01-01"', True),
    ('time.date between "2026-03-03" and "2026-12-31"', False),
]

NUMBER = [
    ("user.logins_count == 28", True),
    ("user.logins_count != 28", False),
    ("user.logins_count < 28", False),
    ("user.logins_count <= 28", True),
    ("user.logins_count > 3", True),
    ("user.logins_count >= 29", False),
    ("user.logins_count in [1, 28]", True),
    ("user.logins_count not in [1, 2]", True),
    ("user.logins_count between 10 and 30", True),
    ("user.logins_count between 28 and 28", True),  # inclusive
    ("user.logins_count between 29 and 40", False),
    ("geo.latitude > 52.3", True),
    ("geo.longitude < -10", False),
    ("geo.latitude == 52.374", True),
    ("28.0 == user.logins_count", True),  # int and float compare as numbers
    ("asn.number == 1103", True),
    ("time.hour == 8", True),  # 08:30 UTC
    ("time.minute == 30", True),
    ("local.hour == 9", True),  # 09:30 in Amsterdam
]

BOOL = [
    ("user.email_verified == true", True),
    ("user.email_verified != true", False),
    ("device.remembered == false", True),
    ("device.remembered in [true]", False),
]

IP = [
    ("ip == 145.100.0.1", True),
    ("ip == 145.100.0.2", False),
    ("ip != 145.100.0.2", True),
    ("ip in 145.100.0.0/16", True),
    ("ip in 62.72.64.0/19", False),
    ("ip not in 62.72.64.0/19", True),
    ("ip in [62.72.64.0/19, 145.100.0.0/16]", True),
    ("ip in [10.0.0.1, 2001:db8::/32]", False),
    ("ip == ::ffff:145.100.0.1", True),  # IPv4-mapped IPv6 is the IPv4 address
    ("ip in ::ffff:145.100.0.0/112", True),
]

TIME_AND_WEEKDAY = [
    ("local.time == 09:30", True),
    ("time.time == 08:30", True),
    ("local.time < 10:00", True),
    ("local.time >= 09:31", False),
    ("local.time between 08:00 and 18:00", True),
    ("local.time between 09:30 and 09:30", True),
    ("local.time between 22:00 and 06:00", False),  # wraps over midnight
    ("local.time between 09:00 and 08:00", True),  # wraps: all but 08:01..08:59
    ("local.time in [09:30, 12:00]", True),
    ("local.weekday == mon", True),
    ("local.weekday != mon", False),
    ("local.weekday in [sat, sun]", False),
    ("local.weekday not in [sat, sun]", True),
    ("local.weekday between mon and fri", True),
    ("local.weekday between fri and mon", True),  # wraps over the weekend
    ("local.weekday between tue and sun", False),
    ("time.weekday == mon", True),
]

LISTS = [
    ('"admin" in user.roles', True),
    ('"auditor" in user.roles', False),
    ('"auditor" not in user.roles', True),
    ("otp in user.enrolled_factors", True),
    ('"sms" in user.enrolled_factors', False),
    ('"pwd" in auth.methods', True),
    ('"mfa" in auth.methods', False),
    ('"openid" in transaction.requested_scopes', True),
    ('"x" in transaction.acr_values', False),
    ("client.id in transaction.requested_scopes", False),
]

METADATA = [
    ('user.app_metadata.home_country == "NL"', True),
    ("user.app_metadata.home_country == geo.country", True),
    ("geo.country != user.app_metadata.home_country", False),
    ("user.app_metadata.level == 3", True),
    ("user.app_metadata.level > 2", True),
    ("user.app_metadata.level between 1 and 5", True),
    ('user.app_metadata.level == "3"', None),  # the value is a number: unknown, not false
    ("user.app_metadata.home_country > 3", None),
    ('"a" in user.app_metadata.tags', True),
    ('"z" in user.app_metadata.tags', False),
    ('"z" not in user.app_metadata.tags', True),
    ("user.app_metadata.level in user.app_metadata.tags", None),  # number vs strings
    ('user.app_metadata.home_country in ["NL", "BE"]', True),
    ('user.app_metadata.home_country matches "N."', True),
    ('user.app_metadata.level matches "3"', None),
    ('user.app_metadata.nope == "x"', None),
    ('user.app_metadata.home_country.deeper == "x"', None),
    ('user.user_metadata.theme == "dark"', True),
    ('client.metadata.tier == "gold"', True),
    ('connection.metadata.tier == "gold"', None),
    ("user.app_metadata.level == user.app_metadata.level", True),
    ("user.app_metadata.level < user.app_metadata.home_country", None),
    ("user.app_metadata.tags == user.app_metadata.tags", True),
]

OTHER = [
    ("within 10 km of (52.37, 4.89)", True),
    ("within 500 km of (35.68, 139.69)", False),  # Tokyo
    ("not within 500 km of (35.68, 139.69)", True),
    ("geo.country is present", True),
    ("geo.country is missing", False),
    ("user.app_metadata.nope is missing", True),
    ("user.app_metadata.level is present", True),
    ("risk.distance_km is missing", True),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    STRING + NUMBER + BOOL + IP + TIME_AND_WEEKDAY + LISTS + METADATA + OTHER,
)
def test_operator(judge: Judge, text: str, expected: bool | None) -> None:
    assert judge(text) is expected


def test_ipv6_login_against_lists(judge: Judge, make_ctx: Ctx) -> None:
    ctx = make_ctx(request={"ip": "2001:67c:e60:c0c::1"})
    assert judge("ip in 2001:67c:e60:c0c::/64", ctx) is True
    assert judge("ip in [10.0.0.0/8]", ctx) is False
    assert judge("ip == 2001:67c:e60:c0c::1", ctx) is True


def test_ipv4_mapped_login_matches_ipv4_entries(judge: Judge, make_ctx: Ctx) -> None:
    ctx = make_ctx(request={"ip": "::ffff:145.100.0.1"})
    assert judge("ip in 145.100.0.0/16", ctx) is True
    assert judge("ip == 145.100.0.1", ctx) is True


def test_ip_against_metadata_addresses(judge: Judge, make_ctx: Ctx) -> None:
    ctx = make_ctx(
        user={
            "app_metadata": {"last_ip": "145.100.0.1", "trusted": ["10.0.0.0/8", "145.100.0.0/16"]}
        }
    )
    assert judge("ip == user.app_metadata.last_ip", ctx) is True
    assert judge("ip in user.app_metadata.trusted", ctx) is True
    other = make_ctx(user={"app_metadata": {"last_ip": 5, "trusted": ["not an ip"]}})
    assert judge("ip == user.app_metadata.last_ip", other) is None
    assert judge("ip in user.app_metadata.trusted", other) is None


def test_speed_is_infinite_when_no_time_passed(
    judge: Judge, make_ctx: Ctx, risk_dict: Callable[..., dict[str, Any]]
) -> None:
    risk = risk_dict(
        travel="impossible_travel_from_last_login",
        details={"distance_km": 9300.0, "speed_kmh": None, "country_code": "JP"},
    )
    ctx = make_ctx(risk=risk)
    assert judge("risk.speed_kmh > 1000", ctx) is True
    assert judge("risk.distance_km between 9000 and 10000", ctx) is True
