"""Who answers an Action's ``fetch``: the network, the login's record, a fixture, or no one.

``--http`` of ``evaluate`` and ``replay``:

- ``recorded``: the exchanges recorded with the login (``recorded.decision.http`` of an export)
  answer, each once, matched by method, URL and request body hash in recorded order; a call
  that was not recorded ends the Action with an error that says so.
- ``live``: the call goes out, under the tenant's egress policy, as the service would make it.
- ``off``: every call fails as a network error (a ``FetchError``), to see the error paths.
- ``auto`` (the default): ``recorded`` for a login that carries a recorded decision (an export),
  ``live`` for one that does not.

``contextmfa test --http-fixture FILE`` answers from a file the author writes (see
:func:`load_fixture`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from contextmfa.errors import InputError
from contextmfa.sandbox.egress import EgressPolicy, EgressRefused, Entry, Target, parse_url
from contextmfa.sandbox.http_exchange import (
    RESPONSE_HEADERS,
    HttpAnswer,
    HttpRequest,
    Scrubber,
    failed,
)
from contextmfa.sandbox.http_session import (
    Answerer,
    HttpLimits,
    HttpSession,
    LiveAnswerer,
    OffAnswerer,
    RecordedAnswerer,
)
from contextmfa.sandbox.printing import Redactor

HttpMode = Literal["auto", "recorded", "live", "off"]
MAX_FIXTURE_BYTES = 16 * 1024 * 1024


def answerer_for(
    mode: HttpMode,
    recorded: Mapping[str, Any] | None,
    policy: EgressPolicy,
    limits: HttpLimits,
    scrub: Callable[[str], Scrubber],
    fixture: FixtureAnswerer | None = None,
) -> Answerer:
    """The answerer of one login; ``recorded`` is its recorded decision, if it has one."""
    if fixture is not None:
        return fixture
    if mode == "auto":
        mode = "recorded" if recorded is not None else "live"
    if mode == "off":
        return OffAnswerer()
    if mode == "live":
        return LiveAnswerer(policy, limits)
    exchanges = recorded.get("http", []) if recorded is not None else []
    return RecordedAnswerer(exchanges if isinstance(exchanges, list) else [], scrub)


class HttpCalls:
    """A compiled config's outbound calls: its policy and bounds, and one session per login.
    ``tenant`` is whose DNS lookup slots the policy's names take (egress_lookups.py)."""

    def __init__(
        self,
        limits: HttpLimits,
        secrets_for: Callable[[str], Mapping[str, str]],
        actions: frozenset[str],
        mode: HttpMode = "auto",
        fixture: FixtureAnswerer | None = None,
        tenant: str | None = None,
    ) -> None:
        self.limits = limits
        self.policy = EgressPolicy(limits.egress, tenant)
        self.actions = actions
        self.mode = mode
        self.fixture = fixture
        self._secrets_for = secrets_for
        self._scrubbers: dict[str, Scrubber] = {}

    def scrubber(self, action: str) -> Scrubber:
        scrub = self._scrubbers.get(action)
        if scrub is None:
            scrub = self._scrubbers[action] = Scrubber(Redactor(self._secrets_for(action)))
        return scrub

    def session(self, recorded: Mapping[str, Any] | None = None) -> HttpSession:
        """A login's session; ``recorded`` is the login's recorded decision, if any."""
        answerer = answerer_for(
            self.mode, recorded, self.policy, self.limits, self.scrubber, self.fixture
        )
        return HttpSession(answerer, self.policy, self.limits, self.actions, self.scrubber)


class FixtureAnswerer:
    """Answers from an author's fixture file: the first entry whose method and URL match (and
    whose ``request_json``, when given, equals the request's JSON body); entries answer any
    number of calls. A call no entry matches fails as a network error naming the URL."""

    def __init__(self, entries: Sequence[Mapping[str, Any]], source: str) -> None:
        self._entries = list(entries)
        self._source = source

    def answer(
        self, request: HttpRequest, target: Target, entry: Entry, timeout_s: float
    ) -> HttpAnswer:
        for item in self._entries:
            if item["method"] != request.method or item["url"] != target.request_url:
                continue
            if "request_json" in item and _json_of(request.body) != item["request_json"]:
                continue
            return item["answer"]  # type: ignore[no-any-return]
        return failed("network", f"no answer for {request.method} {target.shown} in {self._source}")


def _json_of(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def load_fixture(path: Path) -> FixtureAnswerer:
    """Read a fixture file: ``{"exchanges": [ENTRY, ...]}``, each ENTRY an object with
    ``method`` (default GET), ``url`` (absolute), optional ``request_json``, and the answer:
    ``status`` (default 200), ``headers`` (object), and ``json`` (any value, sent as JSON) or
    ``body`` (text); or ``error``: ``"network"`` or ``"timeout"`` for a call that fails.
    Problems are InputErrors naming the file and the entry."""
    where = str(path)
    try:
        if path.stat().st_size > MAX_FIXTURE_BYTES:
            raise InputError(f"{where}: error: larger than {MAX_FIXTURE_BYTES} bytes")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{where}: error: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}:{exc.lineno}: error: invalid JSON: {exc.msg}") from None
    items = data.get("exchanges") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise InputError(f'{where}: error: expected {{"exchanges": [...]}}')
    entries = [_entry(item, f"{where}: exchanges[{i}]") for i, item in enumerate(items)]
    return FixtureAnswerer(entries, where)


_ENTRY_KEYS = frozenset(
    {"method", "url", "request_json", "status", "headers", "json", "body", "error"}
)


def _entry(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise InputError(f"{where}: error: an entry is an object")
    unknown = sorted(set(item) - _ENTRY_KEYS)
    if unknown:
        raise InputError(f"{where}: error: unknown key {unknown[0]!r}")
    method = item.get("method", "GET")
    if not isinstance(method, str):
        raise InputError(f"{where}: error: method must be a string")
    try:
        target = parse_url(item.get("url"))
    except EgressRefused as exc:
        raise InputError(f"{where}: error: url: {exc}") from None
    return {
        "method": method.upper(),
        "url": target.request_url,
        **({"request_json": item["request_json"]} if "request_json" in item else {}),
        "answer": _answer(item, where),
    }


def _answer(item: dict[str, Any], where: str) -> HttpAnswer:
    error = item.get("error")
    if error is not None:
        if error not in ("network", "timeout"):
            raise InputError(f"{where}: error: error must be 'network' or 'timeout'")
        return failed(error, f"{error} (fixture)")
    status = item.get("status", 200)
    if type(status) is not int or not 100 <= status <= 599:
        raise InputError(f"{where}: error: status must be an HTTP status code")
    headers = item.get("headers", {})
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise InputError(f"{where}: error: headers must be an object of strings")
    pairs = [(k.lower(), v) for k, v in headers.items() if k.lower() in RESPONSE_HEADERS]
    if "json" in item and "body" in item:
        raise InputError(f"{where}: error: give json or body, not both")
    if "json" in item:
        body = json.dumps(item["json"]).encode("utf-8")
        if "content-type" not in dict(pairs):
            pairs.append(("content-type", "application/json"))
    else:
        text = item.get("body", "")
        if not isinstance(text, str):
            raise InputError(f"{where}: error: body must be a string")
        body = text.encode("utf-8")
    return HttpAnswer(status=status, headers=tuple(pairs), body=body)
