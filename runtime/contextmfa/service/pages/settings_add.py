"""``/u/settings/add``: adding a sign-in method from "My MFA settings".

    POST /u/settings/add           start adding a factor (sms, voice, email: the address first;
                                   a security key or passkey: the registration options)
    GET  /u/settings/add           the step under way: QR code and key, address, code, or the
                                   device being added
    POST /u/settings/add/send      send a code to the address typed
    POST /u/settings/add/confirm   the code that proves it works: the method is added
    POST /u/settings/add/cancel    give up (a half-added method is removed, its challenge spent)
    /u/settings/add/...            finishing a device: WebAuthn, push (:mod:`.settings_devices`)

The enrollment page of a login walks the ``/v1/mfa`` API with the login's mfa_token; a settings
session has no mfa_token (no login is under way), so these pages call the factor modules
directly with the ticket's user (:attr:`SettingsVisit.subject`). The secrets stay in the store
(the OTP seed on the pending authenticator) and the ``oob_code`` in the sealed session: nothing
the browser posts names which enrollment it answers. Security keys, passkeys and push phones
are added with the enrollment page's scripts (:mod:`.settings_devices`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyotp
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from contextmfa.delivery.errors import DeliveryError
from contextmfa.factors import Answer, EnrollRequest
from contextmfa.factors.errors import FactorError
from contextmfa.factors.otp import DIGITS, STEP_SECONDS
from contextmfa.service.pages import settings_devices
from contextmfa.service.pages.errors import BadForm, Friendly, friendly
from contextmfa.service.pages.forms import Form
from contextmfa.service.pages.labels import label
from contextmfa.service.pages.rendering import grouped, qr_data_uri, render
from contextmfa.service.pages.routing import PageRoute
from contextmfa.service.pages.settings_devices import DEVICES
from contextmfa.service.pages.settings_visit import (
    ADD_TITLE,
    ADD_URL,
    SETTINGS_URL,
    SettingsVisit,
)
from contextmfa.service.tenants import Tenant
from contextmfa.store.ports import Authenticator

__all__ = ["ADDABLE", "addable", "router"]

router = APIRouter(route_class=PageRoute)
router.include_router(settings_devices.router)

_SENT = ("sms", "voice", "email")
_CODED = ("otp", *_SENT)
"""The factors added with plain forms: a code proves it works."""
_ENTER_ADDRESS = Friendly("Enter where to send the code.", 400, "invalid_request")
_ENTER_CODE = Friendly("Enter the code.", 400, "invalid_request")
ADDABLE = (*_CODED, *DEVICES)
"""What these pages can add: every factor of the pages but the recovery code (it comes with
the first method) and Duo (it enrolls its users in its own prompt)."""


def addable(tenant: Tenant) -> list[str]:
    """The tenant's enabled factors a user can add here, in the spec's order."""
    return [name for name in tenant.factors if name in ADDABLE]


def _pending_otp(visit: SettingsVisit, pending: Mapping[str, Any]) -> Authenticator | None:
    found = visit.tenant.store.authenticators.get(visit.tenant.id, str(pending.get("a", "")))
    if found is None or found.user_id != visit.user_id or found.confirmed or found.type != "otp":
        return None
    return found


def _page(
    visit: SettingsVisit, pending: Mapping[str, Any], *, words: Friendly | None = None
) -> Response:
    factor = str(pending["f"])
    context: dict[str, Any] = {
        "title": f"{ADD_TITLE}: {label(factor).name}",
        "csrf": visit.csrf,
        "factor": factor,
        "name": label(factor).name,
        "pending": pending,
        "words": words,
    }
    if factor == "otp":
        authenticator = _pending_otp(visit, pending)
        if authenticator is None or authenticator.secret is None:
            return visit.go(SETTINGS_URL, pending=None)
        secret = authenticator.secret.decode("ascii")
        uri = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
            name=visit.subject.label,
            issuer_name=visit.tenant.factors["otp"].services.settings.issuer,
        )
        return render(
            "settings/add_otp.html",
            qr=qr_data_uri(uri),
            secret=secret,
            grouped=grouped(secret),
            **context,
        )
    if pending.get("oob"):
        return render("settings/add_code.html", **context)
    subject = visit.subject
    value = (subject.email if factor == "email" else subject.phone_number) or ""
    return render("settings/add_contact.html", value=value, **context)


@router.post(ADD_URL)
def start(request: Request, form: Form) -> Response:
    visit = SettingsVisit.of(request)
    visit.check(form)
    factor = form.get("factor", "")
    if factor not in addable(visit.tenant):
        raise BadForm("Choose one of the methods on the page.")
    _drop_pending(visit)
    if factor in DEVICES:
        return settings_devices.start(visit, factor)
    if factor in _SENT:
        return visit.go(ADD_URL, pending={"f": factor})
    try:
        started = visit.tenant.factors.factor(factor).enroll(
            visit.subject, EnrollRequest(), now=visit.now
        )
    except (FactorError, DeliveryError) as exc:
        return visit.go(SETTINGS_URL, pending=None, notice=friendly(exc).message)
    return visit.go(ADD_URL, pending={"f": factor, "a": started.authenticator_id})


@router.get(ADD_URL)
def step(request: Request) -> Response:
    visit = SettingsVisit.of(request)
    pending = visit.pending(ADDABLE)
    if pending is None:
        return visit.go(SETTINGS_URL, pending=None)
    if pending["f"] in DEVICES:
        return settings_devices.step_page(visit, pending)
    return _page(visit, pending)


@router.post(ADD_URL + "/send")
def send(request: Request, form: Form) -> Response:
    visit = SettingsVisit.of(request)
    visit.check(form)
    pending = visit.pending(_SENT)
    if pending is None:
        return visit.go(SETTINGS_URL, pending=None)
    factor = str(pending["f"])
    address = form.get("email" if factor == "email" else "phone_number", "").strip()
    if not address:
        return _page(visit, pending, words=_ENTER_ADDRESS)
    request_ = (
        EnrollRequest(email=address) if factor == "email" else EnrollRequest(phone_number=address)
    )
    try:
        result = visit.tenant.factors.factor(factor).enroll(visit.subject, request_, now=visit.now)
    except (FactorError, DeliveryError) as exc:
        return _page(visit, pending, words=friendly(exc))
    sent = {"f": factor, "a": result.authenticator_id, "oob": result.oob_code, "to": result.sent_to}
    return visit.go(ADD_URL, pending=sent)


@router.post(ADD_URL + "/confirm")
def confirm(request: Request, form: Form) -> Response:
    visit = SettingsVisit.of(request)
    visit.check(form)
    pending = visit.pending(_CODED)
    if pending is None:
        return visit.go(SETTINGS_URL, pending=None)
    factor = str(pending["f"])
    code = form.get("code", "").strip()
    if not code:
        return _page(visit, pending, words=_ENTER_CODE)
    if factor == "otp":
        answer = Answer(otp=code, authenticator_id=str(pending.get("a", "")))
    else:
        answer = Answer(oob_code=pending.get("oob"), binding_code=code)
    try:
        result = visit.confirmed(factor, answer)
    except (FactorError, DeliveryError) as exc:
        words = friendly(exc)
        if words.ends_attempt and factor in _SENT:  # ask for the address again
            visit.change(pending={"f": factor})
            return visit.save(_page(visit, {"f": factor}, words=words))
        return _page(visit, pending, words=words)
    return visit.go(visit.added(result))


@router.post(ADD_URL + "/cancel")
def cancel(request: Request, form: Form) -> Response:
    visit = SettingsVisit.of(request)
    visit.check(form)
    _drop_pending(visit)
    return visit.go(SETTINGS_URL, pending=None)


def _drop_pending(visit: SettingsVisit) -> None:
    """Undo the step under way, if there is one: spend its challenge (a sent code, a WebAuthn
    ceremony, a pairing ticket) and remove what it half-added (an app's seed, a phone that
    registered with the ticket but was not confirmed here)."""
    pending = visit.page.get("pending")
    if not isinstance(pending, Mapping):
        return
    tenant, store = visit.tenant.id, visit.tenant.store
    half_added = [str(pending["a"])] if pending.get("a") else []
    oob = pending.get("oob")
    challenge = store.challenges.get(tenant, oob) if isinstance(oob, str) and oob else None
    if challenge is not None and challenge.user_id == visit.user_id and not challenge.finished:
        store.challenges.finish(tenant, challenge.id, now=visit.now)
        if challenge.data.get("authenticator_id"):
            half_added.append(str(challenge.data["authenticator_id"]))
    for authenticator_id in half_added:
        found = store.authenticators.get(tenant, authenticator_id)
        if found is not None and found.user_id == visit.user_id and not found.confirmed:
            store.authenticators.remove(tenant, found.id)
