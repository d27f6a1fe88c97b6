"""Plain-Python floors of the engine's fixed work per login, for bench_all.py.

Each is the same work as one engine step, written directly for the shapes the sample tenant
produces, with no engine types: what that step would cost in a hand-written policy.

- ``user_context``: ``Engine._user_context`` (what resolution knows of the user) as a tuple;
- ``PlainEnrichment``: ``Engine.enrich`` - the same GeoIP, ASN and deny-list lookups and the
  three risk assessments of enrich/risk.py over plain per-user dicts of last-seen times;
- ``resolve``: ``decision.resolve`` for what the sample tenant's rules and Actions ask (deny,
  require, challenge and enroll steps, the adaptive policy), with the same trace entries as
  tuples, returning outcome, factors and steps;
- ``document``: ``Decision.to_dict``, the decision JSON built from the shapes it is known to have.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from contextmfa.decision import Decision
from contextmfa.decision.model import PolicySettings, UserContext
from contextmfa.directives import Deny, Directive, Require, Skip, Step
from contextmfa.engine import Engine
from contextmfa.enrich.risk import NOTABLE_TRAVEL_KM, SUBSTANTIAL_TRAVEL_KM, haversine_km
from contextmfa.events import LoginEvent

NOT_ENROLLABLE = frozenset({"email", "recovery-code"})


def user_context(event: LoginEvent, risk: dict[str, Any]) -> tuple[Any, ...]:
    methods = [m for m in event.authentication.methods if m.name == "mfa"]
    return (
        {f.type for f in event.user.enrolled_factors},
        bool(event.user.email_verified),
        {m.type for m in methods if m.type},
        bool(methods),
        event.device.remembered,
        risk["confidence"],
    )


class PlainEnrichment:
    """The engine's enrichment over its own GeoIP and deny lists and a dict history."""

    def __init__(self, engine: Engine) -> None:
        self.geoip = engine.geoip
        self.deny_lists = engine.deny_lists
        self.window = timedelta(days=engine.risk_settings.device_trust_days)
        self.speed_limit = engine.risk_settings.impossible_speed_kmh
        self.last: dict[str, tuple[Any, float | None, float | None]] = {}
        self.devices: dict[str, dict[str, Any]] = {}
        self.agents: dict[str, dict[str, Any]] = {}

    def add(self, event: LoginEvent, geo: dict[str, Any] | None) -> None:
        user, now = event.user.user_id, event.timestamp
        geo = geo or {}
        self.last[user] = (now, geo.get("latitude"), geo.get("longitude"))
        if event.device.id:
            self.devices.setdefault(user, {})[event.device.id] = now
        if event.request.user_agent:
            self.agents.setdefault(user, {})[event.request.user_agent] = now

    def enrich(self, event: LoginEvent) -> tuple[Any, Any, dict[str, Any]]:
        request, user, now = event.request, event.user.user_id, event.timestamp
        geo = (
            request.geoip.model_dump() if request.geoip is not None else self.geoip.city(request.ip)
        )
        asn = request.asn.model_dump() if request.asn is not None else self.geoip.asn(request.ip)
        listed = self.deny_lists.match(request.ip)
        last = self.last.get(user)
        if last is None:
            device = travel = {"code": "initial_login", "details": {}}
        else:
            seen = self.devices.get(user, {}).get(event.device.id or "")
            agent = self.agents.get(user, {}).get(request.user_agent or "")
            if seen is not None and now - seen <= self.window:
                code = "match"
            elif agent is not None and now - agent <= self.window:
                code = "partial_match"
            elif not event.device.id and not request.user_agent:
                code = "unknown_device"
            else:
                code = "no_match"
            device = {"code": code, "details": {}}
            travel = self._travel(now, geo, last)
        if not self.deny_lists.configured:
            untrusted = {"code": "assessment_not_available", "details": {}}
        elif listed is not None:
            untrusted = {"code": "found_on_deny_list", "details": {"source": listed}}
        else:
            untrusted = {"code": "not_found_on_deny_list", "details": {}}
        if (
            travel["code"] == "impossible_travel_from_last_login"
            or untrusted["code"] == "found_on_deny_list"
        ):
            confidence = "low"
        else:
            concerns = (device["code"] == "no_match") + (
                travel["code"] == "substantial_travel_from_last_login"
            )
            confidence = ("high", "medium", "low")[concerns]
        risk = {
            "confidence": confidence,
            "version": "1",
            "assessments": {
                "new_device": device,
                "impossible_travel": travel,
                "untrusted_ip": untrusted,
            },
        }
        return geo, asn, risk

    def _travel(self, now: Any, geo: dict[str, Any] | None, last: tuple[Any, Any, Any]) -> dict:
        lat = geo.get("latitude") if geo else None
        lon = geo.get("longitude") if geo else None
        when, last_lat, last_lon = last
        if lat is None or lon is None or last_lat is None or last_lon is None:
            return {"code": "missing_geoip", "details": {}}
        distance = haversine_km(last_lat, last_lon, lat, lon)
        hours = abs((now - when).total_seconds()) / 3600
        speed = distance / hours if hours else None
        if distance > NOTABLE_TRAVEL_KM and (speed is None or speed > self.speed_limit):
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
            "country_code": None,
        }
        return {"code": code, "details": details}


def _received(directive: Directive) -> tuple[str, str, dict[str, Any]]:
    if isinstance(directive, Deny):
        return (directive.source, "deny", {"reason": directive.reason})
    if isinstance(directive, Require):
        factors = "any" if directive.factors is None else tuple(sorted(directive.factors))
        return (directive.source, "require", {"factors": factors, "remember": directive.remember})
    if isinstance(directive, Step):
        return (directive.source, directive.kind, {"factors": tuple(sorted(directive.factors))})
    return (directive.source, "skip", {})


def resolve(
    directives: list[Directive], policy: PolicySettings, user: UserContext
) -> tuple[str, tuple[str, ...], list[tuple[str, tuple[str, ...], str]], list[tuple]]:
    """Outcome, factors, steps (kind, factors, source) and trace, for the sample's shapes."""
    trace = [_received(d) for d in directives]
    for d in directives:
        if isinstance(d, Deny):
            trace.append((d.source, "resolve", {"resolution": "first_deny", "reason": d.reason}))
            return "deny", (), [], trace
    enabled = policy.factors
    enrolled = (
        user.enrolled | {"email"} if user.email_verified and "email" in enabled else user.enrolled
    )
    pending: list[tuple[str, frozenset[str], str, bool]] = []
    requires = [d for d in directives if isinstance(d, Require)]
    if requires:
        factors = enabled
        for r in requires:
            if r.factors is not None:
                factors = factors & r.factors
        if not factors:
            return "deny", (), [], trace
        trace.append((requires[0].source, "resolve", {"resolution": "merged"}))
        subsumed = any(
            d.kind == "challenge" and d.factors & enabled and d.factors & enabled <= factors
            for d in directives
            if isinstance(d, Step)
        )
        if not subsumed:
            pending.append(("challenge", factors, requires[0].source, True))
    pending.extend((d.kind, d.factors, d.source, False) for d in directives if isinstance(d, Step))
    if not pending:
        skip = next((d for d in directives if isinstance(d, Skip)), None)
        if skip is not None:
            return "allow", (), [], trace
        if policy.mfa == "never" or (
            policy.mfa == "adaptive" and user.confidence in ("medium", "high")
        ):
            trace.append((f"policy:{policy.mfa}", "resolve", {"resolution": "policy_applied"}))
            return "allow", (), [], trace
        pending.append(("challenge", enabled, f"policy:{policy.mfa}", True))
    steps = []
    for kind, factors, source, generic in pending:
        if (generic and user.has_mfa_method) or (not generic and factors & user.mfa_methods):
            continue
        offered = factors & enabled & enrolled if kind == "challenge" else frozenset()
        if kind == "challenge" and not offered:
            if not generic or source == "policy:adaptive":
                return "deny", (), [], trace
            kind, factors = "enroll", factors - NOT_ENROLLABLE
        if kind == "enroll":
            offered = (factors & enabled) - enrolled - NOT_ENROLLABLE
            if not offered:
                continue
        steps.append((kind, tuple(sorted(offered)), source))
    explicit = any(isinstance(d, Step) for d in directives)
    remember = (
        requires
        and all(r.remember for r in requires)
        and policy.remember_browser_days > 0
        and not any(r.source in ("acr", "policy:adaptive") for r in requires)
    )
    if not explicit and remember and user.device_remembered:
        return "allow", (), [], trace
    if not steps:
        return "allow", (), [], trace
    if steps[0][0] == "enroll" and enrolled & enabled:
        steps.insert(0, ("challenge", tuple(sorted(enrolled & enabled)), steps[0][2]))
    return steps[0][0], steps[0][1], steps, trace


def document(d: Decision) -> dict[str, Any]:
    """The decision JSON from the shapes the engine gives it (risk and geoip as plain dicts)."""
    risk = d.risk
    return {
        "login_id": d.login_id,
        "outcome": d.outcome,
        "factors": list(d.factors),
        "steps": [
            {"kind": s.kind, "factors": list(s.factors), "source": s.source} for s in d.steps
        ],
        "allow_remember_browser": d.allow_remember_browser,
        "deny_reason": d.deny_reason,
        "source": d.source,
        "risk": None
        if risk is None
        else {
            "confidence": risk["confidence"],
            "version": risk["version"],
            "assessments": {
                name: {"code": a["code"], "details": dict(a["details"])}
                for name, a in risk["assessments"].items()
            },
        },
        "geoip": None if d.geoip is None else dict(d.geoip),
        "trace": [
            {
                "source": e.source,
                "directive": e.directive,
                "detail": {k: list(v) if type(v) is tuple else v for k, v in e.detail.items()},
            }
            for e in d.trace
        ],
        "logs": [dict(line) for line in d.logs],
        "errors": [dict(error) for error in d.errors],
        "metadata_updates": {k: dict(v) for k, v in d.metadata_updates.items()},
        "custom_claims": {k: dict(v) for k, v in d.custom_claims.items()},
        "transaction_metadata": dict(d.transaction_metadata),
        "timing_us": dict(d.timing_us),
    }
