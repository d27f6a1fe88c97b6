"""The host's side of ``fetch`` for one login: checks every request, answers it, records it.

Whoever asks (an inline run, or a worker process that may have escaped its sandbox), the request
is checked here: the Action is one of the flow's, it has calls left, its method, headers and body
are well formed and within bounds, and its URL is in the egress list. Then an answerer answers:
live (httpx, http_client.py), from the login's recorded exchanges, from an author's fixture
file, or ``off`` (every call fails as a network error). Every exchange is recorded (secrets
scrubbed, http_exchange.py) in call order; the engine puts the list in the decision.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from contextmfa.sandbox.egress import EgressPolicy, EgressRefused, Entry, Target
from contextmfa.sandbox.http_exchange import (
    HttpAnswer,
    HttpRequest,
    Scrubber,
    answer_from_record,
    body_sha256,
    exchange_record,
    failed,
    record_key,
)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
MAX_RECORDED_BODY_BYTES = 524_288
"""Response body bytes one login's record keeps across all its calls: a recorded login stays
well under the 1 MiB a replayed line may be (events.MAX_RECORD_BYTES)."""
MAX_HEADERS = 32
MAX_HEADER_CHARS = 4096
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_VALUE = re.compile(r"^[\t\x20-\x7e]*$")
REFUSED_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "upgrade",
        "te",
        "trailer",
        "expect",
        "accept-encoding",
        "proxy-authorization",
        "proxy-connection",
        "forwarded",
        "x-forwarded-for",
        "x-forwarded-host",
    }
)
"""Headers the host sets (or that reroute a request); an Action cannot write them."""


@dataclass(frozen=True, slots=True)
class HttpLimits:
    """``[sandbox]`` settings of outbound calls (config.py documents each key)."""

    egress: tuple[str, ...] = ()
    timeout_ms: int = 1000
    max_timeout_ms: int = 5000
    max_calls: int = 5
    max_request_bytes: int = 65_536
    max_response_bytes: int = 262_144
    record_body_bytes: int = 65_536


class Answerer(Protocol):
    def answer(
        self, request: HttpRequest, target: Target, entry: Entry, timeout_s: float
    ) -> HttpAnswer: ...


class LiveAnswerer:
    """Calls out (http_client.py; needs the ``egress`` extra: httpx)."""

    def __init__(self, policy: EgressPolicy, limits: HttpLimits) -> None:
        self._policy, self._limits = policy, limits

    def answer(
        self, request: HttpRequest, target: Target, entry: Entry, timeout_s: float
    ) -> HttpAnswer:
        try:
            from contextmfa.sandbox.http_client import call_live
        except ImportError:
            return failed("network", "outbound calls need httpx: pip install 'contextmfa[egress]'")
        return call_live(
            request, target, entry, self._policy, timeout_s, self._limits.max_response_bytes
        )


class OffAnswerer:
    """``--http off``: every call fails as a network error, to exercise error paths."""

    def answer(
        self, request: HttpRequest, target: Target, entry: Entry, timeout_s: float
    ) -> HttpAnswer:
        return failed("network", "network disabled (--http off)")


class RecordedAnswerer:
    """Answers from a login's recorded exchanges, each used once, matched in recorded order by
    method, URL and request body hash; a call with no match has no answer (``unrecorded``)."""

    def __init__(self, records: Sequence[Mapping[str, Any]], scrub: Callable[[str], Scrubber]):
        self._unused = [dict(r) for r in records if isinstance(r, Mapping)]
        self._scrub = scrub

    def answer(
        self, request: HttpRequest, target: Target, entry: Entry, timeout_s: float
    ) -> HttpAnswer:
        scrub = self._scrub(request.action)
        key = (request.method, scrub.url(request.url), body_sha256(request.body))
        for index, record in enumerate(self._unused):
            if record_key(record) == key:
                del self._unused[index]
                return answer_from_record(record)
        return failed(
            "unrecorded", f"{request.method} {target.shown} was not recorded for this login"
        )


@dataclass
class HttpSession:
    """One login's outbound calls (module docstring)."""

    answerer: Answerer
    policy: EgressPolicy
    limits: HttpLimits
    actions: frozenset[str]
    secrets_for: Callable[[str], Scrubber] = field(default=lambda _: Scrubber())
    exchanges: list[dict[str, Any]] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    recorded_bytes: int = 0

    def call(self, request: HttpRequest) -> HttpAnswer:
        """Check, answer and record one request (refusals too); never raises."""
        if request.action not in self.actions:
            return failed("forbidden", "unknown Action")
        count = self.calls.get(request.action, 0) + 1
        self.calls[request.action] = count
        if count > self.limits.max_calls + 1:  # a run that went on: answered, not recorded
            return failed("limit", f"more than {self.limits.max_calls} calls in one run")
        started = time.monotonic()
        answer = self._answer(request, count)
        if not answer.elapsed_ms:
            elapsed = int((time.monotonic() - started) * 1000)
            answer = dataclasses.replace(answer, elapsed_ms=elapsed)
        cap = min(self.limits.record_body_bytes, MAX_RECORDED_BODY_BYTES - self.recorded_bytes)
        record = exchange_record(request, answer, self.secrets_for(request.action), cap)
        self.recorded_bytes += min(len(answer.body), cap)
        self.exchanges.append(record)
        return answer

    def _answer(self, request: HttpRequest, count: int) -> HttpAnswer:
        if count > self.limits.max_calls:
            return failed("limit", f"more than {self.limits.max_calls} calls in one run")
        try:
            problem = self._request_problem(request)
            if problem is not None:
                return problem
            target, entry = self.policy.target(request.url)
        except EgressRefused as exc:
            return failed("forbidden", str(exc))
        return self.answerer.answer(request, target, entry, self._timeout_s(request))

    def _timeout_s(self, request: HttpRequest) -> float:
        limits = self.limits
        wanted = limits.timeout_ms if request.timeout_ms is None else request.timeout_ms
        ms = min(max(wanted, 1), limits.max_timeout_ms)
        if request.budget_ms is not None:
            ms = min(ms, max(request.budget_ms, 1))
        return ms / 1000

    def _request_problem(self, request: HttpRequest) -> HttpAnswer | None:
        limits = self.limits
        if request.method not in METHODS:
            return failed("forbidden", f"method {request.method!r} is not allowed")
        if len(request.body) > limits.max_request_bytes:
            return failed("limit", f"request body larger than {limits.max_request_bytes} bytes")
        if len(request.headers) > MAX_HEADERS:
            return failed("limit", f"more than {MAX_HEADERS} request headers")
        for name, value in request.headers:
            if not _TOKEN.match(name) or len(name) > 256:
                return failed("forbidden", f"header name {name[:64]!r} is not a token")
            if not _VALUE.match(value):
                return failed(
                    "forbidden", f"header {name}: control characters or non-ASCII are refused"
                )
            if len(value) > MAX_HEADER_CHARS:
                return failed("limit", f"header {name} longer than {MAX_HEADER_CHARS} characters")
            if name.lower() in REFUSED_HEADERS or name.lower().startswith("proxy-"):
                return failed("forbidden", f"header {name} is set by the host")
        return None
