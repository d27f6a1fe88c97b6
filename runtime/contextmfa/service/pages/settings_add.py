"""``/u/settings/add``: adding a sign-in method from "My MFA settings", with plain forms.

    POST /u/settings/add           start adding a factor (sms, voice, email: the address first)
    GET  /u/settings/add           the step under way: QR code and key, address, or code
    POST /u/settings/add/send      send a code to the address typed
    POST /u/settings/add/confirm   the code that proves it works: the method is added
    POST /u/settings/add/cancel    give up (a half-added method is removed)

The enrollment page of a login walks the ``/v1/mfa`` API with the login's mfa_token; a settings
session has no mfa_token (no login is under way), so these pages call the factor modules
directly with the ticket's user (:attr:`SettingsVisit.subject`). The secrets stay in the store
(the OTP seed on the pending authenticator) and the ``oob_code`` in the sealed session: nothing
the browser posts names which enrollment it answers. Methods that need the browser's scripts
(WebAuthn, push pairing) are added during a sign-in's enrollment step, not here.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import pyotp
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from contextmfa.delivery.errors import DeliveryError
from contextmfa.factors import Answer, Enrolled, EnrollRequest
from contextmfa.factors.errors import FactorError
from contextmfa.factors.otp import DIGITS, STEP_SECONDS
from contextmfa.factors.qr import qr_svg
from contextmfa.service.pages.errors import BadForm, friendly
from contextmfa.service.pages.forms import Form
from contextmfa.service.pages.labels import label
from contextmfa.service.pages.rendering import render
from contextmfa.service.pages.routing import PageRoute
from contextmfa.service.pages.settings_visit import SETTINGS_URL, SettingsVisit
from contextmfa.service.tenants import Tenant
from contextmfa.store.ports import Authenticator

__all__ = ["ADDABLE", "addable", "router"]

router = APIRouter(route_class=PageRoute)

ADD_URL = SETTINGS_URL + "/add"
ADDABLE = ("otp", "sms", "voice", "email")
"""What these pages can add: the factors that need no script in the browser."""
_SENT = ("sms", "voice", "email")
_TITLE = "Add a sign-in method"


def addable(tenant: Tenant) -> list[str]:
    """The tenant's enabled factors a user can add here, in the spec's order."""
    return [name for name in tenant.factors if name in ADDABLE]


def _qr_data_uri(text: str) -> str:
    encoded = base64.b64encode(qr_svg(text).encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"


def _pending_otp(visit: SettingsVisit, pending: Mapping[str, Any]) -> Authenticator | None:
    found = visit.tenant.store.authenticators.get(visit.tenant.id, str(pending.get("a", "")))
    if found is None or found.user_id != visit.user_id or found.confirmed or found.type != "otp":
        return None
    return found


def _page(
    visit: SettingsVisit, pending: Mapping[str, Any], *, error: str | None = None
) -> Response:
    factor = str(pending["f"])
    context: dict[str, Any] = {
        "title": f"{_TITLE}: {label(factor).name}",
        "csrf": visit.csrf,
        "factor": factor,
        "name": label(factor).name,
        "pending": pending,
        "error": error,
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
        grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        return render(
            "settings/add_otp.html", qr=_qr_data_uri(uri), secret=secret, grouped=grouped, **context
        )
    if pending.get("oob"):
        return render("settings/add_code.html", **context)
    subject = visit.subject
    value = (subject.email if factor == "email" else subject.phone_number) or ""
    return render("settings/add_contact.html", value=value, **context)


def _enrolled(visit: SettingsVisit, result: Enrolled) -> Response:
    """The method is added: say so, and show the recovery code if it came with it."""
    visit.record(
        "user.authenticator_added", authenticator_id=result.authenticator_id, factor=result.factor
    )
    found = visit.tenant.store.authenticators.get(visit.tenant.id, result.authenticator_id)
    name = f" “{found.name}”" if found is not None else ""
    notice = f"{label(result.factor).name}{name} was added."
    if result.recovery_code:
        return visit.go(
            SETTINGS_URL + "/recovery-code",
            pending=None,
            notice=notice,
            recovery=result.recovery_code,
        )
    return visit.go(SETTINGS_URL, pending=None, notice=notice)


@router.post(ADD_URL)
def start(request: Request, form: Form) -> Response:
    visit = SettingsVisit.of(request)
    visit.check(form)
    factor = form.get("factor", "")
    if factor not in addable(visit.tenant):
        raise BadForm("Choose one of the methods on the page.")
    _drop_pending(visit)
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
    pending = visit.page.get("pending")
    if not isinstance(pending, Mapping) or pending.get("f") not in ADDABLE:
        return visit.go(SETTINGS_URL, pending=None)
    return _page(visit, pending)


@router.post(ADD_URL + "/send")
def send(request: Request, form: Form) -> Response:
    visit = SettingsVisit.of(request)
    visit.check(form)
    pending = visit.page.get("pending")
    if not isinstance(pending, Mapping) or pending.get("f") not in _SENT:
        return visit.go(SETTINGS_URL, pending=None)
    factor = str(pending["f"])
    address = form.get("email" if factor == "email" else "phone_number", "").strip()
    if not address:
        return _page(visit, pending, error="Enter where to send the code.")
    request_ = (
        EnrollRequest(email=address) if factor == "email" else EnrollRequest(phone_number=address)
    )
    try:
        result = visit.tenant.factors.factor(factor).enroll(visit.subject, request_, now=visit.now)
    except (FactorError, DeliveryError) as exc:
        return _page(visit, pending, error=friendly(exc).message)
    if isinstance(result, Enrolled):
        return _enrolled(visit, result)
    sent = {"f": factor, "a": result.authenticator_id, "oob": result.oob_code, "to": result.sent_to}
    return visit.go(ADD_URL, pending=sent)


@router.post(ADD_URL + "/confirm")
def confirm(request: Request, form: Form) -> Response:
    visit = SettingsVisit.of(request)
    visit.check(form)
    pending = visit.page.get("pending")
    if not isinstance(pending, Mapping) or pending.get("f") not in ADDABLE:
        return visit.go(SETTINGS_URL, pending=None)
    factor = str(pending["f"])
    code = form.get("code", "").strip()
    if not code:
        return _page(visit, pending, error="Enter the code.")
    if factor == "otp":
        answer = Answer(otp=code, authenticator_id=str(pending.get("a", "")))
    else:
        answer = Answer(oob_code=pending.get("oob"), binding_code=code)
    metrics = visit.state.metrics
    try:
        result = visit.tenant.factors.factor(factor).confirm_enrollment(
            visit.subject, answer, now=visit.now
        )
    except (FactorError, DeliveryError) as exc:
        metrics.factor_result("verify", factor, exc.code)
        words = friendly(exc)
        if words.ends_attempt and factor in _SENT:
            visit.change(pending={"f": factor})
            return visit.save(_page(visit, visit.page.get("pending"), error=words.message))
        return _page(visit, pending, error=words.message)
    metrics.factor_result("verify", factor, "ok")
    return _enrolled(visit, result)


@router.post(ADD_URL + "/cancel")
def cancel(request: Request, form: Form) -> Response:
    visit = SettingsVisit.of(request)
    visit.check(form)
    _drop_pending(visit)
    return visit.go(SETTINGS_URL, pending=None)


def _drop_pending(visit: SettingsVisit) -> None:
    """Remove the half-added authenticator of the step under way, if there is one."""
    pending = visit.page.get("pending")
    if not isinstance(pending, Mapping) or not pending.get("a"):
        return
    store = visit.tenant.store.authenticators
    found = store.get(visit.tenant.id, str(pending["a"]))
    if found is not None and found.user_id == visit.user_id and not found.confirmed:
        store.remove(visit.tenant.id, found.id)
