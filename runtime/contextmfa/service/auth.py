"""Who is calling: the three bearer credentials of the API, as FastAPI dependencies.

* tenant API key (``POST /v1/logins``): the key *is* the tenant's identity;
* tenant admin key (``/v1/users/...``, ``/v1/actions/...``): B2B/B2E management;
* ``mfa_token`` (``/v1/mfa/...``): one login's MFA transaction (:mod:`service.tokens`).

Each is sent as ``Authorization: Bearer <value>``. A missing or unknown key is 401
``access_denied``; a forged or malformed token 401 ``invalid_grant``; an expired one 401
``expired_token``. The push device endpoints carry no bearer: each request is signed with the
device's key (:mod:`service.routes.push`).

The dependencies FastAPI resolves are coroutines (:func:`_async`): they only compare digests and
check a signature, nothing that blocks, while FastAPI runs a plain function dependency in its
thread pool, one hop per dependency and request (three for a login, about 25 µs each here).
The plain functions stay, for the pages that call them directly.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, ParamSpec, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from contextmfa.service.errors import InvalidMfaToken, Unauthorized
from contextmfa.service.metrics import Metrics
from contextmfa.service.recording import RetentionSweep
from contextmfa.service.tenants import Tenant, Tenants
from contextmfa.service.tokens import MfaTransaction

__all__ = [
    "AdminTenant",
    "ApiTenant",
    "Clock",
    "MfaCall",
    "MfaSession",
    "ServiceState",
    "State",
    "state_of",
]

Clock = Callable[[], datetime]

_P = ParamSpec("_P")
_T = TypeVar("_T")


def _async(function: Callable[_P, _T]) -> Callable[_P, Coroutine[Any, Any, _T]]:
    """``function`` as a coroutine with the same signature (``functools.wraps``: FastAPI reads
    the parameters through ``__wrapped__``), awaited in the event loop instead of a thread."""

    @functools.wraps(function)
    async def dependency(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        return function(*args, **kwargs)

    return dependency


_api = HTTPBearer(
    auto_error=False, scheme_name="apiKey", description="The tenant's `[service] api_key`."
)
_admin = HTTPBearer(
    auto_error=False, scheme_name="adminKey", description="The tenant's `[service] admin_key`."
)
_mfa = HTTPBearer(
    auto_error=False,
    scheme_name="mfaToken",
    description="The `mfa_token` from `POST /v1/logins` (or from the step before).",
)
Credentials = HTTPAuthorizationCredentials | None
ApiKey = Annotated[Credentials, Depends(_api)]
AdminKey = Annotated[Credentials, Depends(_admin)]
MfaToken = Annotated[Credentials, Depends(_mfa)]


@dataclass(frozen=True)
class ServiceState:
    """What every request reads: the tenants, the metrics, the clock, the retention sweep."""

    tenants: Tenants
    metrics: Metrics
    clock: Clock
    retention: RetentionSweep = field(default_factory=RetentionSweep)


def state_of(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.contextmfa
    return state


State = Annotated[ServiceState, Depends(_async(state_of))]


def _mark(request: Request, tenant: Tenant) -> Tenant:
    request.state.tenant_id = tenant.id
    return tenant


def api_tenant(request: Request, state: State, creds: ApiKey) -> Tenant:
    tenant = state.tenants.by_api_key(creds.credentials) if creds else None
    if tenant is None:
        raise Unauthorized("a valid tenant API key is required (Authorization: Bearer <key>)")
    return _mark(request, tenant)


def admin_tenant(request: Request, state: State, creds: AdminKey) -> Tenant:
    tenant = state.tenants.by_admin_key(creds.credentials) if creds else None
    if tenant is None:
        raise Unauthorized("a valid tenant admin key is required (Authorization: Bearer <key>)")
    return _mark(request, tenant)


@dataclass(frozen=True)
class MfaSession:
    """One MFA request: the tenant, its transaction and the time of the request."""

    tenant: Tenant
    txn: MfaTransaction
    now: datetime
    state: ServiceState


def mfa_session(request: Request, state: State, creds: MfaToken) -> MfaSession:
    if creds is None:
        raise InvalidMfaToken("an mfa_token is required (Authorization: Bearer <mfa_token>)")
    now = state.clock()
    txn = state.tenants.tokens.read(creds.credentials, now=now)
    tenant = state.tenants.get(txn.tenant_id)
    if tenant is None:
        raise InvalidMfaToken()
    _mark(request, tenant)
    return MfaSession(tenant, txn, now, state)


ApiTenant = Annotated[Tenant, Depends(_async(api_tenant))]
AdminTenant = Annotated[Tenant, Depends(_async(admin_tenant))]
MfaCall = Annotated[MfaSession, Depends(_async(mfa_session))]
