"""Argument checks for ``api`` calls: factor selectors, plain JSON values, keys and limits.

Each failed check trips the run's meter, so the error is sticky (see api.py) and located at the
Action's line that made the call.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, NoReturn

from contextmfa.directives import FACTORS
from contextmfa.errors import ActionLimitExceeded, SandboxError
from contextmfa.sandbox.cache import ActionCache
from contextmfa.sandbox.event_view import ListView, RecordView, unwrap
from contextmfa.sandbox.limits import Meter
from contextmfa.sandbox.textsize import TooLarge, text_size

MAX_STEPS_PER_LOGIN = 4
MAX_KEY_CHARS = 256
MAX_VALUE_JSON = 16_384
MAX_REASON_CHARS = 1_024
MAX_SELECTORS = 32
MAX_DIRECTIVES = 64
MAX_RECORDED_JSON = 262_144
"""Per run: at most this many directives, and this much recorded data (values and keys, as
JSON, overwrites included), so an Action cannot grow a decision without bound in a loop."""
_MAX_DEPTH = 32

CACHE_MAX_KEY_BYTES = 64
CACHE_MAX_VALUE_BYTES = 4_096
CACHE_MAX_TTL = 86_400
CACHE_DEFAULT_TTL = 900

PROVIDERS: dict[str, frozenset[str] | None] = {
    "any": None,
    "duo": frozenset({"duo"}),
    "guardian": frozenset({"push-notification", "sms", "otp", "email"}),
    "google-authenticator": frozenset({"otp"}),
}
"""``api.multifactor.enable`` providers and their factors (None = every enabled factor);
``"none"`` is handled apart: it is a skip, not a requirement."""

PHONE_METHODS: dict[str, frozenset[str]] = {
    "sms": frozenset({"sms"}),
    "voice": frozenset({"voice"}),
    "both": frozenset({"sms", "voice"}),
}
RESERVED_CLAIMS = frozenset(
    [
        "iss",
        "sub",
        "aud",
        "exp",
        "nbf",
        "iat",
        "jti",
        "azp",
        "nonce",
        "auth_time",
        "at_hash",
        "c_hash",
        "acr",
        "amr",
        "sid",
        "scope",
        "client_id",
        "cnf",
        "act",
        "may_act",
    ]
)
"""Registered JWT/OIDC claims an Action cannot set."""


class ApiRun:
    """The run state behind every ``api`` object (held in a ``_`` slot), with the checks."""

    __slots__ = ("action", "cache", "meter", "now", "rec", "recorded", "tenant_id")

    def __init__(
        self,
        rec: Any,
        meter: Meter,
        cache: ActionCache,
        tenant_id: str,
        action: str,
        now: datetime,
    ) -> None:
        self.rec = rec
        self.meter = meter
        self.cache = cache
        self.tenant_id = tenant_id
        self.action = action
        self.now = now
        self.recorded = 0

    def fail(self, message: str) -> NoReturn:
        self.meter.trip(SandboxError, message)

    def over(self, message: str) -> NoReturn:
        self.meter.trip(ActionLimitExceeded, message)

    def text(self, value: Any, what: str, limit: int = MAX_KEY_CHARS) -> str:
        if not isinstance(value, str):
            self.fail(f"TypeError: {what} must be a string, not {type(value).__name__}")
        if not value:
            self.fail(f"ValueError: {what} must not be empty")
        if len(value) > limit:
            self.over(f"{what} longer than {limit} characters")
        return str(value)

    def plain(self, value: Any, what: str) -> Any:
        try:
            size = text_size(value, MAX_VALUE_JSON, json=True)
        except (TooLarge, RecursionError):
            self.over(f"{what} larger than {MAX_VALUE_JSON} characters as JSON")
        self.spend(size, what)
        return _plain(self, value, what, 0)

    def spend(self, size: int, what: str) -> None:
        self.recorded += size
        if self.recorded > MAX_RECORDED_JSON:
            self.over(f"{what}: more than {MAX_RECORDED_JSON} characters recorded by one run")

    def record(self, directive: Any) -> None:
        if len(self.rec.directives) >= MAX_DIRECTIVES:
            self.over(f"more than {MAX_DIRECTIVES} api calls that decide")
        self.rec.directives.append(directive)


def _plain(run: ApiRun, value: Any, what: str, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        run.fail(f"ValueError: {what} is nested too deeply")
    if value is None or type(value) in (bool, int, str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            run.fail(f"ValueError: {what} must be a finite number")
        return float(value)
    if isinstance(value, (int, str)):
        return int(value) if isinstance(value, int) else str(value)
    data = unwrap(value)
    if isinstance(data, dict):
        result = {}
        for key, item in dict.items(data):
            if not isinstance(key, str):
                run.fail(f"TypeError: {what} keys must be strings")
            result[str(key)] = _plain(run, item, what, depth + 1)
        return result
    if isinstance(data, (list, tuple)):
        return [_plain(run, item, what, depth + 1) for item in data]
    run.fail(f"TypeError: {what} must be plain JSON data, not {type(value).__name__}")


# -- factor selectors -------------------------------------------------------------------------


def resolve_selector(run: ApiRun, selector: Any, where: str) -> frozenset[str]:
    """The factors one selector names: ``"otp"``, ``{"type": "otp"}``, phone with a method."""
    options: Any = None
    if isinstance(selector, str):
        name = selector
    elif isinstance(selector, (dict, RecordView)):
        data = unwrap(selector)
        name, options = dict.get(data, "type"), dict.get(data, "options")
    else:
        run.fail(
            f"TypeError: {where}: a factor is a name or {{'type': name}}, "
            f"not {type(selector).__name__}"
        )
    if type(name) is not str and isinstance(name, str):
        name = str(name)
    if name == "phone":
        method = "both"
        if options is not None:
            if not isinstance(options, dict):
                run.fail(f"TypeError: {where}: phone options must be an object")
            method = dict.get(options, "preferred_method", "both")
        if method not in PHONE_METHODS:
            run.fail(
                f"ValueError: {where}: unknown phone preferred_method {method!r} "
                "(sms, voice or both)"
            )
        return PHONE_METHODS[method]
    if not isinstance(name, str) or name not in FACTORS:
        run.fail(f"ValueError: {where}: unknown factor {name!r}")
    return frozenset({str(name)})  # the host's own string, never the Action's subclass


def selector_list(run: ApiRun, factors: Any, where: str) -> list[Any]:
    if not isinstance(factors, (list, tuple, ListView)):
        run.fail(f"TypeError: {where}: factors must be a list")
    if len(factors) > MAX_SELECTORS:
        run.over(f"{where}: more than {MAX_SELECTORS} factors")
    return list(factors)
