"""``POST /v1/logins``: a login event in, a decision (and for MFA an ``mfa_token``) out.

The service path of a login: the API key names the tenant; the event is validated as in the CLI
(:func:`parse_event`); the user's enrolled factors come from the store, never from the event's
``user.enrolled_factors``; ``device.remembered`` is true only when the caller presents a live
remember-browser token of this user (``X-Remember-Token``), never because the event says so; the
engine evaluates with the store's history; the login's history entry (unless denied), its record
and its audit entry are written in one commit; challenge and enroll decisions get an
``mfa_token`` for the steps.

Logins of different users run side by side; one user's logins run one at a time in a process
(:class:`~contextmfa.service.user_locks.UserLocks`), and across workers the commit refuses a
history that moved during the evaluation, which is then evaluated again (the last time holding
the user's history still in the store, so that it cannot be refused again).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic_core import from_json

from contextmfa.decision import Decision
from contextmfa.enrich.history import LoginRecord
from contextmfa.errors import InputError
from contextmfa.events import MAX_RECORD_BYTES, EnrolledFactor, LoginEvent, parse_event
from contextmfa.service.auth import ApiTenant, ServiceState, State
from contextmfa.service.errors import PayloadTooLarge
from contextmfa.service.metrics import source_kind
from contextmfa.service.openapi import LOGIN_EVENT_BODY
from contextmfa.service.pending_history import PendingHistory, history_claim
from contextmfa.service.recording import record_login
from contextmfa.service.routes import errors
from contextmfa.service.schemas import LoginOut
from contextmfa.service.tenants import Tenant
from contextmfa.service.tokens import MfaStep, contact_of
from contextmfa.store.errors import HistoryConflict, StoreUnavailable
from contextmfa.store.sql.login_commit import HeldHistory, HistoryRead

__all__ = ["REMEMBER_HEADER", "REMEMBER_TOKEN_MAX", "decide_login", "parse_login_body", "router"]

router = APIRouter(tags=["logins"])

REMEMBER_HEADER = "X-Remember-Token"
REMEMBER_TOKEN_MAX = 256

MFA_OUTCOMES = ("challenge", "enroll")
ATTEMPTS = 3
"""Evaluations of one login when other workers keep adding to the user's history meanwhile; the
last holds the user's history still (:func:`_decide`)."""


async def login_event(request: Request) -> LoginEvent:
    return parse_login_body(await request.body())


def parse_login_body(body: bytes) -> LoginEvent:
    """The body, parsed and validated exactly as ``contextmfa evaluate`` reads a file: the same
    JSON parser (pydantic-core's), so the same bounds on nesting and on a number's digits."""
    if len(body) > MAX_RECORD_BYTES:
        raise PayloadTooLarge(f"a login event is at most {MAX_RECORD_BYTES} bytes")
    try:
        data = from_json(body)
    except ValueError as exc:  # malformed, not UTF-8, nested too deep, a number out of range
        raise InputError(f"the body is not valid JSON: {exc}") from None
    return parse_event(data, where="event")


def _as_served(
    tenant: Tenant,
    event: LoginEvent,
    factor_types: frozenset[str],
    remember_token: str | None,
    now: datetime,
) -> LoginEvent:
    """The event with enrolled factors from the store and ``remembered`` from a checked token."""
    store, user_id = tenant.store, event.user.user_id
    remembered = bool(remember_token) and store.remember.check(
        tenant.id, user_id, str(remember_token), now=now
    )
    enrolled = [EnrolledFactor(type=t) for t in sorted(factor_types)]
    user = event.user.model_copy(update={"enrolled_factors": enrolled})
    device = event.device.model_copy(update={"remembered": remembered})
    return event.model_copy(update={"user": user, "device": device})


def _push_context(event: LoginEvent, decision: Decision) -> dict[str, Any]:
    """What a push device shows about the sign-in: the app, the IP, the place. No secret."""
    context: dict[str, Any] = {"ip": str(event.request.ip)}
    if event.client is not None:
        context["app"] = event.client.name or event.client.client_id
    geo = decision.geoip or {}
    place = ", ".join(str(geo[k]) for k in ("city_name", "country_code") if geo.get(k))
    if place:
        context["location"] = place
    return context


@router.post(
    "/v1/logins",
    summary="Decide a login",
    response_model=None,
    responses={200: {"model": LoginOut}, **errors(400, 401, 413, 503)},
    openapi_extra=LOGIN_EVENT_BODY,
)
def post_login(
    tenant: ApiTenant,
    state: State,
    event: Annotated[LoginEvent, Depends(login_event)],
    remember_token: Annotated[
        str | None,
        Header(
            alias=REMEMBER_HEADER,
            max_length=REMEMBER_TOKEN_MAX,
            description="A remember_token from an earlier MFA of this user in this browser.",
        ),
    ] = None,
) -> JSONResponse:
    """Evaluate the login against the tenant's rules, Actions and policy."""
    return JSONResponse(decide_login(tenant, state, event, remember_token))


def decide_login(
    tenant: Tenant, state: ServiceState, event: LoginEvent, remember_token: str | None
) -> dict[str, Any]:
    """The answer to one login: its decision document and, for MFA, an ``mfa_token``.

    The route above declares the endpoint (and its OpenAPI contract); the requests themselves
    are served by :mod:`contextmfa.service.login_endpoint`, which calls this with the same
    inputs."""
    now = state.clock()
    with tenant.login_locks.hold(event.user.user_id):
        read = _read(tenant, event)
        event = _as_served(tenant, event, read.factor_types, remember_token, now)
        decision, document, held = _decide(tenant, state, event, now, read)
    body = dict(document)
    body.pop("http", None)  # the risk services' answers stay in the record (logins export)
    if decision.outcome in MFA_OUTCOMES:
        tokens = state.tenants.tokens
        txn = tokens.start(
            tenant_id=tenant.id,
            login_id=event.id,
            user_id=event.user.user_id,
            steps=tuple(MfaStep(s.kind, s.factors) for s in decision.steps),
            audience=event.client.client_id if event.client is not None else tenant.id,
            remember=decision.allow_remember_browser,
            user=contact_of(event.user),
            context=_push_context(event, decision),
            history=history_claim(held),
            now=now,
        )
        body["mfa_token"] = tokens.issue(txn)
        body["expires_in"] = txn.expires_at - txn.issued_at
    return body


def _read(tenant: Tenant, event: LoginEvent) -> HistoryRead:
    """What the login needs of its user from the store, in one round trip."""
    return tenant.store.login_commit.read(
        tenant.id,
        event.user.user_id,
        device_id=event.device.id,
        user_agent=event.request.user_agent,
    )


def _decide(
    tenant: Tenant, state: ServiceState, event: LoginEvent, now: datetime, read: HistoryRead
) -> tuple[Decision, dict[str, Any], LoginRecord | None]:
    """Evaluate and commit the login (first with ``read``, made before the evaluation); evaluate
    again if another worker committed a login of the same user in between (this one's history
    would be stale). The last of :data:`ATTEMPTS` holds the user's history still across workers
    from its read to its commit
    (:meth:`~contextmfa.store.sql.login_commit.SqlLoginCommit.holding`), so a flood of one
    user's logins across workers is ordered, not refused; the first ones hold nothing, so that
    logins of a user on one worker at a time never wait for a lock in the store.
    """
    store, user_id = tenant.store, event.user.user_id
    for attempt in range(ATTEMPTS - 1):
        if attempt:
            read = _read(tenant, event)
        try:
            return _attempt(tenant, state, event, now, read.version, read=read)
        except HistoryConflict:
            continue
    try:
        with store.login_commit.holding(tenant.id, user_id) as still:
            return _attempt(tenant, state, event, now, still.version, still)
    except HistoryConflict:  # only a history entry added outside any login's commit
        raise StoreUnavailable("the user's logins kept changing during the evaluation") from None


def _attempt(
    tenant: Tenant,
    state: ServiceState,
    event: LoginEvent,
    now: datetime,
    seen: int,
    still: HeldHistory | None = None,
    read: HistoryRead | None = None,
) -> tuple[Decision, dict[str, Any], LoginRecord | None]:
    """One evaluation and its commit; :class:`HistoryConflict` when the history moved past
    ``seen`` meanwhile. ``read``: what the history was already asked with the version.

    A login that must pass MFA joins the user's history only when it passes
    (:func:`contextmfa.service.steps.complete_step`): its entry is returned, held for the
    mfa_token, never committed here. Otherwise whoever holds only the password could make their
    device, browser and place "known" by starting logins and abandoning the challenge.
    """
    history = PendingHistory(tenant.store.history, tenant.id, event.user.user_id, read)
    with tenant.engines.use() as engine, state.metrics.evaluation.time():
        decision = engine.evaluate(event, history)
        version = engine.version
    document = decision.to_dict()
    held = history.entry if decision.outcome in MFA_OUTCOMES else None
    record_login(
        tenant,
        event,
        decision,
        document,
        config_version=version,
        now=now,
        sweep=state.retention,
        history_entry=None if held else history.entry,
        seen_version=seen,
        held=still,
    )
    state.metrics.decisions.labels(
        outcome=decision.outcome, source=source_kind(decision.source)
    ).inc()
    return decision, document, held
