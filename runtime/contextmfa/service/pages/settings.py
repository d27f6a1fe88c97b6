"""``/u/settings``: "My MFA settings", where a signed-in user manages their own factors.

    GET  /u/settings/start?ticket=   redeem a settings ticket, open the session, go on
    GET  /u/settings                 the user's methods (added, last used), the recovery code
    POST /u/settings/remove          "Remove X?": the confirmation step (changes nothing)
    POST /u/settings/remove/confirm  remove it
    POST /u/settings/recovery-code   issue a new recovery code (the old one stops working)
    GET  /u/settings/recovery-code   the new code, shown once
    /u/settings/add...               adding a method (:mod:`.settings_add`)

The ticket is the only way in: the tenant's app mints it for a user it has just authenticated
(``POST /v1/users/{user_id}/settings-ticket``), and every change here acts on that user alone. An
authenticator id of anyone else is "not found". The recovery code is never removed on its own:
it is regenerated, and it goes with the user's last method (a recovery code for nothing would
only be a weaker way in). Every change is audit-logged with ``via: settings``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from contextmfa.delivery import mask_recipient
from contextmfa.factors.codes import RECOVERY_TYPE, issue_recovery_code
from contextmfa.service.auth import state_of
from contextmfa.service.pages import settings_add
from contextmfa.service.pages.errors import PageError
from contextmfa.service.pages.forms import Form
from contextmfa.service.pages.labels import Choice, label
from contextmfa.service.pages.rendering import grouped, render
from contextmfa.service.pages.routing import PageRoute
from contextmfa.service.pages.settings_add import addable
from contextmfa.service.pages.settings_ticket import SettingsTickets, TicketRefused
from contextmfa.service.pages.settings_visit import SETTINGS_URL, SettingsVisit, open_settings
from contextmfa.service.views import iso
from contextmfa.store.ports import Authenticator
from contextmfa.store.removal import remove_authenticator

__all__ = ["Method", "NoSuchMethod", "router", "when"]

router = APIRouter(route_class=PageRoute)
router.include_router(settings_add.router)

START_URL = SETTINGS_URL + "/start"
RECOVERY_URL = SETTINGS_URL + "/recovery-code"
_TITLE = "Your sign-in methods"


class NoSuchMethod(PageError):
    status = 404
    title = "Not found"
    code = "not_found"
    default_message = "You have no such sign-in method."


@dataclass(frozen=True)
class Moment:
    """A time as a ``<time datetime>`` attribute and as words."""

    iso: str
    text: str


def when(moment: datetime | None) -> Moment | None:
    if moment is None:
        return None
    moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    return Moment(iso(moment) or "", f"{moment.day} {moment:%b %Y, %H:%M} UTC")


@dataclass(frozen=True)
class Method:
    """One row of the list: an authenticator in the words of the page."""

    id: str
    factor: str
    kind: str
    name: str
    detail: str | None
    added: Moment | None
    last_used: Moment | None

    @property
    def about(self) -> str:
        """The name the user gave it and where it sends codes, each once and unless obvious."""
        parts = [self.name] if self.name != self.kind else []
        if self.detail and self.detail != self.name:
            parts.append(self.detail)
        return " · ".join(parts)

    @classmethod
    def of(cls, authenticator: Authenticator) -> Method:
        public = authenticator.public
        contact = public.get("phone_number") or public.get("email")
        return cls(
            id=authenticator.id,
            factor=authenticator.type,
            kind=label(authenticator.type).name,
            name=authenticator.name,
            detail=mask_recipient(contact) if isinstance(contact, str) else None,
            added=when(authenticator.created_at),
            last_used=when(authenticator.last_used_at),
        )


def _mine(visit: SettingsVisit) -> list[Authenticator]:
    return visit.tenant.store.authenticators.for_user(visit.tenant.id, visit.user_id)


def _owned(visit: SettingsVisit, authenticator_id: str) -> Authenticator:
    """The user's own confirmed method (never the recovery code), else :class:`NoSuchMethod`."""
    if not authenticator_id or len(authenticator_id) > 255:
        raise NoSuchMethod()
    found = visit.tenant.store.authenticators.get(visit.tenant.id, authenticator_id)
    if (
        found is None
        or found.user_id != visit.user_id
        or not found.confirmed
        or found.type == RECOVERY_TYPE
    ):
        raise NoSuchMethod()
    return found


# Entry --------------------------------------------------------------------------------------


@router.get(START_URL)
def start(request: Request, ticket: str = "") -> Response:
    """Redeem the ticket once; the redirect takes it out of the address bar and the history."""
    state = state_of(request)
    if not ticket:
        raise TicketRefused()
    tickets = SettingsTickets(state.tenants.settings_key)
    holder = tickets.redeem(ticket, state.tenants, now=state.clock())
    request.state.tenant_id = holder.tenant.id
    return open_settings(request, holder)


# The list -----------------------------------------------------------------------------------


@router.get(SETTINGS_URL)
def overview(request: Request) -> Response:
    visit = SettingsVisit.of(request)
    found = _mine(visit)
    methods = [Method.of(a) for a in found if a.type != RECOVERY_TYPE]
    recovery = next((Method.of(a) for a in found if a.type == RECOVERY_TYPE), None)
    notice = visit.take("notice")
    response = render(
        "settings/overview.html",
        title=_TITLE,
        csrf=visit.csrf,
        notice=notice,
        methods=methods,
        recovery=recovery,
        adding=[Choice.of(name) for name in addable(visit.tenant)],
        expires_at=when(datetime.fromtimestamp(visit.page.expires_at, UTC)),
    )
    return visit.save(response)


# Removing -----------------------------------------------------------------------------------


@router.post(SETTINGS_URL + "/remove")
def remove_asked(request: Request, form: Form) -> Response:
    visit = SettingsVisit.of(request)
    visit.check(form)
    method = Method.of(_owned(visit, form.get("authenticator_id", "")))
    others = [a for a in _mine(visit) if a.type != RECOVERY_TYPE and a.id != method.id]
    return render(
        "settings/remove.html",
        title=f"Remove {method.kind}?",
        csrf=visit.csrf,
        method=method,
        last=not others,
    )


@router.post(SETTINGS_URL + "/remove/confirm")
def remove_confirmed(request: Request, form: Form) -> Response:
    visit = SettingsVisit.of(request)
    visit.check(form)
    found = _owned(visit, form.get("authenticator_id", ""))
    store = visit.tenant.store
    if not remove_authenticator(store, visit.tenant.id, found):
        raise NoSuchMethod()
    left = _mine(visit)
    recovery_removed = 0
    if not any(a.type != RECOVERY_TYPE for a in left):
        for code in (a for a in left if a.type == RECOVERY_TYPE):
            recovery_removed += int(remove_authenticator(store, visit.tenant.id, code))
    visit.record(
        "user.authenticator_removed",
        authenticator_id=found.id,
        factor=found.type,
        recovery_code_removed=bool(recovery_removed),
    )
    kind = label(found.type).name
    notice = f"{kind} “{found.name}” was removed."
    if recovery_removed:
        notice += " It was your last sign-in method, so your recovery code was removed too."
    return visit.go(SETTINGS_URL, notice=notice)


# The recovery code --------------------------------------------------------------------------


@router.post(RECOVERY_URL)
def regenerate(request: Request, form: Form) -> Response:
    """A new code replaces the old one at once (:func:`issue_recovery_code`)."""
    visit = SettingsVisit.of(request)
    visit.check(form)
    if not any(a.type != RECOVERY_TYPE for a in _mine(visit)):
        raise NoSuchMethod("Set up a sign-in method first: a recovery code comes with it.")
    services = visit.tenant.factors.factor(RECOVERY_TYPE).services
    code = issue_recovery_code(services, visit.subject, now=visit.now)
    visit.record("user.recovery_code_regenerated")
    return visit.go(RECOVERY_URL, recovery=code, notice=None)


@router.get(RECOVERY_URL)
def recovery_shown(request: Request) -> Response:
    """The new code, once: a reload finds it gone and goes back to the list."""
    visit = SettingsVisit.of(request)
    code = visit.take("recovery")
    if not isinstance(code, str):
        return visit.go(SETTINGS_URL)
    page = render(
        "settings/recovery_code.html",
        title="Your new recovery code",
        code=code,
        grouped=grouped(code),
    )
    return visit.save(page)
