"""Every error the service answers, as ``{"error": code, "error_description": text}``.

The codes are Auth0's (spec: factors-and-service.md); the service adds its own conditions to the
factor module's tree (``factors/errors.py``) and maps everyone else's errors onto it::

    ContextMFAError
     ├── FactorError (factors)          its own code and status (400 .. 503)
     ├── DeliveryError (delivery)       mfa_factor_unavailable      503
     ├── InputError                     invalid_request             400
     ├── StoreUnavailable (store)       temporarily_unavailable     503  Retry-After: 1
     └── ServiceError                   code, status, headers
          ├── Unauthorized              access_denied               401  no or unknown key
          ├── InvalidMfaToken           invalid_grant               401  forged or malformed
          ├── ExpiredMfaToken           expired_token               401  past its 10 minutes
          ├── MfaRequired               access_denied               403  prove a factor first
          ├── NotFound                  invalid_request             404
          ├── PayloadTooLarge           invalid_request             413
          ├── RequestTimeout            invalid_request             408  body too slow; closes
          ├── Unavailable               temporarily_unavailable     503  e.g. deployments unwritable
          └── CompileFailed             invalid_request             422  + problems, located

Anything else is a bug: the client gets 500 ``server_error`` with a reference id, the log gets the
exception's type and frames under that id (not its message, which could quote a value; set
``CONTEXTMFA_DEBUG=1`` for the full traceback). Descriptions are written for the caller: they
never hold a key, a token, a code or a stack trace.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import traceback
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from contextmfa.delivery.errors import DeliveryError
from contextmfa.errors import ContextMFAError, InputError
from contextmfa.factors.errors import FactorError, SlowDown, TooManyAttempts
from contextmfa.store.errors import StoreUnavailable

__all__ = [
    "CompileFailed",
    "ExpiredMfaToken",
    "InvalidMfaToken",
    "MfaRequired",
    "NotFound",
    "PayloadTooLarge",
    "RequestTimeout",
    "ServiceError",
    "Unauthorized",
    "Unavailable",
    "error_body",
    "install_error_handlers",
    "known_error_response",
    "service_error_response",
    "unexpected_error",
]

_log = logging.getLogger("contextmfa.service")


class ServiceError(ContextMFAError):
    """A refusal decided by the service itself (authentication, routing, size)."""

    code = "invalid_request"
    status = 400

    def __init__(self, description: str, *, headers: Mapping[str, str] | None = None) -> None:
        self.description = description
        self.headers = dict(headers or {})
        super().__init__(description)


class Unauthorized(ServiceError):
    code = "access_denied"
    status = 401

    def __init__(self, description: str) -> None:
        super().__init__(description, headers={"WWW-Authenticate": "Bearer"})


class InvalidMfaToken(ServiceError):
    code = "invalid_grant"
    status = 401

    def __init__(self, description: str = "invalid mfa_token") -> None:
        super().__init__(description, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


class ExpiredMfaToken(ServiceError):
    code = "expired_token"
    status = 401

    def __init__(self, description: str = "the mfa_token has expired; start a new login") -> None:
        super().__init__(description, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


class MfaRequired(ServiceError):
    """The user has a factor, and the request carries no fresh proof that they passed it."""

    code = "access_denied"
    status = 403


class NotFound(ServiceError):
    code = "invalid_request"
    status = 404


class PayloadTooLarge(ServiceError):
    code = "invalid_request"
    status = 413


class RequestTimeout(ServiceError):
    """The body did not arrive within the read timeout; the connection is closed after this."""

    code = "invalid_request"
    status = 408

    def __init__(self, description: str) -> None:
        super().__init__(description, headers={"Connection": "close"})


class Unavailable(ServiceError):
    code = "temporarily_unavailable"
    status = 503


class CompileFailed(ServiceError):
    """An Action that does not compile: every problem, located, in ``problems``."""

    code = "invalid_request"
    status = 422

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(f"the Action does not compile ({len(self.problems)} problems)")


def error_body(code: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "error_description": description, **extra}


def _respond(
    status: int, code: str, description: str, headers: Mapping[str, str] | None = None, **extra: Any
) -> JSONResponse:
    return JSONResponse(error_body(code, description, **extra), status, headers=dict(headers or {}))


def _strip_location(message: str) -> str:
    """``event: error: user.user_id: ...`` -> ``user.user_id: ...`` (the caller knows where)."""
    head, sep, rest = message.partition(": error: ")
    return rest if sep and " " not in head else message


def _describe_validation(exc: RequestValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return "the request is not valid"
    first = errors[0]
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
    where = ".".join(loc) or "body"
    kind = first.get("type", "")
    if kind == "extra_forbidden":
        text = "unknown key"
    elif kind == "missing":
        text = "required field is missing"
    elif kind == "json_invalid":
        text = "the body is not valid JSON"
    else:
        text = str(first.get("msg", "invalid value")).rstrip(".").lower()
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {text}{more}"


def _unreadable_body(cause: BaseException | None) -> str | None:
    """Why FastAPI's ``json.loads`` of a body failed: it answers 400 with the error as the cause
    for anything but a syntax error (which is a :class:`RequestValidationError`)."""
    if isinstance(cause, RecursionError):
        reason = "nested too deeply"
    elif isinstance(cause, UnicodeDecodeError):
        reason = "not UTF-8"
    elif isinstance(cause, ValueError) and "integer string conversion" in str(cause):
        reason = f"a number has more than {sys.get_int_max_str_digits()} digits"
    elif isinstance(cause, ValueError):
        reason = "malformed"
    else:
        return None
    return f"the body is not valid JSON: {reason}"


def service_error_response(exc: ServiceError) -> JSONResponse:
    extra = {"problems": exc.problems} if isinstance(exc, CompileFailed) else {}
    return _respond(exc.status, exc.code, exc.description, exc.headers, **extra)


def known_error_response(exc: Exception) -> JSONResponse | None:
    """The answer to an error of the tree above (module docstring), or None for a bug."""
    if isinstance(exc, ServiceError):
        return service_error_response(exc)
    if isinstance(exc, FactorError):
        headers = {}
        if isinstance(exc, TooManyAttempts):
            headers["Retry-After"] = str(max(1, exc.retry_after))
        elif isinstance(exc, SlowDown):
            headers["Retry-After"] = str(exc.interval)
        return _respond(exc.status, exc.code, exc.description, headers)
    if isinstance(exc, DeliveryError):
        return _respond(exc.status, exc.code, f"{exc.channel} delivery failed; try another factor")
    if isinstance(exc, InputError):
        return _respond(400, "invalid_request", _strip_location(str(exc)))
    if isinstance(exc, StoreUnavailable):
        _log.error("store unavailable: %s", type(exc.__cause__).__name__)
        return _respond(
            503, "temporarily_unavailable", "the store is unavailable", {"Retry-After": "1"}
        )
    if isinstance(exc, RequestValidationError):
        return _respond(400, "invalid_request", _describe_validation(exc))
    if isinstance(exc, StarletteHTTPException):
        text = {404: "no such endpoint", 405: "method not allowed"}.get(exc.status_code)
        if exc.status_code == 400:
            text = _unreadable_body(exc.__cause__)
        return _respond(exc.status_code, "invalid_request", text or "request refused")
    return None


_HANDLED = (
    ServiceError,
    FactorError,
    DeliveryError,
    InputError,
    StoreUnavailable,
    RequestValidationError,
    StarletteHTTPException,
)


def install_error_handlers(app: FastAPI) -> None:
    """Route every exception type to its JSON answer; see the module docstring."""

    async def _answer(_: Request, exc: Exception) -> JSONResponse:
        response = known_error_response(exc)
        assert response is not None  # registered for the handled types only
        return response

    for kind in _HANDLED:
        app.add_exception_handler(kind, _answer)


def unexpected_error(method: str, path: str, exc: BaseException) -> JSONResponse:
    """The 500 answer to a bug, logged with a reference the client can quote."""
    reference = secrets.token_hex(6)
    if os.environ.get("CONTEXTMFA_DEBUG") == "1":
        _log.error(
            "unexpected error on %s %s (reference %s)", method, path, reference, exc_info=exc
        )
    else:
        frames = "\n".join(
            f"  {frame.filename}:{frame.lineno} in {frame.name}"
            for frame in traceback.extract_tb(exc.__traceback__)
        )
        _log.error(
            "unexpected %s on %s %s (reference %s)\n%s",
            type(exc).__name__,
            method,
            path,
            reference,
            frames,
        )
    return _respond(500, "server_error", f"internal error (reference {reference})")
