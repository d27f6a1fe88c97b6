"""The field vocabulary: every name a condition may read, its type, and how to read it.

Each field's getter takes a ``RuleContext`` and returns the run-time value (``values.py``) or None
when the login has no such value. Getters never raise and never trust a dict's shape: a value of
the wrong type (a GeoIP database with a numeric city) reads as missing.

Metadata paths (``user.app_metadata.<key>...``) are typed ``any``: their shape is the tenant's,
so comparisons with them are checked at run time (a mismatch is *unknown*, not an error).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from contextmfa.directives import FACTORS
from contextmfa.rules.context import HOUR, MINUTE, MOMENT, RuleContext
from contextmfa.rules.context import TIME as TIME_INDEX
from contextmfa.rules.context import WEEKDAY as WEEKDAY_INDEX
from contextmfa.rules.domains import (
    CONTINENT,
    COUNTRY,
    COUNTRY3,
    DATE,
    Choices,
    Domain,
    WholeNumbers,
)
from contextmfa.rules.values import ANY, BOOL, IP, LIST, NUMBER, STRING, TIME, WEEKDAY

__all__ = [
    "ALIASES",
    "FIELDS",
    "METADATA_ROOTS",
    "Field",
    "lookup",
    "suggest",
]

Getter = Callable[[RuleContext], Any]


@dataclass(frozen=True, slots=True)
class Field:
    """One readable field. ``elem`` is a list's element type; ``domain`` the only values it (or,
    for a list, its elements) can hold, checked against every literal it meets."""

    name: str
    type: str
    get: Getter
    optional: bool
    elem: str | None = None
    domain: Domain | None = None
    upper: bool = False  # upper-case codes without a table (subdivisions): warn on lower case


# -- getters -----------------------------------------------------------------------------------


def _geo(key: str, number: bool = False) -> Getter:
    if number:

        def get_number(ctx: RuleContext) -> Any:
            geo = ctx.geoip
            if geo is None:
                return None
            value = geo.get(key)
            kind = type(value)
            return value if kind is float or kind is int else None

        return get_number

    def get_string(ctx: RuleContext) -> Any:
        geo = ctx.geoip
        if geo is None:
            return None
        value = geo.get(key)
        return value if type(value) is str else None

    return get_string


def _asn_number(ctx: RuleContext) -> Any:
    asn = ctx.asn
    value = asn.get("number") if asn is not None else None
    return value if type(value) is int else None


def _asn_organization(ctx: RuleContext) -> Any:
    asn = ctx.asn
    value = asn.get("organization") if asn is not None else None
    return value if type(value) is str else None


def _risk_code(assessment: str | None) -> Getter:
    def get(ctx: RuleContext) -> Any:
        try:
            risk: Any = ctx.risk
            value = (
                risk["confidence"]
                if assessment is None
                else (risk["assessments"][assessment]["code"])
            )
        except (KeyError, TypeError):
            return None
        return value if type(value) is str else None

    return get


def _travel_details(ctx: RuleContext) -> tuple[Any, Any]:
    try:
        details: Any = ctx.risk["assessments"]["impossible_travel"]["details"]  # type: ignore[index]
        distance, speed = details.get("distance_km"), details.get("speed_kmh")
    except (KeyError, TypeError, AttributeError):
        return None, None
    if type(distance) not in (int, float):
        return None, None
    return distance, speed


def _risk_distance(ctx: RuleContext) -> Any:
    return _travel_details(ctx)[0]


def _risk_speed(ctx: RuleContext) -> Any:
    """km/h since the last login; infinite when no time passed (the assessment's null speed)."""
    distance, speed = _travel_details(ctx)
    if distance is None:
        return None
    if speed is None:
        return math.inf
    return speed if type(speed) in (int, float) else None


def _clock(utc: bool, index: int) -> Getter:
    if utc:
        return lambda ctx: ctx.clock_utc()[index]
    return lambda ctx: ctx.clock_local()[index]


def _date(utc: bool) -> Getter:
    def get(ctx: RuleContext) -> str | None:
        moment = (ctx.clock_utc() if utc else ctx.clock_local())[MOMENT]
        return None if moment is None else moment.date().isoformat()

    return get


def _factor_types(ctx: RuleContext) -> list[str]:
    return [factor.type for factor in ctx.event.user.enrolled_factors]


def _method_names(ctx: RuleContext) -> list[str]:
    return [method.name for method in ctx.event.authentication.methods]


def _transaction(attr: str) -> Getter:
    def get(ctx: RuleContext) -> Any:
        transaction = ctx.event.transaction
        return None if transaction is None else getattr(transaction, attr)

    return get


def _part(part: str, attr: str) -> Getter:
    """``event.<part>.<attr>`` where ``event.<part>`` may be null (client, connection, ...)."""

    def get(ctx: RuleContext) -> Any:
        holder = getattr(ctx.event, part)
        return None if holder is None else getattr(holder, attr)

    return get


def _event(path: str) -> Getter:
    """``ctx.event.<path>`` for parts of the event that are never null: one C-level call."""
    return attrgetter(f"event.{path}")


def _logins_count(ctx: RuleContext) -> Any:
    stats = ctx.event.stats
    return None if stats is None else stats.logins_count


# -- the vocabulary ----------------------------------------------------------------------------

CONFIDENCE = ("low", "medium", "high")
NEW_DEVICE = ("initial_login", "match", "partial_match", "no_match", "unknown_device")
IMPOSSIBLE_TRAVEL = (
    "initial_login",
    "missing_geoip",
    "minimal_travel_from_last_login",
    "travel_from_last_login",
    "substantial_travel_from_last_login",
    "impossible_travel_from_last_login",
)
UNTRUSTED_IP = ("assessment_not_available", "found_on_deny_list", "not_found_on_deny_list")


def _clock_fields(prefix: str, utc: bool) -> list[Field]:
    return [
        Field(f"{prefix}.hour", NUMBER, _clock(utc, HOUR), False, domain=WholeNumbers(0, 23)),
        Field(f"{prefix}.minute", NUMBER, _clock(utc, MINUTE), False, domain=WholeNumbers(0, 59)),
        Field(f"{prefix}.weekday", WEEKDAY, _clock(utc, WEEKDAY_INDEX), False),
        Field(f"{prefix}.time", TIME, _clock(utc, TIME_INDEX), False),
        Field(f"{prefix}.date", STRING, _date(utc), False, domain=DATE),
    ]


_ALL: list[Field] = [
    Field("ip", IP, attrgetter("ip"), False),
    Field("geo.country", STRING, _geo("country_code"), True, domain=COUNTRY),
    Field("geo.country3", STRING, _geo("country_code3"), True, domain=COUNTRY3),
    Field("geo.country_name", STRING, _geo("country_name"), True),
    Field("geo.city", STRING, _geo("city_name"), True),
    Field("geo.continent", STRING, _geo("continent_code"), True, domain=CONTINENT),
    Field("geo.subdivision", STRING, _geo("subdivision_code"), True, upper=True),
    Field("geo.subdivision_name", STRING, _geo("subdivision_name"), True),
    Field("geo.time_zone", STRING, _geo("time_zone"), True),
    Field("geo.latitude", NUMBER, _geo("latitude", number=True), True),
    Field("geo.longitude", NUMBER, _geo("longitude", number=True), True),
    Field("asn.number", NUMBER, _asn_number, True),
    Field("asn.organization", STRING, _asn_organization, True),
    Field("user.id", STRING, _event("user.user_id"), False),
    Field("user.email", STRING, _event("user.email"), True),
    Field("user.name", STRING, _event("user.name"), True),
    Field("user.username", STRING, _event("user.username"), True),
    Field("user.email_verified", BOOL, _event("user.email_verified"), True),
    Field("user.roles", LIST, _event("authorization.roles"), False, elem=STRING),
    Field(
        "user.enrolled_factors",
        LIST,
        lambda ctx: ctx.memo("user.enrolled_factors", _factor_types),
        False,
        elem=STRING,
        domain=Choices(FACTORS),
    ),
    Field("user.logins_count", NUMBER, _logins_count, True),
    Field("client.id", STRING, _part("client", "client_id"), True),
    Field("client.name", STRING, _part("client", "name"), True),
    Field("connection.name", STRING, _part("connection", "name"), True),
    Field("connection.strategy", STRING, _part("connection", "strategy"), True),
    Field("organization.id", STRING, _part("organization", "id"), True),
    Field("organization.name", STRING, _part("organization", "name"), True),
    Field("request.user_agent", STRING, _event("request.user_agent"), True),
    Field("request.hostname", STRING, _event("request.hostname"), True),
    Field("request.language", STRING, _event("request.language"), True),
    Field("device.id", STRING, _event("device.id"), True),
    Field("device.remembered", BOOL, _event("device.remembered"), False),
    Field("risk.confidence", STRING, _risk_code(None), False, domain=Choices(CONFIDENCE)),
    Field("risk.new_device", STRING, _risk_code("new_device"), False, domain=Choices(NEW_DEVICE)),
    Field(
        "risk.impossible_travel",
        STRING,
        _risk_code("impossible_travel"),
        False,
        domain=Choices(IMPOSSIBLE_TRAVEL),
    ),
    Field(
        "risk.untrusted_ip",
        STRING,
        _risk_code("untrusted_ip"),
        False,
        domain=Choices(UNTRUSTED_IP),
    ),
    Field("risk.distance_km", NUMBER, _risk_distance, True),
    Field("risk.speed_kmh", NUMBER, _risk_speed, True),
    *_clock_fields("time", utc=True),
    *_clock_fields("local", utc=False),
    Field("transaction.acr_values", LIST, _transaction("acr_values"), True, elem=STRING),
    Field(
        "transaction.requested_scopes", LIST, _transaction("requested_scopes"), True, elem=STRING
    ),
    Field("transaction.protocol", STRING, _transaction("protocol"), True),
    Field(
        "auth.methods",
        LIST,
        lambda ctx: ctx.memo("auth.methods", _method_names),
        False,
        elem=STRING,
    ),
]

FIELDS: dict[str, Field] = {f.name: f for f in _ALL}


def _metadata(part: str) -> Getter:
    def get(ctx: RuleContext) -> Any:
        holder = getattr(ctx.event, part)
        return None if holder is None else holder.metadata

    return get


METADATA_ROOTS: dict[str, Getter] = {
    "user.app_metadata": _event("user.app_metadata"),
    "user.user_metadata": _event("user.user_metadata"),
    "client.metadata": _metadata("client"),
    "connection.metadata": _metadata("connection"),
    "organization.metadata": _metadata("organization"),
}
"""Free-form objects: ``<root>.<key>[.<key>...]`` reads a value typed ``any``."""

ALIASES: dict[str, str] = {
    "authorization.roles": "user.roles",
    "stats.logins_count": "user.logins_count",
    "user.user_id": "user.id",
    "request.ip": "ip",
    "client.client_id": "client.id",
    "authentication.methods": "auth.methods",
    "geo.country_code": "geo.country",
    "geo.country_code3": "geo.country3",
    "geo.city_name": "geo.city",
    "geo.continent_code": "geo.continent",
    "geo.subdivision_code": "geo.subdivision",
    "request.geoip.country_code": "geo.country",
    "request.asn.number": "asn.number",
    "authentication.risk_assessment.confidence": "risk.confidence",
    "risk.assessments.impossible_travel.code": "risk.impossible_travel",
}
"""Spellings of the login event (or of Auth0) that rules spell differently: hinted, not taken."""


def _dig(root: Getter, keys: tuple[str, ...]) -> Getter:
    def get(ctx: RuleContext) -> Any:
        value = root(ctx)
        for key in keys:
            if type(value) is not dict:
                return None
            value = value.get(key)
        return value

    return get


def lookup(path: str) -> Field | None:
    """The field named ``path`` (a metadata path gets a fresh ``any`` field); None if unknown."""
    found = FIELDS.get(path)
    if found is not None:
        return found
    for root, getter in METADATA_ROOTS.items():
        if path.startswith(root + "."):
            keys = tuple(path[len(root) + 1 :].split("."))
            return Field(path, ANY, _dig(getter, keys), True)
    return None


def suggest(path: str, extra: tuple[str, ...] = ()) -> str | None:
    """The field (or one of ``extra`` names) ``path`` most likely meant, for "did you mean"."""
    if path in ALIASES:
        return ALIASES[path]
    parts = path.split(".")
    best, best_ratio = None, 0.8
    for root in METADATA_ROOTS:  # a typo in the root of a metadata path
        depth = root.count(".") + 1
        if len(parts) > depth:
            ratio = difflib.SequenceMatcher(None, ".".join(parts[:depth]), root).ratio()
            if ratio >= best_ratio:
                best, best_ratio = root + "." + ".".join(parts[depth:]), ratio
    if best is not None:
        return best
    candidates = [*FIELDS, *extra]
    close = difflib.get_close_matches(path, candidates, n=1, cutoff=0.6)
    return close[0] if close else None
