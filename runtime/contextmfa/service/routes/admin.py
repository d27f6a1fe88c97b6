"""``/v1/users/{user_id}/...``: B2B/B2E management of a user's MFA, with the tenant admin key.

List, show and remove a user's authenticators; forget every browser remembered for the user;
mint a one-time ticket that opens the user's own "My MFA settings" page.
Everything is scoped to the admin key's tenant: an id from another tenant is simply not found.
Each change is audit-logged with the same kinds as the CLI (``admin.authenticator_removed``,
``admin.authenticators_removed``, ``admin.remember_browser_invalidated``) and ``via: api``;
a settings ticket as ``admin.settings_ticket_issued``.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from contextmfa.service.auth import AdminTenant, ServiceState, State
from contextmfa.service.errors import NotFound
from contextmfa.service.logs import audit
from contextmfa.service.pages.settings_ticket import TICKET_TTL, SettingsTickets
from contextmfa.service.recent_mfa import check_recent_mfa, has_a_factor
from contextmfa.service.routes import errors
from contextmfa.service.schemas import AuthenticatorOut, CountOut
from contextmfa.service.tenants import Tenant
from contextmfa.service.views import authenticator_out
from contextmfa.store.ports import Authenticator
from contextmfa.store.removal import remove_authenticator

__all__ = ["router"]

router = APIRouter(prefix="/v1/users/{user_id}", tags=["admin"])

UserId = Annotated[str, Path(min_length=1, max_length=255)]
AuthenticatorId = Annotated[str, Path(min_length=1, max_length=255)]


def _record(tenant: Tenant, state: ServiceState, kind: str, user_id: str, **detail: Any) -> None:
    detail["via"] = "api"
    tenant.store.audit.record(tenant.id, kind, user_id=user_id, detail=detail, now=state.clock())
    audit(tenant.id, kind, user_id, **detail)


def _owned(tenant: Tenant, user_id: str, authenticator_id: str) -> Authenticator:
    found = tenant.store.authenticators.get(tenant.id, authenticator_id)
    if found is None or found.user_id != user_id:
        raise NotFound(f"user {user_id} has no authenticator {authenticator_id}")
    return found


@router.get(
    "/authenticators",
    summary="A user's authenticators",
    response_model=list[AuthenticatorOut],
    responses=errors(400, 401, 503),
)
def list_authenticators(user_id: UserId, tenant: AdminTenant) -> list[dict[str, Any]]:
    """Confirmed and pending ones; contact details in full, never a secret or key."""
    found = tenant.store.authenticators.for_user(tenant.id, user_id, confirmed_only=False)
    return [authenticator_out(a, masked=False) for a in found]


@router.get(
    "/authenticators/{authenticator_id}",
    summary="One authenticator of a user",
    response_model=AuthenticatorOut,
    responses=errors(400, 401, 404, 503),
)
def get_authenticator(
    user_id: UserId, authenticator_id: AuthenticatorId, tenant: AdminTenant
) -> dict[str, Any]:
    return authenticator_out(_owned(tenant, user_id, authenticator_id), masked=False)


@router.delete(
    "/authenticators/{authenticator_id}",
    summary="Remove one authenticator",
    status_code=204,
    response_class=Response,
    responses=errors(400, 401, 404, 503),
)
def delete_authenticator(
    user_id: UserId, authenticator_id: AuthenticatorId, tenant: AdminTenant, state: State
) -> Response:
    found = _owned(tenant, user_id, authenticator_id)
    if not remove_authenticator(tenant.store, tenant.id, found):
        raise NotFound(f"user {user_id} has no authenticator {authenticator_id}")
    _record(
        tenant,
        state,
        "admin.authenticator_removed",
        user_id,
        authenticator_id=found.id,
        factor=found.type,
    )
    return Response(status_code=204)


@router.delete(
    "/authenticators",
    summary="Remove every authenticator (reset MFA)",
    response_model=CountOut,
    responses=errors(400, 401, 503),
)
def delete_authenticators(user_id: UserId, tenant: AdminTenant, state: State) -> dict[str, int]:
    """The user enrolls again at the next login that needs MFA; every browser remembered with
    the old factors is forgotten too, so a reset undoes whoever enrolled them. Answers how many
    authenticators were removed."""
    removed = tenant.store.authenticators.remove_for_user(tenant.id, user_id)
    forgotten = tenant.store.remember.invalidate_user(tenant.id, user_id)
    _record(
        tenant,
        state,
        "admin.authenticators_removed",
        user_id,
        count=removed,
        remembered_browsers=forgotten,
    )
    return {"count": removed}


@router.post(
    "/remember-browser/invalidate",
    summary="Forget every remembered browser",
    response_model=CountOut,
    responses=errors(400, 401, 503),
)
def invalidate_remembered(user_id: UserId, tenant: AdminTenant, state: State) -> dict[str, int]:
    """The user's next login asks for MFA again wherever a remember_token was issued."""
    count = tenant.store.remember.invalidate_user(tenant.id, user_id)
    _record(tenant, state, "admin.remember_browser_invalidated", user_id, count=count)
    return {"count": count}


class SettingsTicketBody(BaseModel):
    """What the settings pages may need to know of the user, to enroll email or a phone."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    email: str | None = Field(default=None, max_length=320)
    email_verified: bool = Field(
        default=False,
        description="Whether the user's email is verified. When the tenant accepts email as a "
        "factor and this is not sent as false, the email counts as a factor to prove.",
    )
    phone_number: str | None = Field(default=None, max_length=64)
    name: str | None = Field(default=None, max_length=100)
    assertion: str | None = Field(
        default=None,
        max_length=4096,
        description="The assertion of an MFA this user passed in the last 5 minutes; required "
        "when the user has a factor. Each assertion opens one ticket.",
    )


class SettingsTicketOut(BaseModel):
    ticket_url: str = Field(description="Send the user's browser here, once, within expires_in.")
    expires_in: int = Field(description="Seconds the ticket stays redeemable.")


@router.post(
    "/settings-ticket",
    summary="A one-time link to the user's MFA settings page",
    response_model=SettingsTicketOut,
    responses=errors(400, 401, 403, 503),
)
def settings_ticket(
    user_id: UserId,
    tenant: AdminTenant,
    state: State,
    body: Annotated[SettingsTicketBody | None, Body()] = None,
) -> dict[str, Any]:
    """The ticket is the user's authority on the settings page: whoever opens ``ticket_url``
    lists, removes and adds that user's factors and gets a new recovery code. So a user who has
    a factor gets a ticket only with the `assertion` of an MFA they passed in the last five
    minutes (403 `access_denied` without one); a user with none needs no proof. Mint one in
    answer to that user's own request, and send it only to that user's browser. It works once,
    within five minutes; the page session it opens lasts 15 minutes."""
    now = state.clock()
    contact = body.model_dump(exclude_none=True, exclude={"assertion"}) if body else {}
    said_unverified = body is not None and "email_verified" in body.model_fields_set
    proven = has_a_factor(
        tenant, user_id, email_unverified=said_unverified and not contact["email_verified"]
    )
    if proven:
        check_recent_mfa(tenant, user_id, body.assertion if body else None, now=now)
    tickets = SettingsTickets(state.tenants.settings_key)
    ticket = tickets.issue(tenant.id, user_id, contact, proven=proven, now=now)
    _record(tenant, state, "admin.settings_ticket_issued", user_id)
    base = tenant.config.service.issuer.rstrip("/")
    return {
        "ticket_url": f"{base}/u/settings/start?{urlencode({'ticket': ticket})}",
        "expires_in": int(TICKET_TTL.total_seconds()),
    }
