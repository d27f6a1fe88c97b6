"""Unauthenticated endpoints: the JWKS that verifies assertions, liveness, Prometheus metrics.

Each tenant signs with its own key (:mod:`service.assertion`). A process serving one tenant
answers ``/.well-known/jwks.json`` with that tenant's keys; serving several, the IdP names its
tenant (``?tenant=acme``), so one tenant's IdP never trusts another tenant's keys.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from contextmfa.factors import InvalidRequest
from contextmfa.service.auth import State
from contextmfa.service.errors import NotFound
from contextmfa.service.metrics import CONTENT_TYPE_LATEST
from contextmfa.service.routes import errors
from contextmfa.service.schemas import Health, Jwks

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


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def metrics(state: State) -> Response:
    return Response(state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
