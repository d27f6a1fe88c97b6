"""``fetch``: the helper through which an Action calls a risk service, and the response it reads.

The Action never touches the network: ``fetch`` turns its arguments into a plain request and
hands it to the host's port (an :class:`~contextmfa.sandbox.http_session.HttpSession` inline, the
parent process under process isolation), which checks it against the tenant's egress list and
answers. What the Action gets back is a read-only :class:`Response`.

A call that got no response (network failure, timeout) raises :class:`FetchError`, which the
Action may catch to decide what an unreachable service means. A call the policy refuses
(``forbidden``), one over a bound (``limit``: calls per run, sizes) and, in a replay, one that was
not recorded, end the Action like any sandbox error: catching them does not help. The call's
time counts in the Action's wall clock, its bytes in its step budget.
"""

from __future__ import annotations

import codecs
import json as json_module
import math
from collections.abc import Iterator
from typing import Any, Protocol
from urllib.parse import quote_plus

from contextmfa.errors import ActionForbidden, ActionLimitExceeded, SandboxError
from contextmfa.sandbox.event_view import ListView, unwrap
from contextmfa.sandbox.http_exchange import CATCHABLE, HttpAnswer, HttpRequest, failed
from contextmfa.sandbox.limits import Meter

MAX_SHOWN_URL = 200
NO_PORT = "outbound calls are not available here"
"""A run without an HTTP session (``contextmfa test`` without a fixture, a bare run_action)
fails each call as a network error, in the same words a worker's parent uses."""
_MAX_DEPTH = 32


class FetchError(Exception):
    """A ``fetch`` that got no response: the network failed or the call timed out."""


class HttpPort(Protocol):
    def call(self, request: HttpRequest) -> HttpAnswer: ...


class Headers:
    """Response headers: read-only, names matched without regard to case."""

    __slots__ = ("_data",)

    def __init__(self, pairs: tuple[tuple[str, str], ...]) -> None:
        self._data = {name.lower(): value for name, value in pairs}

    def get(self, name: str, default: Any = None) -> Any:
        return self._data.get(name.lower(), default) if isinstance(name, str) else default

    def keys(self) -> tuple[str, ...]:
        return tuple(self._data)

    def values(self) -> tuple[str, ...]:
        return tuple(self._data.values())

    def items(self) -> tuple[tuple[str, str], ...]:
        return tuple(self._data.items())

    def __getitem__(self, name: str) -> str:
        if not isinstance(name, str) or name.lower() not in self._data:
            raise KeyError(name)
        return self._data[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(self._data))

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"<headers {sorted(self._data)}>"


class Response:
    """What ``fetch`` returns: ``status``, ``ok``, ``headers``, ``text`` and ``json()``."""

    __slots__ = ("_body", "_headers", "_meter", "_status")

    def __init__(self, answer: HttpAnswer, meter: Meter) -> None:
        self._status = answer.status
        self._headers = Headers(answer.headers)
        self._body = answer.body
        self._meter = meter

    @property
    def status(self) -> int:
        return self._status

    @property
    def ok(self) -> bool:
        return 200 <= self._status < 300

    @property
    def headers(self) -> Headers:
        return self._headers

    @property
    def text(self) -> str:
        """The body decoded by the charset ``content-type`` names (UTF-8 when it names none
        Python knows); bytes that do not decode read as U+FFFD."""
        text = self._body.decode(_charset(self._headers.get("content-type")), "replace")
        self._meter.made_text(len(text))
        return text

    def json(self) -> Any:
        """The body parsed as JSON; ``ValueError`` when it is not JSON."""
        text = self.text
        self._meter.charge(len(text) >> 4)
        return json_module.loads(text)

    def __repr__(self) -> str:
        return f"<response {self._status}>"


class Fetch:
    """The ``fetch`` global of one run (module docstring)."""

    __slots__ = ("_action", "_meter", "_port")

    def __init__(self, meter: Meter, port: HttpPort | None, action: str) -> None:
        self._meter = meter
        self._port = port
        self._action = action

    def __call__(
        self,
        url: str,
        method: str = "GET",
        headers: Any = None,
        json: Any = None,
        data: Any = None,
        timeout_ms: int | None = None,
    ) -> Response:
        meter = self._meter
        request = HttpRequest(
            action=self._action,
            method=_text(method, "method").upper(),
            url=_text(url, "url"),
            headers=_headers(headers, json is not None, data),
            body=_body(meter, json, data),
            timeout_ms=_timeout(timeout_ms),
            budget_ms=max(1, math.floor(meter.seconds_left() * 1000)),
        )
        port = self._port
        answer = port.call(request) if port is not None else failed("network", NO_PORT)
        meter.charge(len(answer.body) >> 6)  # and the clock: the call spent the run's time
        if answer.failure is None:
            return Response(answer, meter)
        message = f"fetch: {_printable(request.method)} {_shown(request.url)}: {answer.message}"
        if answer.failure in CATCHABLE:
            raise FetchError(message)
        if answer.failure == "forbidden":
            meter.trip(ActionForbidden, message)
        if answer.failure == "limit":
            meter.trip(ActionLimitExceeded, message)
        meter.trip(SandboxError, f"{message} (the replay has no answer for it)")

    def __repr__(self) -> str:
        return "<built-in function fetch>"


def _charset(content_type: str | None) -> str:
    if content_type:
        for part in content_type.split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.strip().lower() == "charset":
                try:
                    return codecs.lookup(value.strip().strip('"')).name
                except LookupError:
                    break
    return "utf-8"


def _shown(url: str) -> str:
    """The URL without query or fragment (API keys often travel there), bounded, one line."""
    shown = _printable(url.split("?", 1)[0].split("#", 1)[0])
    return shown if len(shown) <= MAX_SHOWN_URL else shown[: MAX_SHOWN_URL - 3] + "..."


def _printable(text: str) -> str:
    """``text`` with control characters and non-ASCII escaped: an error message is one line."""
    if text.isascii() and text.isprintable():
        return text
    escaped = text[:MAX_SHOWN_URL].encode("ascii", "backslashreplace").decode("ascii")
    return escaped.translate(_CONTROLS)


_CONTROLS = {code: f"\\x{code:02x}" for code in [*range(32), 127]}


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"fetch(): {what} must be a string, not {type(value).__name__}")
    return str(value)


def _timeout(value: Any) -> int | None:
    if value is None:
        return None
    if type(value) is not int or value < 1:
        raise TypeError("fetch(): timeout_ms must be a positive int")
    return int(value)


def _headers(value: Any, has_json: bool, data: Any) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    if value is not None:
        mapping = unwrap(value)
        if not isinstance(mapping, dict):
            raise TypeError("fetch(): headers must be a dict of strings")
        for name, item in dict.items(mapping):
            if not isinstance(name, str) or not isinstance(item, str):
                raise TypeError("fetch(): header names and values must be strings")
            pairs.append((str(name), str(item)))
    given = {name.lower() for name, _ in pairs}
    if "content-type" not in given:
        if has_json:
            pairs.append(("content-type", "application/json"))
        elif isinstance(unwrap(data), dict):
            pairs.append(("content-type", "application/x-www-form-urlencoded"))
    return tuple(pairs)


def _body(meter: Meter, json: Any, data: Any) -> bytes:
    if json is not None and data is not None:
        raise TypeError("fetch(): pass json or data, not both")
    if json is not None:
        text = json_module.dumps(_plain(json, 0), ensure_ascii=False, separators=(",", ":"))
    elif data is None:
        return b""
    elif isinstance(data, bytes):
        meter.made_text(len(data))
        return bytes(data)
    elif isinstance(data, str):
        text = str(data)
    elif isinstance(unwrap(data), dict):
        items = dict.items(unwrap(data))
        text = "&".join(f"{quote_plus(_form(k))}={quote_plus(_form(v))}" for k, v in items)
    else:
        raise TypeError("fetch(): data must be a string, bytes or a dict of strings")
    meter.made_text(len(text))
    return text.encode("utf-8", "surrogatepass")


def _form(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise TypeError("fetch(): form data keys and values must be strings or numbers")
    return str(value) if isinstance(value, str) else repr(value)


def _plain(value: Any, depth: int) -> Any:
    """``json=`` as plain JSON data (event views unwrapped), refusing anything else."""
    if depth > _MAX_DEPTH:
        raise ValueError("fetch(): json is nested too deeply")
    if value is None or type(value) in (bool, int, str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("fetch(): json numbers must be finite")
        return float(value)
    if isinstance(value, (int, str)):
        return int(value) if isinstance(value, int) else str(value)
    data = unwrap(value)
    if isinstance(data, dict):
        result = {}
        for key, item in dict.items(data):
            if not isinstance(key, str):
                raise TypeError("fetch(): json object keys must be strings")
            result[str(key)] = _plain(item, depth + 1)
        return result
    if isinstance(data, (list, tuple, ListView)):
        return [_plain(item, depth + 1) for item in tuple(data)]
    raise TypeError(f"fetch(): json must be plain JSON data, not {type(value).__name__}")
