"""Auth0 tenant log events, mapped to contextmfa login events: what maps and what does not.

Field by field (Auth0's log schema, github.com/auth0/auth0-log-schemas):

    log_id (or _id)            -> id
    date                       -> timestamp
    user_id                    -> user.user_id
    user_name                  -> user.email when it holds an @, user.phone_number when it is an
                                  E.164 number, else user.username
    ip, user_agent, hostname   -> request.ip, request.user_agent, request.hostname
    location_info              -> request.geoip (country_code, country_code3, country_name,
                                  city_name, latitude, longitude, time_zone, continent_code;
                                  Auth0 has no subdivision) unless --geoip lookup
    client_id, client_name     -> client
    connection_id, connection, strategy -> connection
    organization_id, organization_name  -> organization
    strategy_type / strategy   -> authentication.methods: pwd (database), federated (social,
                                  enterprise), sms or email (passwordless)
    scope, details.transaction_id -> transaction.requested_scopes, transaction.id
    details.stats.loginsCount  -> stats.logins_count

MFA events are evidence, not logins: ``gd_enrollment_complete`` enrolls the authenticator's
factor from that moment on; ``gd_auth_succeed``, ``gd_auth_failed``, ``gd_auth_rejected`` and the
recovery-code events show a factor enrolled before the export began (unless the export also
holds its enrollment). They become ``user.enrolled_factors`` of the user's later logins. They are
never ``authentication.methods``: an MFA Auth0 asked for during a login is that login's outcome,
not what the user brought to it.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "FAILED_TYPES",
    "LOGIN_TYPES",
    "MAPPED_FIELDS",
    "auth0_field",
    "evidence",
    "factor_of",
    "missing_field",
    "to_event",
    "unwrap",
]

LOGIN_TYPES = {"s": "successful login"}
FAILED_TYPES = {
    "f": "failed login",
    "fp": "incorrect password",
    "fc": "failed by connector",
    "fcoa": "failed cross-origin authentication",
    "fens": "failed native social login",
}
NO_USER_TYPES = {"fu": "invalid email or username"}
"""Failed logins of no real user: there is nobody to replay them for."""

ENROLLED = "gd_enrollment_complete"
USED_TYPES = frozenset(
    {"gd_auth_succeed", "gd_auth_failed", "gd_auth_rejected", "gd_otp_rate_limit_exceed"}
)
RECOVERY_TYPES = frozenset(
    {"gd_recovery_succeed", "gd_recovery_failed", "gd_recovery_rate_limit_exceed"}
)

AUTHENTICATORS = {
    "otp": "otp",
    "totp": "otp",
    "sms": "sms",
    "phone": "sms",
    "voice": "voice",
    "email": "email",
    "push": "push-notification",
    "push-notification": "push-notification",
    "guardian": "push-notification",
    "webauthn-roaming": "webauthn-roaming",
    "webauthn_roaming": "webauthn-roaming",
    "roaming": "webauthn-roaming",
    "webauthn-platform": "webauthn-platform",
    "webauthn_platform": "webauthn-platform",
    "platform": "webauthn-platform",
    "recovery-code": "recovery-code",
    "recovery_code": "recovery-code",
    "duo": "duo",
}
"""Auth0's authenticator type spellings to contextmfa's factor names."""

GEO_FIELDS = (
    "country_code",
    "country_code3",
    "country_name",
    "city_name",
    "latitude",
    "longitude",
    "time_zone",
    "continent_code",
)
MAPPED_FIELDS = frozenset(
    {
        "log_id",
        "_id",
        "date",
        "type",
        "user_id",
        "user_name",
        "ip",
        "user_agent",
        "hostname",
        "location_info",
        "client_id",
        "client_name",
        "connection",
        "connection_id",
        "strategy",
        "strategy_type",
        "organization_id",
        "organization_name",
        "scope",
        "details",
    }
)
MAPPED_DETAILS = frozenset({"stats", "transaction_id", "initiatedAt"})
PHONE = re.compile(r"^\+[1-9]\d{6,14}$")
PASSWORDLESS = {"sms": "sms", "email": "email"}


def unwrap(value: Any) -> Any:
    """The log event inside the wrappers log streams add: an EventBridge event
    (``detail.data``) or a custom-webhook item (``{"log_id", "data"}``)."""
    if isinstance(value, dict):
        detail = value.get("detail")
        if isinstance(detail, dict) and isinstance(detail.get("data"), dict):
            return detail["data"]
        data = value.get("data")
        if "type" not in value and isinstance(data, dict) and "type" in data:
            return data
    return value


def factor_of(log: dict[str, Any]) -> str | None:
    """The contextmfa factor an MFA log event is about, or None when it names none we know."""
    kind = log.get("type")
    if kind in RECOVERY_TYPES:
        return "recovery-code"
    details = log.get("details") if isinstance(log.get("details"), dict) else {}
    authenticator = details.get("authenticator") if isinstance(details, dict) else None
    name = authenticator.get("type") if isinstance(authenticator, dict) else None
    if not isinstance(name, str):
        return None
    return AUTHENTICATORS.get(name.strip().lower())


def evidence(log: dict[str, Any]) -> tuple[str, bool] | None:
    """``(factor, enrolled_now)`` for an MFA event, else None. ``enrolled_now`` marks an
    enrollment (the factor counts from then on) rather than a use (it was there before)."""
    kind = log.get("type")
    if kind != ENROLLED and kind not in USED_TYPES and kind not in RECOVERY_TYPES:
        return None
    factor = factor_of(log)
    return None if factor is None else (factor, kind == ENROLLED)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _date(value: Any) -> Any:
    if isinstance(value, dict) and "$date" in value:  # MongoDB-style exports
        return value["$date"]
    return value


def _user(log: dict[str, Any]) -> dict[str, Any]:
    user: dict[str, Any] = {"user_id": log.get("user_id") or None}
    name = _text(log.get("user_name"))
    if name is None:
        return user
    if "@" in name:
        user["email"] = name
    elif PHONE.match(name):
        user["phone_number"] = name
    else:
        user["username"] = name
    return user


def _geoip(location: Any) -> dict[str, Any] | None:
    if not isinstance(location, dict):
        return None
    geo: dict[str, Any] = {}
    for key in GEO_FIELDS:
        value = location.get(key)
        if key in ("latitude", "longitude") and isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                value = None
        geo[key] = value if value != "" else None
    return geo if any(v is not None for v in geo.values()) else None


def _method(log: dict[str, Any]) -> str:
    strategy = _text(log.get("strategy")) or ""
    if strategy in PASSWORDLESS:
        return PASSWORDLESS[strategy]
    kind = _text(log.get("strategy_type")) or ""
    if kind in ("social", "enterprise") or (strategy and strategy not in ("auth0", "")):
        return "federated"
    return "pwd"


def _scopes(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [s for s in value if isinstance(s, str)]
    return []


def missing_field(log: dict[str, Any]) -> str | None:
    """The first field a login log must carry and does not, in Auth0's own name, or None.
    Without ``log_id`` the overlapping pages of an export could not be told apart."""
    if _text(log.get("log_id")) is None and _text(log.get("_id")) is None:
        return "log_id"
    for name in ("date", "user_id", "ip"):
        if log.get(name) in (None, ""):
            return name
    return None


EVENT_TO_AUTH0 = (
    ("id", "log_id"),
    ("timestamp", "date"),
    ("authentication.methods", "date"),
    ("user.user_id", "user_id"),
    ("user.email", "user_name"),
    ("user.phone_number", "user_name"),
    ("user.username", "user_name"),
    ("request.ip", "ip"),
    ("request.user_agent", "user_agent"),
    ("request.hostname", "hostname"),
    ("request.geoip", "location_info"),
    ("client.client_id", "client_id"),
    ("client.name", "client_name"),
    ("connection.id", "connection_id"),
    ("connection.name", "connection"),
    ("connection.strategy", "strategy"),
    ("organization.id", "organization_id"),
    ("organization", "organization_name"),
    ("transaction.id", "details.transaction_id"),
    ("transaction.requested_scopes", "scope"),
    ("stats.logins_count", "details.stats.loginsCount"),
)
"""A login event's field (a prefix of it) to the Auth0 log field it was made from."""


def auth0_field(field: str) -> str:
    """The Auth0 field behind a login event's field: ``request.geoip.latitude`` is
    ``location_info.latitude``, ``timestamp`` is ``date``."""
    for ours, theirs in EVENT_TO_AUTH0:
        if field == ours or field.startswith(ours + "."):
            rest = field[len(ours) :]
            return theirs + rest if ours == "request.geoip" else theirs
    return field


def to_event(log: dict[str, Any], *, keep_geoip: bool) -> dict[str, Any]:
    """The login event for one login log that has every field ``missing_field`` asks for
    (validated by the caller with ``parse_event``)."""
    details = log.get("details") if isinstance(log.get("details"), dict) else {}
    timestamp = _date(log.get("date"))
    request: dict[str, Any] = {"ip": log.get("ip")}  # as given: validation says what is wrong
    for key in ("user_agent", "hostname"):
        if _text(log.get(key)):
            request[key] = log[key]
    geo = _geoip(log.get("location_info")) if keep_geoip else None
    if geo is not None:
        request["geoip"] = geo
    event: dict[str, Any] = {
        "id": _text(log.get("log_id")) or _text(log.get("_id")),
        "timestamp": timestamp,
        "user": _user(log),
        "request": request,
        "authentication": {"methods": [{"name": _method(log), "timestamp": timestamp}]},
    }
    if _text(log.get("client_id")) or _text(log.get("client_name")):
        event["client"] = {
            "client_id": _text(log.get("client_id")),
            "name": _text(log.get("client_name")),
        }
    if _text(log.get("connection_id")) or _text(log.get("connection")):
        event["connection"] = {
            "id": _text(log.get("connection_id")),
            "name": _text(log.get("connection")),
            "strategy": _text(log.get("strategy")),
        }
    if _text(log.get("organization_id")):
        name = _text(log.get("organization_name"))
        event["organization"] = {"id": log["organization_id"], "name": name, "display_name": name}
    scopes, transaction_id = _scopes(log.get("scope")), _text(details.get("transaction_id"))
    if scopes or transaction_id:
        event["transaction"] = {"id": transaction_id, "requested_scopes": scopes}
    stats = details.get("stats")
    if isinstance(stats, dict) and isinstance(stats.get("loginsCount"), int):
        event["stats"] = {"logins_count": stats["loginsCount"]}
    return event


def unmapped(log: dict[str, Any]) -> list[str]:
    """The fields of a login log that have no place in a login event."""
    dropped = [key for key in log if key not in MAPPED_FIELDS]
    details = log.get("details")
    if isinstance(details, dict):
        dropped.extend(f"details.{key}" for key in details if key not in MAPPED_DETAILS)
    return dropped
