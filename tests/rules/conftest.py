"""Helpers for the rule-language tests: real events, real enrichment dicts, real compiles."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contextmfa.errors import CompileError, Problem
from contextmfa.events import LoginEvent
from contextmfa.rules import RuleContext, RuleSet, compile_rule_files, compile_text

AMSTERDAM_GEO: dict[str, Any] = {
    "country_code": "NL",
    "country_code3": "NLD",
    "country_name": "Netherlands",
    "city_name": "Amsterdam",
    "continent_code": "EU",
    "subdivision_code": "NH",
    "subdivision_name": "North Holland",
    "latitude": 52.374,
    "longitude": 4.8897,
    "time_zone": "Europe/Amsterdam",
}

BASE_EVENT: dict[str, Any] = {
    "id": "l-test",
    "timestamp": "2026-03-02T09:30:00+01:00",  # a Monday; 08:30 UTC
    "user": {
        "user_id": "auth0|carol",
        "email": "carol@acme.test",
        "email_verified": True,
        "name": "Carol Jansen",
        "username": "carol",
        "app_metadata": {"home_country": "NL", "level": 3, "tags": ["a", "b"]},
        "user_metadata": {"theme": "dark"},
        "enrolled_factors": [{"type": "webauthn-roaming"}, {"type": "otp"}],
    },
    "authorization": {"roles": ["admin", "finance"]},
    "request": {
        "ip": "145.100.0.1",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "hostname": "login.acme.test",
        "language": "en",
    },
    "device": {"id": "d-carol", "remembered": False},
    "authentication": {"methods": [{"name": "pwd", "timestamp": "2026-03-02T09:30:00+01:00"}]},
    "client": {"client_id": "payroll-web", "name": "Payroll", "metadata": {"tier": "gold"}},
    "connection": {
        "id": "con_db",
        "name": "Username-Password-Authentication",
        "strategy": "auth0",
        "metadata": {},
    },
    "organization": {"id": "org_1", "name": "acme", "display_name": "Acme", "metadata": {}},
    "transaction": {
        "id": "tx-1",
        "protocol": "oidc-basic-profile",
        "requested_scopes": ["openid", "profile"],
        "acr_values": [],
        "locale": "en",
    },
    "stats": {"logins_count": 28},
}


def risk_dict(
    confidence: str = "high",
    new_device: str = "match",
    travel: str = "minimal_travel_from_last_login",
    untrusted: str = "not_found_on_deny_list",
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A risk assessment shaped as enrich.risk.assess returns it."""
    return {
        "confidence": confidence,
        "version": "1",
        "assessments": {
            "new_device": {"code": new_device, "details": {}},
            "impossible_travel": {"code": travel, "details": details or {}},
            "untrusted_ip": {"code": untrusted, "details": {}},
        },
    }


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict) and value:
            _merge(base[key], value)
        else:
            base[key] = value
    return base


def make_event(**changes: Any) -> LoginEvent:
    """BASE_EVENT with nested ``changes`` merged in (a None value replaces the key's value)."""
    data = _merge(copy.deepcopy(BASE_EVENT), changes)
    return LoginEvent.model_validate(data)


def make_ctx(
    event: LoginEvent | None = None,
    *,
    geoip: dict[str, Any] | None = AMSTERDAM_GEO,
    asn: dict[str, Any] | None = None,
    risk: dict[str, Any] | None = None,
    **changes: Any,
) -> RuleContext:
    event = event if event is not None else make_event(**changes)
    if asn is None:
        asn = {"number": 1103, "organization": "SURFnet"}
    return RuleContext.build(
        event, geoip=geoip, asn=asn, risk=risk if risk is not None else risk_dict()
    )


def compile_one(text: str, directory: Path) -> RuleSet:
    path = directory / "test.rules"
    path.write_text(text, encoding="utf-8")
    return compile_rule_files([path], display=lambda p: p.name)


def problems_of(text: str, directory: Path) -> list[Problem]:
    """Every problem compiling ``text`` reports (it must fail)."""
    with pytest.raises(CompileError) as caught:
        compile_one(text, directory)
    return caught.value.problems


def errors_of(text: str, directory: Path) -> list[str]:
    return [str(p) for p in problems_of(text, directory) if p.severity == "error"]


def condition(text: str) -> str:
    return f'rule "r" {{ when {text} deny "x" }}'


Judge = Callable[..., bool | None]


@pytest.fixture(name="make_ctx")
def make_ctx_fixture() -> Callable[..., RuleContext]:
    """``make_ctx(geoip=..., risk=..., request={"ip": ...})``: a RuleContext of BASE_EVENT."""
    return make_ctx


@pytest.fixture(name="make_event")
def make_event_fixture() -> Callable[..., LoginEvent]:
    return make_event


@pytest.fixture(name="risk_dict")
def risk_dict_fixture() -> Callable[..., dict[str, Any]]:
    return risk_dict


@pytest.fixture
def judge(tmp_path: Path) -> Judge:
    """``judge("geo.country == \\"NL\\"", ctx)``: the condition's three-valued result."""

    def run(text: str, ctx: RuleContext | None = None) -> bool | None:
        rules = compile_text(condition(text), tmp_path / "j.rules")
        return rules.rules[0].test(ctx if ctx is not None else make_ctx())

    return run


@pytest.fixture
def compile_rules(tmp_path: Path) -> Callable[[str], RuleSet]:
    return lambda text: compile_one(text, tmp_path)


@pytest.fixture
def errors(tmp_path: Path) -> Callable[[str], list[str]]:
    return lambda text: errors_of(text, tmp_path)
