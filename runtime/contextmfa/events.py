"""The login event: validation of hostile input, and JSON Lines reading that survives bad records.

Field names are a snake_case port of Auth0's post-login ``event`` (spec/login-events.md). Unknown
keys are refused everywhere except in ``metadata`` objects, so a typo in a recorded login is an
error rather than a silently ignored field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path
from typing import Annotated, Any, BinaryIO, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    IPvAnyAddress,
    StrictBool,
    StrictFloat,
    StrictInt,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from contextmfa.errors import InputError
from contextmfa.inputs import display_name, open_input, read_input

__all__ = [
    "EventRecord",
    "Expectation",
    "LoginEvent",
    "Recorded",
    "bounded_lines",
    "decode_record",
    "format_validation_error",
    "load_event",
    "parse_event",
    "parse_event_json",
    "read_events",
]

FactorName = Literal[
    "otp",
    "sms",
    "voice",
    "email",
    "push-notification",
    "webauthn-roaming",
    "webauthn-platform",
    "duo",
    "recovery-code",
]
Outcome = Literal["allow", "challenge", "enroll", "deny"]

MAX_RECORD_BYTES = 1 << 20
"""A single recorded login larger than this is refused before it is parsed."""
BOM = b"\xef\xbb\xbf"

MAX_NESTING = 201
"""Objects and arrays nested deeper than this are refused: the depth pydantic-core's JSON parser
reads (what ``evaluate`` and ``replay`` see), held to events decoded by any other parser too, so
none reaches serialization (which stops at 255 levels) or a recursive walk."""

Metadata = dict[str, Any]

_NUMERIC = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    return {dict: "object", list: "array", str: "string"}.get(type(value), type(value).__name__)


def _ip_text(value: Any) -> Any:
    """An address is a JSON string: pydantic would read the number 12345 as 0.0.48.57 and
    ``true`` as 0.0.0.1, and the login would then be decided with no location."""
    if isinstance(value, str | IPv4Address | IPv6Address):
        return value
    raise PydanticCustomError(
        "string_required", "expected {what} as a JSON string", {"what": "an IP address"}
    )


def _timestamp_text(value: Any) -> Any:
    """A timestamp is an RFC 3339 string: pydantic would read a number (or a string of digits)
    as seconds since 1970 in UTC, silently."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError(
            "string_required",
            "expected {what} as a JSON string",
            {"what": "an RFC 3339 timestamp with offset"},
        )
    # A timestamp has a colon and a number never does: the pattern runs only without one.
    if ":" not in value and _NUMERIC.fullmatch(value):
        raise PydanticCustomError("datetime_from_number", "a number, not a timestamp")
    return value


ADDRESSES_KEPT = 4096
"""Distinct address texts kept parsed; the cache starts over when full."""
_ADDRESSES: dict[str, IPv4Address | IPv6Address] = {}


def _known_address(value: Any, validate: ValidatorFunctionWrapHandler) -> Any:
    """An address text parsed before is not parsed again: ``ipaddress`` parses in Python (a few
    µs a login), and a replay or a busy tenant sees the same addresses over and over. Only text
    that validated is kept, so anything else meets every check every time."""
    if type(value) is str:
        known = _ADDRESSES.get(value)
        if known is not None:
            return known
    address = validate(value)
    if type(value) is str and len(value) <= 64:
        if len(_ADDRESSES) >= ADDRESSES_KEPT:
            _ADDRESSES.clear()
        _ADDRESSES[value] = address
    return address


IPAddress = Annotated[IPvAnyAddress, BeforeValidator(_ip_text), WrapValidator(_known_address)]
Timestamp = Annotated[AwareDatetime, BeforeValidator(_timestamp_text)]
Coordinate = Annotated[StrictFloat, Field(allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=8192)


class Tenant(_Strict):
    id: str | None = None


class EnrolledFactor(_Strict):
    type: FactorName
    options: Metadata | None = None


class User(_Strict):
    user_id: str = Field(min_length=1)
    email: str | None = None
    email_verified: StrictBool | None = None
    phone_number: str | None = None
    phone_verified: StrictBool | None = None
    username: str | None = None
    name: str | None = None
    created_at: str | None = None
    app_metadata: Metadata = Field(default_factory=dict)
    user_metadata: Metadata = Field(default_factory=dict)
    enrolled_factors: list[EnrolledFactor] = Field(default_factory=list, max_length=64)


class Authorization(_Strict):
    roles: list[str] = Field(default_factory=list, max_length=256)


class GeoIPOverride(_Strict):
    country_code: str | None = None
    country_code3: str | None = None
    country_name: str | None = None
    city_name: str | None = None
    continent_code: str | None = None
    subdivision_code: str | None = None
    subdivision_name: str | None = None
    latitude: Coordinate | None = Field(default=None, ge=-90, le=90)
    longitude: Coordinate | None = Field(default=None, ge=-180, le=180)
    time_zone: str | None = None


class ASN(_Strict):
    number: StrictInt = Field(ge=0)
    organization: str | None = None


class Request(_Strict):
    ip: IPAddress
    user_agent: str | None = None
    hostname: str | None = None
    language: str | None = None
    geoip: GeoIPOverride | None = None
    asn: ASN | None = None


class Device(_Strict):
    id: str | None = None
    remembered: StrictBool = False


class AuthMethod(_Strict):
    name: str
    timestamp: Timestamp | None = None
    type: str | None = None


class Authentication(_Strict):
    methods: list[AuthMethod] = Field(default_factory=list, max_length=64)


class Client(_Strict):
    client_id: str | None = None
    name: str | None = None
    metadata: Metadata = Field(default_factory=dict)


class Connection(_Strict):
    id: str | None = None
    name: str | None = None
    strategy: str | None = None
    metadata: Metadata = Field(default_factory=dict)


class Organization(_Strict):
    id: str | None = None
    name: str | None = None
    display_name: str | None = None
    metadata: Metadata = Field(default_factory=dict)


class Transaction(_Strict):
    id: str | None = None
    acr_values: list[str] = Field(default_factory=list, max_length=32)
    protocol: str | None = None
    requested_scopes: list[str] = Field(default_factory=list, max_length=256)
    locale: str | None = None


class Stats(_Strict):
    logins_count: StrictInt | None = Field(default=None, ge=0)


class Expectation(_Strict):
    """What a replayed record expects of its decision (spec/cli-and-config.md)."""

    outcome: Outcome
    factors: list[FactorName] | None = None
    deny_reason: str | None = None
    source: str | None = None


class Recorded(_Strict):
    """What the service decided for a recorded login (``contextmfa logins export``); evaluation
    ignores it, and its ``expect`` carries the outcome a replay compares."""

    config_version: str = Field(max_length=64)
    recorded_at: Timestamp
    decision: Metadata
    mfa_passed: StrictBool | None = None
    """For a challenge or enroll: whether its MFA passed. The service adds such a login to the
    user's history only when it passes, so a replay leaves out the ones that did not."""


class LoginEvent(_Strict):
    id: str = Field(min_length=1, max_length=256)
    timestamp: Timestamp
    tenant: Tenant = Field(default_factory=Tenant)
    user: User
    authorization: Authorization = Field(default_factory=Authorization)
    request: Request
    device: Device = Field(default_factory=Device)
    authentication: Authentication = Field(default_factory=Authentication)
    client: Client | None = None
    connection: Connection | None = None
    organization: Organization | None = None
    transaction: Transaction | None = None
    stats: Stats | None = None
    expect: Expectation | None = None
    recorded: Recorded | None = None

    @property
    def ip(self) -> IPv4Address | IPv6Address:
        return self.request.ip

    @property
    def now(self) -> datetime:
        return self.timestamp


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One line of a JSON Lines file: its event, or why it could not be read."""

    line: int
    event: LoginEvent | None = None
    error: InputError | None = None


_EXPECTED = {
    "int_type": "an integer",
    "float_type": "a number",
    "string_type": "a string",
    "bool_type": "true or false",
    "list_type": "an array",
    "dict_type": "an object",
    "model_type": "an object",
}
"""Type errors, worded in JSON's terms (a JSON value has no Python type)."""

_MESSAGES = {
    "extra_forbidden": "unknown key",
    "missing": "required field is missing",
    "timezone_aware": "timestamp needs a UTC offset (RFC 3339, e.g. 2026-03-01T09:00:00Z)",
}


def _describe(error: Any) -> str:
    kind, value = error["type"], error.get("input")
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "string_required":
        what = error.get("ctx", {}).get("what", "a string")
        return f"expected {what} as a JSON string, got {_json_value(value)}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {_json_value(value)}"
    if kind == "ip_any_address":
        return f"{_short(value)} is not an IP address"
    if kind.startswith("datetime") or kind.startswith("timezone"):
        return f"{_short(value)} is not an RFC 3339 timestamp with offset"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{_short(value)} is not one of {expected}"
    return f"{error['msg'].rstrip('.').lower()} (got {_short(value)})"


def _json_value(value: Any) -> str:
    """A value as the JSON it came from: ``number 12345``, ``boolean true``, ``null``."""
    if value is None:
        return "null"
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"{_json_kind(value)} {text}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def format_validation_error(exc: ValidationError) -> str:
    """``field: problem`` for the first problem, with a count of the others."""
    errors = exc.errors()
    first = errors[0]
    field = ".".join(str(part) for part in first["loc"]) or "(record)"
    message = f"{field}: {_describe(first)}"
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more)"
    return message


def _nesting_over(data: Any, limit: int) -> bool:
    """Whether objects and arrays nest deeper than ``limit``; a loop, so no depth breaks it."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value
        for child in children:
            if isinstance(child, dict | list):
                if depth == limit:
                    return True
                stack.append((child, depth + 1))
    return False


def parse_event(data: Any, *, where: str) -> LoginEvent:
    """Validate one decoded JSON object; ``where`` is ``path`` or ``path:line`` for errors."""
    if not isinstance(data, dict):
        raise InputError(f"{where}: error: expected a JSON object, got {type(data).__name__}")
    if _nesting_over(data, MAX_NESTING):
        raise InputError(f"{where}: error: nested more than {MAX_NESTING} levels deep")
    try:
        return LoginEvent.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{where}: error: {format_validation_error(exc)}") from None


def parse_event_json(text: str | bytes, *, where: str) -> LoginEvent:
    """Validate one event straight from its JSON text (pydantic's parser: a third faster than
    ``json.loads`` followed by :func:`parse_event`), with the same messages."""
    if len(text) > MAX_RECORD_BYTES:
        raise InputError(f"{where}: error: record is larger than {MAX_RECORD_BYTES} bytes")
    try:
        return LoginEvent.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        if first["type"] == "json_invalid":
            reason = _not_utf8(text) or first.get("ctx", {}).get("error", "malformed")
            raise InputError(f"{where}: error: invalid JSON: {reason}") from None
        if first["type"] == "model_type" and not first["loc"]:
            kind = type(first.get("input")).__name__
            raise InputError(f"{where}: error: expected a JSON object, got {kind}") from None
        raise InputError(f"{where}: error: {format_validation_error(exc)}") from None


def _not_utf8(text: str | bytes) -> str | None:
    """Why bytes are not UTF-8 text (the one encoding JSON files may use), or None."""
    if isinstance(text, str):
        return None
    if text.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "the file is UTF-16; save it as UTF-8"
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not UTF-8: byte 0x{text[exc.start]:02x} at column {exc.start + 1}"
    return None


def decode_record(text: str | bytes, where: str) -> Any:
    if len(text) > MAX_RECORD_BYTES:
        raise InputError(f"{where}: error: record is larger than {MAX_RECORD_BYTES} bytes")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: error: invalid JSON: {exc.msg} (column {exc.colno})") from None
    except (RecursionError, ValueError) as exc:
        raise InputError(f"{where}: error: invalid JSON: {type(exc).__name__}") from None


def load_event(path: Path) -> LoginEvent:
    """Read one event from a ``.json`` file, ``-`` or a pipe (``evaluate`` and ``test``)."""
    raw = read_input(path, MAX_RECORD_BYTES)
    return parse_event_json(raw.removeprefix(BOM), where=display_name(path))


def read_events(path: Path) -> Iterator[EventRecord]:
    """Stream a JSON Lines file (or ``-``); a bad record yields an error and reading goes on."""
    name = display_name(path)
    with open_input(path) as handle:
        for number, raw in enumerate(bounded_lines(handle), start=1):
            where = f"{name}:{number}"
            if raw is None:
                message = f"{where}: error: record is larger than {MAX_RECORD_BYTES} bytes"
                error = InputError(message)
                yield EventRecord(line=number, error=error)
                continue
            text = raw.strip()
            if not text or text.startswith(b"#"):
                continue
            try:
                event = parse_event_json(text, where=where)
            except InputError as exc:
                yield EventRecord(line=number, error=exc)
            else:
                yield EventRecord(line=number, event=event)


def bounded_lines(handle: BinaryIO) -> Iterator[bytes | None]:
    """Lines of at most MAX_RECORD_BYTES; an over-long line yields None and is skipped unread.
    A UTF-8 byte order mark (Windows editors write one) is not part of the first line."""
    first = True
    while True:
        line = handle.readline(MAX_RECORD_BYTES + 1)
        if first:
            line, first = line.removeprefix(BOM), False
        if not line:
            return
        if len(line) > MAX_RECORD_BYTES and not line.endswith(b"\n"):
            while (rest := handle.readline(MAX_RECORD_BYTES)) and not rest.endswith(b"\n"):
                pass
            yield None
            continue
        yield line
