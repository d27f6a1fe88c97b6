"""Structured logs: one JSON object per line for access, audit and service events.

* ``contextmfa.access``: one line per request - method, route *template* (``/v1/users/{user_id}
  /authenticators``, not the user id), status, duration, tenant, a request id (also sent back as
  ``X-Request-Id``). Never a header, a query string or a body: keys, tokens and codes travel there.
* ``contextmfa.audit``: what was decided or changed, with ids only (:func:`audit`); the same
  entries go to the store's audit log.
* ``contextmfa.service``: startup, rebuilds and errors (unexpected ones with a reference id).

:class:`AccessLog` is plain ASGI middleware, outermost: it also turns an exception that escaped
everything else into the 500 answer of :func:`contextmfa.service.errors.unexpected_error`, and it
bounds every request body (:data:`MAX_BODY_BYTES`, 413 beyond), so that no route reads an
unbounded body into memory, and the time it takes to arrive (the read timeout, 408 beyond; see
:mod:`contextmfa.service.read_timeout`).
"""

from __future__ import annotations

import json
import logging
import secrets
import sys
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contextmfa.service.errors import (
    PayloadTooLarge,
    RequestTimeout,
    ServiceError,
    service_error_response,
    unexpected_error,
)
from contextmfa.service.metrics import Metrics
from contextmfa.service.read_timeout import READ_TIMEOUT_SECONDS

__all__ = ["MAX_BODY_BYTES", "AccessLog", "JsonFormatter", "audit", "configure_logging"]

MAX_BODY_BYTES = 2 << 20
"""No request body is larger (a login event is at most 1 MiB, an Action source 256 KiB)."""

access_log = logging.getLogger("contextmfa.access")
audit_log = logging.getLogger("contextmfa.audit")


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", ...fields}``; fields come from ``extra=``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, Mapping):
            entry.update(fields)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "info") -> None:
    """JSON lines on stderr for contextmfa's, uvicorn's and psycopg's loggers (called by
    ``serve``; psycopg's, so that its warnings about an aborted pipeline are lines like the
    others, not free text)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("contextmfa", "uvicorn", "psycopg"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False


def audit(tenant_id: str, kind: str, user_id: str | None, **detail: Any) -> None:
    """One audit line; ``detail`` holds ids, outcomes and reasons, never a secret."""
    fields = {"tenant": tenant_id, "kind": kind, "user_id": user_id, **detail}
    audit_log.info(kind, extra={"fields": fields})


_CLOSE = {"Connection": "close"}
"""On an answer sent before the body was read whole: the rest of it is not waited for."""


async def _buffered(scope: Scope, receive: Receive, seconds: float) -> Receive:
    """The request body read whole, replayed to the app. Refused, without the app and with the
    connection closed: over :data:`MAX_BODY_BYTES`, declared or streamed (413), or not complete
    within ``seconds`` (408)."""
    too_large = PayloadTooLarge(f"a request body is at most {MAX_BODY_BYTES} bytes", headers=_CLOSE)
    for name, value in scope.get("headers", []):
        if name == b"content-length" and value.isdigit() and int(value) > MAX_BODY_BYTES:
            raise too_large
    chunks, size = [], 0
    with anyio.move_on_after(seconds) as deadline:
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise too_large
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
    if deadline.cancelled_caught:
        raise RequestTimeout(f"the request body did not arrive within {seconds:g} s")
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


class AccessLog:
    """Logs each request, counts it in the metrics, and answers 500 for what escaped."""

    def __init__(
        self, app: ASGIApp, metrics: Metrics, read_timeout: float = READ_TIMEOUT_SECONDS
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.read_timeout = read_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = secrets.token_hex(8)
        scope.setdefault("state", {})
        status = 500
        sent = False

        async def send_logged(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                sent = True
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            try:
                bounded = await _buffered(scope, receive, self.read_timeout)
            except ServiceError as refused:
                await service_error_response(refused)(scope, receive, send_logged)
                return
            await self.app(scope, bounded, send_logged)
        except Exception as exc:
            if sent:
                raise
            response = unexpected_error(scope["method"], scope["path"], exc)
            await response(scope, receive, send_logged)
        finally:
            self._record(scope, request_id, status, time.perf_counter() - started)

    def _record(self, scope: Scope, request_id: str, status: int, seconds: float) -> None:
        route = scope.get("route")
        template = getattr(route, "path", None) or "(unmatched)"
        self.metrics.requests.labels(route=template, method=scope["method"], status=status).observe(
            seconds
        )
        state = scope.get("state") or {}
        client = scope.get("client")
        access_log.info(
            "%s %s %s",
            scope["method"],
            template,
            status,
            extra={
                "fields": {
                    "request_id": request_id,
                    "method": scope["method"],
                    "route": template,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                    "tenant": state.get("tenant_id"),
                    "client": client[0] if client else None,
                }
            },
        )
