"""Unauthenticated endpoints: the JWKS that verifies assertions, liveness, readiness, metrics.

Each tenant signs with its own key (:mod:`service.assertion`). A process serving one tenant
answers ``/.well-known/jwks.json`` with that tenant's keys; serving several, the IdP names its
tenant (``?tenant=acme``), so one tenant's IdP never trusts another tenant's keys.

``/healthz`` answers while the process does (restart it when it does not); ``/readyz`` answers
200 only while every tenant's store, and Redis where configured, answers
(:mod:`contextmfa.service.readiness`), else 503 with ``Retry-After`` and what is down: send it
no traffic meanwhile.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from contextmfa.factors import InvalidRequest
from contextmfa.service.auth import State
from contextmfa.service.errors import NotFound
from contextmfa.service.metrics import CONTENT_TYPE_LATEST
from contextmfa.service.readiness import Readiness
from contextmfa.service.routes import errors
from contextmfa.service.schemas import Health, Jwks, ReadyOut

__all__ = ["router"]

router = APIRouter(tags=["public"])


@router.get(
    "/.well-known/jwks.json",
    summary="Public keys that verify assertions",
    response_model=Jwks,
    responses=errors(400, 404),
)
def jwks(
    state: State,
    response: Response,
    tenant: Annotated[
        str | None,
        Query(max_length=128, description="The tenant; needed when several are served."),
    ] = None,
) -> dict[str, Any]:
    tenants = state.tenants
    if tenant is None:
        if len(tenants) != 1:
            raise InvalidRequest("this service serves several tenants: add ?tenant=<tenant id>")
        chosen = next(iter(tenants))
    else:
        found = tenants.get(tenant)
        if found is None:
            raise NotFound(f"no tenant {tenant!r} is served here")
        chosen = found
    response.headers["Cache-Control"] = "public, max-age=300"
    return chosen.signer.jwks()


@router.get("/healthz", summary="Liveness", response_model=Health)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


READY_RETRY_AFTER = "1"


@router.get(
    "/readyz",
    summary="Readiness: every tenant's store, and Redis where configured, answers",
    response_model=ReadyOut,
    responses={
        503: {
            "model": ReadyOut,
            "description": "A dependency is down (see `down`); Retry-After says when to ask again.",
        }
    },
)
def readyz(request: Request, response: Response) -> dict[str, Any]:
    readiness: Readiness = request.app.state.readiness
    down = readiness.check()
    response.headers["Cache-Control"] = "no-store"
    if not down:
        return {"status": "ready", "down": []}
    response.status_code = 503
    response.headers["Retry-After"] = READY_RETRY_AFTER
    return {
        "status": "unavailable",
        "down": [
            {"tenant": d.tenant, "dependency": d.dependency, "reason": d.reason} for d in down
        ],
    }


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def metrics(state: State) -> Response:
    return Response(state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
