"""One outbound call of an Action: the request, the answer, and the record kept of both.

The record is what a decision carries under ``http`` and what a replay answers from. It never
holds a secret: request header values are kept only for :data:`RECORDED_REQUEST_HEADERS`
(the others are named, with ``[REDACTED]``), query parameters whose name reads like a credential
and every configured secret value are replaced in the URL, and the request body is kept only as
its SHA-256. In the response headers and body (text or bytes), a secret value the request
carried (in its URL, a header, a Basic credential or its body, percent-encoded or not) that the
service echoes back is replaced in each of its spellings (a replay then sees ``[REDACTED]``
there); a ``location`` header's query loses credential-like parameters as the request URL does;
and so is a token an OAuth token endpoint issued (``access_token``,
``refresh_token``, ``id_token`` in a JSON answer). A configured value the request did not carry
is left in the body: a service cannot echo what it was not sent, and such values are
configuration (an assessment name, a threshold) that the answer may hold and a replay must read
back as it was. Response headers are :data:`RESPONSE_HEADERS` only, live and replayed alike, so
an Action reads the same response in both.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote_plus

from contextmfa.sandbox.printing import REDACTED, Redactor

FailureKind = Literal["network", "timeout", "forbidden", "limit", "unrecorded"]
"""``network`` and ``timeout`` raise a ``FetchError`` the Action may catch; the others end the
Action (``forbidden``, ``limit``; ``unrecorded``: a replay has no answer for the call)."""
CATCHABLE: frozenset[str] = frozenset({"network", "timeout"})

RECORDED_REQUEST_HEADERS = frozenset({"accept", "content-type", "user-agent"})
RESPONSE_HEADERS = frozenset(
    {
        "content-type",
        "content-language",
        "cache-control",
        "date",
        "etag",
        "expires",
        "last-modified",
        "location",
        "retry-after",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    }
)
_SECRET_PARAM = re.compile(
    r"passw|secret|token|key|auth|sig|session|credential|license|(^|_)pin$", re.I
)
_ISSUED_TOKEN = re.compile(r'("(?:access_token|refresh_token|id_token)"\s*:\s*")(?:[^"\\]|\\.)*"')
"""A token an OAuth token endpoint issues (RFC 6749 5.1, OpenID Connect): a bearer credential
the Action sends on, never a value it decides on; the record keeps ``[REDACTED]`` in its place
(the next call's Authorization header is not part of what a replay matches)."""


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """What an Action asked for, as plain data (it crosses the process boundary as JSON)."""

    action: str
    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    timeout_ms: int | None = None
    """The Action's own timeout, if it gave one."""
    budget_ms: int | None = None
    """Wall time the Action has left; the call never outlives its Action."""

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "method": self.method,
            "url": self.url,
            "headers": [list(pair) for pair in self.headers],
            "body": base64.b64encode(self.body).decode("ascii"),
            "timeout_ms": self.timeout_ms,
            "budget_ms": self.budget_ms,
        }

    @classmethod
    def from_json(cls, data: Any) -> HttpRequest:
        """A worker's request, every field type-checked (ValueError when misshapen)."""
        if type(data) is not dict:
            raise ValueError("bad request")
        headers = data.get("headers")
        if type(headers) is not list or not all(
            type(h) is list and len(h) == 2 and all(type(x) is str for x in h) for h in headers
        ):
            raise ValueError("bad headers")
        fields = (data.get("action"), data.get("method"), data.get("url"), data.get("body"))
        if not all(type(x) is str for x in fields):
            raise ValueError("bad request")
        for key in ("timeout_ms", "budget_ms"):
            if data.get(key) is not None and type(data[key]) is not int:
                raise ValueError("bad timeout")
        return cls(
            action=data["action"],
            method=data["method"],
            url=data["url"],
            headers=tuple((name, value) for name, value in headers),
            body=base64.b64decode(data["body"], validate=True),
            timeout_ms=data.get("timeout_ms"),
            budget_ms=data.get("budget_ms"),
        )


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    """What the host answers an Action: a response, or a failure and its message."""

    status: int = 0
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    failure: FailureKind | None = None
    message: str = ""
    elapsed_ms: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "headers": [list(pair) for pair in self.headers],
            "body": base64.b64encode(self.body).decode("ascii"),
            "failure": self.failure,
            "message": self.message,
            "elapsed_ms": self.elapsed_ms,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HttpAnswer:
        return cls(
            status=int(data["status"]),
            headers=tuple((str(n), str(v)) for n, v in data["headers"]),
            body=base64.b64decode(data["body"]),
            failure=data["failure"],
            message=str(data["message"]),
            elapsed_ms=int(data["elapsed_ms"]),
        )


def failed(kind: FailureKind, message: str) -> HttpAnswer:
    return HttpAnswer(failure=kind, message=message)


def body_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class Scrubber:
    """Takes secrets out of what is recorded of a call (module docstring)."""

    redact: Redactor = field(default_factory=lambda: Redactor({}))
    """The configured secrets of the calling Action (none: nothing is replaced)."""

    def url(self, url: str) -> str:
        base, mark, query = url.partition("?")
        if not mark:
            return self.redact(url)
        parts = []
        for part in query.split("&"):
            name, equals, _ = part.partition("=")
            parts.append(f"{name}={REDACTED}" if equals and _SECRET_PARAM.search(name) else part)
        return self.redact(f"{base}?{'&'.join(parts)}")

    def headers(self, headers: tuple[tuple[str, str], ...]) -> dict[str, str]:
        return {
            name.lower(): self.redact(value)
            if name.lower() in RECORDED_REQUEST_HEADERS
            else REDACTED
            for name, value in headers
        }

    def answer(self, request: HttpRequest) -> Redactor:
        """What scrubs the answer to ``request``: the secret values the request carried."""
        return self.redact.narrowed_to(_carried(request))


def _carried(request: HttpRequest) -> str:
    """Everything ``request`` sent, as text: URL, header values (Basic credentials decoded)
    and body, the URL and body also percent-decoded."""
    body = request.body.decode("utf-8", "replace")
    # A form field or query parameter travels percent-encoded; the service echoes it decoded.
    parts = [request.url, unquote_plus(request.url), body, unquote_plus(body)]
    for _, value in request.headers:
        parts.append(value)
        scheme, _, credentials = value.partition(" ")
        if scheme.lower() == "basic":
            with contextlib.suppress(ValueError):  # binascii and Unicode errors are ValueErrors
                parts.append(base64.b64decode(credentials, validate=True).decode("utf-8"))
    return "\n".join(parts)


def exchange_record(
    request: HttpRequest, answer: HttpAnswer, scrub: Scrubber, body_cap: int
) -> dict[str, Any]:
    """The decision's record of one call (``http`` in the decision JSON)."""
    record: dict[str, Any] = {
        "action": request.action,
        "method": request.method.upper(),
        "url": scrub.url(request.url),
        "request_headers": scrub.headers(request.headers),
        "body_sha256": body_sha256(request.body),
        "status": answer.status,
    }
    echoed = scrub.answer(request)
    record["headers"] = {
        name: echoed(scrub.url(value) if name == "location" else value)
        for name, value in answer.headers
    }
    body = answer.body[:body_cap]
    try:
        text = _ISSUED_TOKEN.sub(lambda m: f'{m.group(1)}{REDACTED}"', body.decode("utf-8"))
        record["body"] = echoed(text)
    except UnicodeDecodeError:
        # Bytes that are not UTF-8 still hold a secret's UTF-8 bytes where it is echoed: the
        # surrogateescape round trip keeps every other byte as it was.
        kept = echoed(body.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
        record["body_base64"] = base64.b64encode(kept).decode("ascii")
    if len(answer.body) > body_cap:
        record["body_truncated"] = True
    record["elapsed_ms"] = answer.elapsed_ms
    if answer.failure is not None:
        record["error"] = answer.failure
        record["message"] = scrub.redact(answer.message)
    return record


def answer_from_record(record: Mapping[str, Any]) -> HttpAnswer:
    """The answer a recorded exchange gave, for a replay; one whose body was cut short gives
    none (``unrecorded``), since a partial body would decide the login on data nobody got."""
    failure = record.get("error")
    if record.get("body_truncated"):
        return HttpAnswer(
            failure="unrecorded",
            message="its recorded response body was cut short (raise [sandbox] "
            "http_record_body_bytes to record it whole)",
        )
    if failure is not None:
        kind = failure if failure in ("network", "timeout", "forbidden", "limit") else "network"
        return HttpAnswer(failure=kind, message=str(record.get("message", "")))
    if "body_base64" in record:
        body = base64.b64decode(str(record["body_base64"]))
    else:
        body = str(record.get("body", "")).encode("utf-8")
    headers = record.get("headers") or {}
    return HttpAnswer(
        status=int(record.get("status", 0)),
        headers=tuple((str(k).lower(), str(v)) for k, v in dict(headers).items()),
        body=body,
        elapsed_ms=int(record.get("elapsed_ms", 0)),
    )


def record_key(record: Mapping[str, Any]) -> tuple[str, str, str]:
    """What a replayed call is matched by: method, recorded URL, request body hash."""
    return (str(record.get("method")), str(record.get("url")), str(record.get("body_sha256")))
