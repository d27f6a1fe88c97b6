"""The FastAPI application: routes, error answers, access log and metrics around the tenants.

    tenants = load_tenants([Path("tenant.toml")])
    app = create_app(tenants)                  # uvicorn.run(app) - or `contextmfa serve`

The app holds no state of its own between requests beyond what can be rebuilt (compiled engines,
metrics): everything a request needs from an earlier one is in the store (and Redis) or in the
signed ``mfa_token``, so any number of workers behind a load balancer behave as one.
:func:`app_from_environment` is the factory ``serve`` hands to uvicorn, so each worker process
builds its own app from the same configs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from contextmfa.errors import ContextMFAError
from contextmfa.service import login_endpoint, pages
from contextmfa.service.auth import Clock, ServiceState
from contextmfa.service.clock_skew import clock_from_environment
from contextmfa.service.errors import install_error_handlers
from contextmfa.service.login_endpoint import LoginFastPath
from contextmfa.service.logs import AccessLog, configure_logging
from contextmfa.service.metrics import Metrics
from contextmfa.service.openapi import install_openapi
from contextmfa.service.read_timeout import READ_TIMEOUT_SECONDS, read_timeout_from_environment
from contextmfa.service.readiness import Readiness
from contextmfa.service.routes import actions, admin, logins, mfa, public, push
from contextmfa.service.tenants import Tenants, load_tenants

__all__ = ["ENV_CONFIGS", "ENV_LOG_LEVEL", "app_from_environment", "create_app"]

ENV_CONFIGS = "CONTEXTMFA_SERVE_CONFIGS"
"""Set by ``serve`` for its workers: the tenant config paths, separated by ``os.pathsep``."""
ENV_LOG_LEVEL = "CONTEXTMFA_SERVE_LOG_LEVEL"

DESCRIPTION = """Contextual MFA for an identity provider or app: post a login, get a decision
and an `mfa_token`, walk the user through the steps, receive a signed `assertion`.
Errors are `{"error": code, "error_description": text}` with Auth0's codes."""


def _system_clock() -> datetime:
    return datetime.now(UTC)


def create_app(
    tenants: Tenants,
    *,
    clock: Clock | None = None,
    owns_tenants: bool = False,
    read_timeout: float = READ_TIMEOUT_SECONDS,
) -> FastAPI:
    """The service for ``tenants``; with ``owns_tenants`` it closes them at shutdown. A request
    body must arrive within ``read_timeout`` seconds of its headers (408 and closed beyond)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if owns_tenants:
                tenants.close()

    app = FastAPI(
        title="contextmfa",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        redoc_url=None,
    )
    metrics = Metrics()
    state = ServiceState(tenants, metrics, clock or _system_clock)
    app.state.contextmfa = state
    app.state.readiness = Readiness(tenants)
    for area in (logins, mfa, push, admin, actions, public, pages):
        app.include_router(area.router)
    install_error_handlers(app)
    install_openapi(app)
    app.add_middleware(
        LoginFastPath, state=state, route=_route(logins.router, "POST", login_endpoint.PATH)
    )
    app.add_middleware(AccessLog, metrics=metrics, read_timeout=read_timeout)
    return app


def _route(router: APIRouter, method: str, path: str) -> APIRoute:
    for route in router.routes:
        if isinstance(route, APIRoute) and route.path == path and method in route.methods:
            return route
    raise LookupError(f"no route {method} {path}")


def app_from_environment() -> FastAPI:
    """The app of one ``serve`` worker: configs from :data:`ENV_CONFIGS`.

    ``serve`` checked the configs and stores before starting its workers, but a store can go
    down in between: the worker then says so in one line on stderr and exits 2, as ``serve``
    does, instead of a traceback (uvicorn starts another in its place).
    """
    configure_logging(os.environ.get(ENV_LOG_LEVEL, "info"))
    paths = [Path(p) for p in os.environ[ENV_CONFIGS].split(os.pathsep) if p]
    try:
        clock = clock_from_environment(os.environ)
        tenants = load_tenants(paths)
    except ContextMFAError as exc:
        print(str(exc), file=sys.stderr, flush=True)
        raise SystemExit(exc.exit_code) from None
    return create_app(
        tenants, clock=clock, owns_tenants=True, read_timeout=read_timeout_from_environment()
    )
