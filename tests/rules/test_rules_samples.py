"""The sample rule files (samples/rules/) compile cleanly and each rule fires where its comment
says, on logins of the sample tenant's users."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contextmfa.directives import Deny, Require
from contextmfa.rules import RuleContext, RuleSet, compile_rule_files

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
Ctx = Callable[..., RuleContext]

AMSTERDAM = {
    "country_code": "NL",
    "latitude": 52.37,
    "longitude": 4.89,
    "time_zone": "Europe/Amsterdam",
}
BERLIN = {"country_code": "DE", "latitude": 52.52, "longitude": 13.40, "time_zone": "Europe/Berlin"}
TOKYO = {"country_code": "JP", "latitude": 35.69, "longitude": 139.69, "time_zone": "Asia/Tokyo"}
CRIMEA = {"country_code": "UA", "subdivision_code": "43", "latitude": 44.96, "longitude": 34.11}


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return compile_rule_files(sorted((SAMPLES / "rules").glob("*.rules")))


def sources(rules: RuleSet, ctx: RuleContext) -> list[str]:
    return [d.source for d in rules.evaluate(ctx)]


def test_samples_compile_without_warnings(rules: RuleSet) -> None:
    assert rules.warnings == ()
    assert rules.names == (
        "embargoed-regions",
        "warehouse-accounts-stay-in-berlin",
        "hr-portal-abroad-security-key",
        "payroll-new-device-webauthn",
        "hr-portal-step-up",
        "privileged-off-hours",
        "office-unknown-device",
        "vpn-exit-strong-mfa",
    )


def test_embargoed_regions(rules: RuleSet, make_ctx: Ctx) -> None:
    assert rules.evaluate(make_ctx(geoip=CRIMEA)) == [
        Deny("Sign-in from this region is not allowed", "rule:embargoed-regions")
    ]
    kyiv = {"country_code": "UA", "subdivision_code": "30", "latitude": 50.45, "longitude": 30.52}
    assert "rule:embargoed-regions" not in sources(rules, make_ctx(geoip=kyiv))


@pytest.mark.parametrize(
    ("ip", "geoip", "fires"),
    [
        ("62.72.64.20", BERLIN, False),
        ("193.0.6.139", AMSTERDAM, True),  # 500 km from the Berlin site
        ("10.20.30.40", None, True),  # no location: cannot be inside the fence
    ],
)
def test_warehouse_geofence(
    rules: RuleSet, make_ctx: Ctx, ip: str, geoip: dict[str, Any] | None, fires: bool
) -> None:
    ctx = make_ctx(
        geoip=geoip,
        request={"ip": ip},
        authorization={"roles": []},
        user={"app_metadata": {"site": "berlin-warehouse", "home_country": "DE"}},
    )
    denied = Deny(
        "Warehouse accounts can only sign in at the Berlin site",
        "rule:warehouse-accounts-stay-in-berlin",
    )
    assert (rules.evaluate(ctx) == [denied]) is fires


def test_payroll_from_a_new_device_needs_webauthn(
    rules: RuleSet, make_ctx: Ctx, risk_dict: Callable[..., dict[str, Any]]
) -> None:
    tokyo = {"geoip": TOKYO, "request": {"ip": "133.11.0.1"}, "authorization": {"roles": []}}
    new_device = make_ctx(risk=risk_dict(new_device="no_match"), **tokyo)
    assert rules.evaluate(new_device) == [
        Require(
            frozenset({"webauthn-roaming", "webauthn-platform"}),
            False,
            "rule:payroll-new-device-webauthn",
        )
    ]
    known = make_ctx(**tokyo)
    assert rules.evaluate(known) == []


def test_hr_portal(rules: RuleSet, make_ctx: Ctx) -> None:
    at_home = make_ctx(client={"client_id": "hr-web"}, authorization={"roles": []})
    assert sources(rules, at_home) == ["rule:hr-portal-step-up"]
    abroad = make_ctx(client={"client_id": "hr-web"}, authorization={"roles": []}, geoip=TOKYO)
    assert sources(rules, abroad) == [
        "rule:hr-portal-abroad-security-key",
        "rule:hr-portal-step-up",
    ]


@pytest.mark.parametrize(
    ("roles", "timestamp", "fires"),
    [
        (["helpdesk"], "2026-07-04T22:30:00+02:00", True),  # Saturday night
        (["helpdesk"], "2026-07-06T10:00:00+02:00", False),  # Monday morning
        (["admin"], "2026-07-06T06:30:00+02:00", True),  # before 07:00
        ([], "2026-07-04T22:30:00+02:00", False),
    ],
)
def test_privileged_off_hours(
    rules: RuleSet, make_ctx: Ctx, roles: list[str], timestamp: str, fires: bool
) -> None:
    ctx = make_ctx(
        authorization={"roles": roles}, timestamp=timestamp, client={"client_id": "portal-web"}
    )
    assert ("rule:privileged-off-hours" in sources(rules, ctx)) is fires


def test_office_network_with_an_unknown_device(
    rules: RuleSet, make_ctx: Ctx, risk_dict: Callable[..., dict[str, Any]]
) -> None:
    base = {"client": {"client_id": "portal-web"}, "authorization": {"roles": []}}
    guest = make_ctx(risk=risk_dict(new_device="no_match"), **base)
    assert rules.evaluate(guest) == [Require(None, False, "rule:office-unknown-device")]
    assert rules.evaluate(make_ctx(**base)) == []


def test_vpn_exit(rules: RuleSet, make_ctx: Ctx) -> None:
    ctx = make_ctx(
        request={"ip": "193.138.218.10"},
        client={"client_id": "portal-web"},
        authorization={"roles": []},
    )
    assert sources(rules, ctx) == ["rule:vpn-exit-strong-mfa"]
