"""The risk assessment attached to every login as ``authentication.risk_assessment``.

Three assessors (new device, impossible travel, untrusted IP) and a confidence level, exactly as
spec/login-events.md ("Enrichment") defines them. The shape mirrors Auth0's
``event.authentication.riskAssessment`` so Actions written for Auth0 read it the same way.

Choices where the spec is silent:

- "Within ``device_trust_days``": a device id (or, for ``partial_match``, a user agent) matches
  when the last login that carried it is at most ``device_trust_days`` days before ``now``
  (exactly ``device_trust_days`` still matches). A login recorded *after* ``now`` (an
  out-of-order replay) also matches. Empty strings count as absent.
- ``t`` (hours since the last login) is taken as an absolute value, so an out-of-order event
  is judged on the speed needed to cover the distance either way; ``t = 0`` is infinite speed
  and ``speed_kmh`` is then ``None`` (JSON has no infinity).
- ``details`` is ``{}`` for every code the spec gives no details (``initial_login``,
  ``missing_geoip``, every ``new_device`` code, ``assessment_not_available``,
  ``not_found_on_deny_list``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from contextmfa.enrich.history import History, LoginRecord

__all__ = ["EARTH_RADIUS_KM", "VERSION", "RiskSettings", "assess", "haversine_km"]

VERSION = "1"
EARTH_RADIUS_KM = 6371.0088  # the IUGG mean Earth radius
NOTABLE_TRAVEL_KM = 100.0
SUBSTANTIAL_TRAVEL_KM = 2000.0


@dataclass(frozen=True, slots=True)
class RiskSettings:
    """The tenant's ``[risk]`` knobs that change an assessment."""

    device_trust_days: int = 30
    impossible_speed_kmh: float = 1000

    def __post_init__(self) -> None:
        if self.device_trust_days < 0:
            raise ValueError("device_trust_days must not be negative")
        if not self.impossible_speed_kmh > 0:
            raise ValueError("impossible_speed_kmh must be positive")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    phi1 = math.radians(lat1)
    phi2 = math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _assessment(code: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "details": {} if details is None else details}


def _new_device(
    now: datetime,
    window: timedelta,
    last_device_seen: datetime | None,
    last_agent_seen: datetime | None,
    has_device: bool,
    has_agent: bool,
) -> str:
    if last_device_seen is not None and now - last_device_seen <= window:
        return "match"
    if last_agent_seen is not None and now - last_agent_seen <= window:
        return "partial_match"
    if not has_device and not has_agent:
        return "unknown_device"
    return "no_match"


def _impossible_travel(
    now: datetime, geoip: dict[str, Any] | None, last: LoginRecord, speed_limit_kmh: float
) -> dict[str, Any]:
    lat = geoip.get("latitude") if geoip else None
    lon = geoip.get("longitude") if geoip else None
    if lat is None or lon is None or last.latitude is None or last.longitude is None:
        return _assessment("missing_geoip")
    distance = haversine_km(last.latitude, last.longitude, lat, lon)
    hours = abs((now - last.timestamp).total_seconds()) / 3600
    speed = distance / hours if hours else None
    if distance > NOTABLE_TRAVEL_KM and (speed is None or speed > speed_limit_kmh):
        code = "impossible_travel_from_last_login"
    elif distance > SUBSTANTIAL_TRAVEL_KM:
        code = "substantial_travel_from_last_login"
    elif distance > NOTABLE_TRAVEL_KM:
        code = "travel_from_last_login"
    else:
        code = "minimal_travel_from_last_login"
    details = {
        "distance_km": round(distance, 1),
        "speed_kmh": None if speed is None else round(speed, 1),
        "country_code": last.country_code,
    }
    return _assessment(code, details)


def _untrusted_ip(deny_list_match: str | None, deny_lists_configured: bool) -> dict[str, Any]:
    if not deny_lists_configured:
        return _assessment("assessment_not_available")
    if deny_list_match is not None:
        return _assessment("found_on_deny_list", {"source": deny_list_match})
    return _assessment("not_found_on_deny_list")


def _confidence(new_device: str, travel: str, untrusted_ip: str) -> str:
    if travel == "impossible_travel_from_last_login" or untrusted_ip == "found_on_deny_list":
        return "low"
    concerns = (new_device == "no_match") + (travel == "substantial_travel_from_last_login")
    return ("high", "medium", "low")[concerns]


def assess(
    *,
    now: datetime,
    tenant_id: str,
    user_id: str,
    device_id: str | None,
    user_agent: str | None,
    geoip: dict[str, Any] | None,
    history: History,
    deny_list_match: str | None,
    deny_lists_configured: bool,
    settings: RiskSettings,
) -> dict[str, Any]:
    """Assess one login against the user's history; returns a fresh JSON-ready dict.

    ``now`` is the event's timestamp (aware); ``geoip`` is the event's ``request.geoip`` (its
    ``latitude``/``longitude`` are used); ``deny_list_match`` is ``DenyLists.match(ip)``.
    The login being assessed must not be in ``history`` yet.
    """
    last = history.last(tenant_id, user_id)
    if last is None:
        new_device = _assessment("initial_login")
        travel = _assessment("initial_login")
    else:
        window = timedelta(days=settings.device_trust_days)
        device_seen = history.device_last_seen(tenant_id, user_id, device_id) if device_id else None
        agent_seen = (
            history.user_agent_last_seen(tenant_id, user_id, user_agent) if user_agent else None
        )
        new_device = _assessment(
            _new_device(now, window, device_seen, agent_seen, bool(device_id), bool(user_agent))
        )
        travel = _impossible_travel(now, geoip, last, settings.impossible_speed_kmh)
    untrusted = _untrusted_ip(deny_list_match, deny_lists_configured)
    return {
        "confidence": _confidence(new_device["code"], travel["code"], untrusted["code"]),
        "version": VERSION,
        "assessments": {
            "new_device": new_device,
            "impossible_travel": travel,
            "untrusted_ip": untrusted,
        },
    }
