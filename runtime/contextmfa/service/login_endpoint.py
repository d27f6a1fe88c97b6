"""``POST /v1/logins`` served as plain ASGI, in front of FastAPI's router.

An identity provider calls this on every sign-in. Through FastAPI, routing and dependency
resolution cost about as much CPU as the login's own work on a rules-only tenant (measured: an
empty ``GET /healthz`` costs ~340 µs in process, most of it matching routes and solving
dependencies). :class:`LoginFastPath` answers this one route directly: the same bearer key check
(:meth:`~contextmfa.service.tenants.Tenants.by_api_key`), the same body parser
(:func:`~contextmfa.service.routes.logins.parse_login_body`), the same work in the thread pool
(:func:`~contextmfa.service.routes.logins.decide_login`) and the same answers, errors included
(:func:`~contextmfa.service.errors.known_error_response`), in the same order: key, body, header.
The route declared in :mod:`contextmfa.service.routes.logins` stays FastAPI's, so the OpenAPI
contract and the access log's route template are unchanged.

It sits inside :class:`~contextmfa.service.logs.AccessLog`, which has already bounded the body
and its arrival time, logs the request and turns an unexpected exception into the 500 answer.
"""

from __future__ import annotations

from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from contextmfa.errors import InputError
from contextmfa.service.auth import ServiceState
from contextmfa.service.errors import Unauthorized, known_error_response
from contextmfa.service.routes.logins import (
    REMEMBER_TOKEN_MAX,
    decide_login,
    parse_login_body,
)

__all__ = ["LoginFastPath"]

PATH = "/v1/logins"
_AUTHORIZATION = b"authorization"
_REMEMBER = b"x-remember-token"


class LoginFastPath:
    """ASGI middleware: ``POST /v1/logins`` here, everything else to ``app``."""

    def __init__(self, app: ASGIApp, state: ServiceState, route: BaseRoute) -> None:
        self.app = app
        self.state = state
        self.route = route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        scope["route"] = self.route  # the access log names the route by its template
        try:
            response = await self._answer(scope, receive)
        except Exception as exc:
            known = known_error_response(exc)
            if known is None:
                raise  # a bug: AccessLog answers 500 with a reference and logs it
            response = known
        await response(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive) -> JSONResponse:
        authorization, remember = _headers(scope)
        key = _bearer(authorization)
        tenant = self.state.tenants.by_api_key(key) if key else None
        if tenant is None:
            raise Unauthorized("a valid tenant API key is required (Authorization: Bearer <key>)")
        scope.setdefault("state", {})["tenant_id"] = tenant.id
        event = parse_login_body(await _body(receive))
        if remember is not None and len(remember) > REMEMBER_TOKEN_MAX:
            raise InputError(
                f"X-Remember-Token: string should have at most {REMEMBER_TOKEN_MAX} characters"
            )
        body = await run_in_threadpool(decide_login, tenant, self.state, event, remember)
        return JSONResponse(body)


def _headers(scope: Scope) -> tuple[str | None, str | None]:
    """The first Authorization and X-Remember-Token headers (as Starlette's ``Headers.get``)."""
    authorization = remember = None
    for name, value in scope["headers"]:
        if name == _AUTHORIZATION and authorization is None:
            authorization = value.decode("latin-1")
        elif name == _REMEMBER and remember is None:
            remember = value.decode("latin-1")
    return authorization, remember


def _bearer(authorization: str | None) -> str | None:
    """The credentials of ``Bearer <credentials>`` (scheme in any case), as FastAPI's
    ``HTTPBearer`` reads them; None for anything else."""
    if not authorization:
        return None
    scheme, _, credentials = authorization.partition(" ")
    credentials = credentials.strip()
    if not scheme or not credentials or scheme.lower() != "bearer":
        return None
    return credentials


async def _body(receive: Receive) -> bytes:
    """The body :class:`~contextmfa.service.logs.AccessLog` buffered: one message, whole."""
    message = await receive()
    return message.get("body", b"") if message["type"] == "http.request" else b""
