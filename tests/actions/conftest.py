"""Fixtures for the shipped Actions: a complete enriched login event and a runner that executes an
Action file through the real sandbox (compile_action + run_action), exactly as a tenant's flow does.

The event is the shape the runtime hands to Actions after enrichment (login-events.md): every field
present, absent optionals as None. Its values are realistic: a KPN address in Amsterdam, a Chrome
user agent, a session that has only seen a password so far, risk "high" with a known device.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contextmfa.sandbox import InMemoryActionCache, SandboxLimits, compile_action, run_action

ACTIONS_DIR = Path(__file__).resolve().parents[2] / "actions"
LOGIN_TIME = "2026-11-25T10:15:00Z"  # a Wednesday; 11:15 in Amsterdam (CET, UTC+1)

BASE_EVENT: dict[str, Any] = {
    "id": "l-7f3a2c19",
    "timestamp": LOGIN_TIME,
    "tenant": {"id": "acme"},
    "user": {
        "user_id": "auth0|65a1f0c2e4b0d1a2b3c4d5e6",
        "email": "sanne.devries@acme.test",
        "email_verified": True,
        "phone_number": "+31612345678",
        "phone_verified": True,
        "username": "sdevries",
        "name": "Sanne de Vries",
        "created_at": "2024-03-04T09:12:44Z",
        "app_metadata": {},
        "user_metadata": {},
        "enrolled_factors": [{"type": "otp", "options": None}],
    },
    "authorization": {"roles": ["employee"]},
    "request": {
        "ip": "77.161.34.157",
        "user_agent": (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
        ),
        "hostname": "login.acme.test",
        "language": "nl-NL,nl;q=0.9,en;q=0.8",
        "geoip": {
            "country_code": "NL",
            "country_code3": "NLD",
            "country_name": "Netherlands",
            "city_name": "Amsterdam",
            "continent_code": "EU",
            "subdivision_code": "NH",
            "subdivision_name": "North Holland",
            "latitude": 52.3759,
            "longitude": 4.8975,
            "time_zone": "Europe/Amsterdam",
        },
        "asn": {"number": 1136, "organization": "KPN B.V."},
    },
    "device": {"id": "dvc-3b9e61d2c8a74f05", "remembered": False},
    "authentication": {
        "methods": [{"name": "pwd", "timestamp": "2026-11-25T10:14:58Z", "type": None}],
        "risk_assessment": {
            "confidence": "high",
            "version": "1",
            "assessments": {
                "new_device": {"code": "match", "details": {}},
                "impossible_travel": {
                    "code": "minimal_travel_from_last_login",
                    "details": {"distance_km": 3.2, "speed_kmh": 0.2, "country_code": "NL"},
                },
                "untrusted_ip": {"code": "not_found_on_deny_list", "details": {}},
            },
        },
    },
    "client": {
        "client_id": "y5Ut7cLYtOjSmSEW8gB1dAqOyKeQO2Rk",
        "name": "Acme Intranet",
        "metadata": {},
    },
    "connection": {
        "id": "con_0Fu9XpGfT3vHcK2a",
        "name": "Username-Password-Authentication",
        "strategy": "auth0",
        "metadata": {},
    },
    "organization": None,
    "transaction": {
        "id": "tx-5d0c7e1f",
        "acr_values": [],
        "protocol": "oidc-basic-profile",
        "requested_scopes": ["openid", "profile", "email"],
        "locale": "nl",
    },
    "stats": {"logins_count": 42},
}


def merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Merge ``overrides`` into ``base`` in place: dicts into dicts recursively, others replace."""
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def make_event(**overrides: Any) -> dict[str, Any]:
    """A complete enriched event; ``overrides`` merge into it (nested dicts merge, others replace).

    ``make_event(request={"geoip": None})`` drops only the GeoIP entry;
    ``make_event(user={"app_metadata": {"home_country": "BE"}})`` adds one metadata key.
    """
    return merge(copy.deepcopy(BASE_EVENT), overrides)


def with_risk(
    event: dict[str, Any], confidence: str | None = None, **assessments: Any
) -> dict[str, Any]:
    """Set risk assessment codes on ``event``: ``name=code`` or ``name=(code, details)``."""
    risk = event["authentication"]["risk_assessment"]
    if confidence is not None:
        risk["confidence"] = confidence
    for name, value in assessments.items():
        code, details = value if isinstance(value, tuple) else (value, {})
        risk["assessments"][name] = {"code": code, "details": details}
    return event


@pytest.fixture(name="make_event")
def make_event_fixture() -> Callable[..., dict[str, Any]]:
    return make_event


@pytest.fixture(name="with_risk")
def with_risk_fixture() -> Callable[..., dict[str, Any]]:
    return with_risk


@pytest.fixture(scope="session")
def compiled_actions() -> dict[str, Any]:
    """Compiled Actions by stem, shared by the whole session (compiling costs milliseconds)."""
    return {}


@pytest.fixture
def run(compiled_actions: dict[str, Any]) -> Callable[..., Any]:
    """``run(stem, event, secrets=None)``: run ``actions/<stem>.py`` in the sandbox."""

    def runner(stem: str, event: dict[str, Any], secrets: dict[str, str] | None = None) -> Any:
        if stem not in compiled_actions:
            path = ACTIONS_DIR / f"{stem}.py"
            compiled_actions[stem] = compile_action(path.read_text(encoding="utf-8"), str(path))
        return run_action(
            compiled_actions[stem],
            event,
            secrets=dict(secrets or {}),
            now=datetime.datetime.fromisoformat(event["timestamp"]),
            cache=InMemoryActionCache(),
            tenant_id="acme",
            limits=SandboxLimits(),
        )

    return runner
