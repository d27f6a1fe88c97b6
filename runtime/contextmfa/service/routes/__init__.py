"""The HTTP routes, one module per area; each module has a ``router``.

``logins`` (``POST /v1/logins``), ``mfa`` (``/v1/mfa/*``: authenticators, enroll, confirm,
challenge, verify), ``push`` (the device's side), ``admin`` (users' authenticators and remembered
browsers), ``actions`` (deployments), ``public`` (JWKS, health, metrics).
"""

from __future__ import annotations

from typing import Any

from contextmfa.service.schemas import ErrorOut

__all__ = ["errors"]

_WHAT = {
    400: "Invalid request (`invalid_request`, `unsupported_challenge_type`, "
    "`authorization_pending`).",
    401: "No valid key or token (`access_denied`, `invalid_grant`, `expired_token`).",
    403: "Refused (`invalid_grant`, `expired_token`, `access_denied`, `association_required`).",
    404: "No such resource.",
    413: "Body too large.",
    422: "The Action does not compile; `problems` lists each `path:line:col: error: message`.",
    429: "Over a limit (`too_many_attempts`, `slow_down`); see Retry-After.",
    503: "A factor, delivery provider or the store is unavailable.",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the error statuses a route can answer."""
    return {status: {"model": ErrorOut, "description": _WHAT[status]} for status in statuses}
