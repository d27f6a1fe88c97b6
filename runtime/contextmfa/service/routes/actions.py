"""``/v1/actions/{name}``: deploy Actions as immutable versions, roll back, test (admin key).

``PUT`` compiles the source with the sandbox's compiler before anything is saved: a source that
does not compile is 422 with every problem as ``path:line:col: error: message`` (the path is
``<name>.py``) and changes nothing. A new source becomes a new version and the current one (201);
the current source again is a no-op (200). The tenant's engine picks the change up at its next
login, in every worker (:mod:`service.engines`). ``rollback`` makes an older version current;
versions are never changed or removed.

``test`` runs one Action alone against an event, like Auth0's Test tab and ``contextmfa test``:
the event is enriched with no history, the run gets a throwaway cache (a test never touches the
tenant's real Action cache), and the tenant's secrets for that Action, overridden by the body's.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from contextmfa.enrich.history import InMemoryHistory
from contextmfa.errors import CompileError
from contextmfa.events import parse_event
from contextmfa.sandbox import CompiledAction, InMemoryActionCache, compile_action, run_action
from contextmfa.service.auth import AdminTenant, State
from contextmfa.service.errors import CompileFailed, NotFound, Unavailable
from contextmfa.service.logs import audit
from contextmfa.service.routes import errors
from contextmfa.service.schemas import (
    ACTION_NAME,
    ActionSource,
    ActionTestBody,
    ActionTestResult,
    ActionVersion,
    ActionVersions,
    DeployBody,
    RollbackBody,
)
from contextmfa.service.tenants import Tenant
from contextmfa.service.views import run_out

__all__ = ["router"]

router = APIRouter(prefix="/v1/actions/{name}", tags=["actions"])
_log = logging.getLogger("contextmfa.service")

Name = Annotated[str, Path(pattern=ACTION_NAME, description="The Action's name (file stem).")]


def _unwritable(tenant: Tenant, exc: OSError) -> Unavailable:
    _log.error("tenant %s: cannot save Action versions: %s", tenant.id, exc.strerror)
    return Unavailable("Action versions cannot be saved here; the operator has been told why")


def _compile(name: str, source: str) -> CompiledAction:
    try:
        return compile_action(source, f"{name}.py")
    except CompileError as exc:
        raise CompileFailed([str(p) for p in exc.problems]) from None


@router.put(
    "",
    summary="Deploy a new version",
    response_model=None,
    responses={
        200: {"model": ActionVersion, "description": "The source is the current one already."},
        201: {"model": ActionVersion, "description": "Deployed as a new current version."},
        **errors(400, 401, 422, 503),
    },
)
def deploy(name: Name, body: DeployBody, tenant: AdminTenant, state: State) -> JSONResponse:
    _compile(name, body.source)
    try:
        info, created = tenant.actions.deploy(name, body.source, now=state.clock())
    except OSError as exc:
        raise _unwritable(tenant, exc) from None
    if created:
        detail = {"action": name, "version": info.version, "sha256": info.sha256, "via": "api"}
        tenant.store.audit.record(
            tenant.id, "admin.action_deployed", user_id=None, detail=detail, now=state.clock()
        )
        audit(tenant.id, "admin.action_deployed", None, **detail)
    return JSONResponse(info.to_dict(), status_code=201 if created else 200)


@router.get(
    "",
    summary="The current version and its source",
    response_model=ActionSource,
    responses=errors(400, 401, 404),
)
def current(name: Name, tenant: AdminTenant) -> dict[str, Any]:
    found = tenant.actions.current(name)
    if found is None:
        raise NotFound(f"no Action {name!r} has been deployed")
    info, source = found
    return {**info.to_dict(), "source": source}


@router.get(
    "/versions",
    summary="Every version, oldest first",
    response_model=ActionVersions,
    responses=errors(400, 401, 404),
)
def versions(name: Name, tenant: AdminTenant) -> dict[str, Any]:
    found = tenant.actions.versions(name)
    if not found:
        raise NotFound(f"no Action {name!r} has been deployed")
    return {"name": name, "versions": [v.to_dict() for v in found]}


@router.post(
    "/rollback",
    summary="Make an older version current",
    response_model=ActionVersion,
    responses=errors(400, 401, 404, 503),
)
def rollback(name: Name, body: RollbackBody, tenant: AdminTenant, state: State) -> dict[str, Any]:
    try:
        info = tenant.actions.rollback(name, body.version)
    except OSError as exc:
        raise _unwritable(tenant, exc) from None
    if info is None:
        which = f"version {body.version}" if body.version else "an older version"
        raise NotFound(f"Action {name!r} has no {which} to roll back to")
    detail = {"action": name, "version": info.version, "via": "api"}
    tenant.store.audit.record(
        tenant.id, "admin.action_rolled_back", user_id=None, detail=detail, now=state.clock()
    )
    audit(tenant.id, "admin.action_rolled_back", None, **detail)
    return info.to_dict()


def _source_for_test(tenant: Tenant, name: str, body: ActionTestBody) -> str:
    if body.source is not None:
        return body.source
    if body.version is not None:
        found = tenant.actions.version(name, body.version)
        if found is None:
            raise NotFound(f"Action {name!r} has no version {body.version}")
        return found[1]
    deployed = tenant.actions.current(name)
    if deployed is not None:
        return deployed[1]
    for path in tenant.config.action_files:
        if path.stem == name:
            return path.read_text(encoding="utf-8")
    raise NotFound(f"no Action {name!r} is deployed or in the flow")


@router.post(
    "/test",
    summary="Run the Action against an event",
    response_model=ActionTestResult,
    responses=errors(400, 401, 404, 422),
)
def test_action(name: Name, body: ActionTestBody, tenant: AdminTenant) -> dict[str, Any]:
    """Its directives, logs, error and time; nothing is stored, the real cache is untouched."""
    action = _compile(name, _source_for_test(tenant, name, body))
    event = parse_event(body.event, where="event")
    with tenant.engines.use() as engine:
        enrichment = engine.enrich(event, InMemoryHistory())
        run = run_action(
            action,
            engine.event_view(event, enrichment),
            secrets={**engine.config.secrets_for(name), **body.secrets},
            now=event.timestamp,
            cache=InMemoryActionCache(),
            tenant_id=enrichment.tenant_id,
            limits=engine.limits,
        )
    return run_out(run)
