"""``/u/enroll``: setting up a sign-in method in an enroll step of a login.

    GET  /u/enroll           choose a method, or the enrollment under way
    POST /u/enroll/start     start one (sms, voice: ask for the phone number first; email: the
                             address, unless the login's verified email is used; Duo: off to its
                             prompt, back through :mod:`.duo`'s callback)
    POST /u/enroll/confirm   the code (authenticator app, phone, email) or the WebAuthn
                             registration; or "my phone is paired" for push
    POST /u/enroll/poll      push pairing: has the phone registered? (JSON, from push.js)
    POST /u/enroll/back      choose another method

The authenticator app shows its QR code (segno SVG as a ``data:`` image: no inline SVG for the
policy to weigh) and the secret in groups of four for typing, with a copy button. The first
enrollment of a user also brings a recovery code, shown once before going on.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from contextmfa.delivery.errors import DeliveryError
from contextmfa.factors.errors import FactorError
from contextmfa.factors.qr import qr_svg
from contextmfa.service.auth import MfaSession
from contextmfa.service.pages.challenge import credential_of, group
from contextmfa.service.pages.duo import DUO, duo_page, duo_targets, duo_words
from contextmfa.service.pages.errors import BadForm, Friendly, SessionMissing, friendly
from contextmfa.service.pages.flow import CHALLENGE_URL, ENROLL_URL, MfaVisit
from contextmfa.service.pages.forms import Form
from contextmfa.service.pages.labels import PAGE_FACTORS, WEBAUTHN_FACTORS, label
from contextmfa.service.pages.polling import poll_answer
from contextmfa.service.pages.rendering import render
from contextmfa.service.pages.routing import PageRoute
from contextmfa.service.routes import mfa
from contextmfa.service.schemas import ConfirmBody, EnrollBody

__all__ = ["qr_data_uri", "router"]

router = APIRouter(route_class=PageRoute)

PUSH = "push-notification"
_PHONE = ("sms", "voice")
_CODE_SENT = ("sms", "voice", "email")
_TITLE = "Set up a sign-in method"


def qr_data_uri(text: str) -> str:
    """The QR code of ``text`` as a ``data:`` image (allowed by ``img-src data:``)."""
    encoded = base64.b64encode(qr_svg(text).encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"


def _remember(visit: MfaVisit, api: MfaSession) -> dict[str, Any]:
    allowed = visit.can_remember(api)
    return {"remember": allowed, "remember_days": api.tenant.config.policy.remember_browser_days}


def _offered(api: MfaSession) -> list[str]:
    enabled = api.tenant.factors
    return [f for f in api.txn.step.factors if f in PAGE_FACTORS and f in enabled]


@router.get(ENROLL_URL)
def enroll_page(request: Request) -> Response:
    visit = MfaVisit.of(request)
    if visit.page.get("done") or visit.page.get("recovery"):
        return visit.go(CHALLENGE_URL)
    api = visit.api()
    if api.txn.step.kind != "enroll":
        return visit.go(CHALLENGE_URL)
    pending = visit.page.get("pending")
    if pending:
        return pending_page(visit, api, pending)
    return picker_page(visit, api)


def picker_page(visit: MfaVisit, api: MfaSession, *, words: Friendly | None = None) -> Response:
    offered = [(f, label(f)) for f in _offered(api)]
    return render(
        "enroll/picker.html",
        words=words,
        title=_TITLE,
        csrf=visit.csrf,
        offered=offered,
        form_targets=duo_targets(api, [f for f, _ in offered]),
    )


def contact_page(
    visit: MfaVisit, api: MfaSession, factor: str, *, value: str = "", words: Friendly | None = None
) -> Response:
    """Ask where to send the code: a phone number for sms/voice, an address for email."""
    return render(
        "enroll/contact.html",
        words=words,
        title=_TITLE,
        csrf=visit.csrf,
        factor=factor,
        name=label(factor).name,
        value=value,
    )


def _needs_contact(api: MfaSession, factor: str, form: Mapping[str, str]) -> str | None:
    """The value to prefill when the page must ask for a phone number or address first."""
    subject = api.txn.subject
    if factor in _PHONE and not form.get("phone_number", "").strip():
        return subject.phone_number or ""
    if factor == "email" and "email" not in form and not subject.email_verified:
        return subject.email or ""
    return None


@router.post(ENROLL_URL + "/start")
def start(request: Request, form: Form) -> Response:
    visit = MfaVisit.of(request)
    visit.check(form)
    api = visit.api()
    factor = form.get("factor", "")
    if factor not in _offered(api):
        raise BadForm("Choose one of the methods on the page.")
    prefill = _needs_contact(api, factor, form)
    if prefill is not None:
        return contact_page(visit, api, factor, value=prefill)
    body = EnrollBody(
        factor=factor,
        phone_number=form.get("phone_number", "").strip() or None,
        email=form.get("email", "").strip() or None,
    )
    try:
        started = mfa.enroll(body, api)
    except (FactorError, DeliveryError) as exc:
        words = duo_words(exc) if factor == DUO else friendly(exc)
        if factor in _CODE_SENT:
            typed = body.phone_number or body.email or ""
            return contact_page(visit, api, factor, value=typed, words=words)
        return picker_page(visit, api, words=words)
    if started.get("status") in ("passed", "next_step"):  # a verified email: enrolled at once
        return visit.after_step(started)
    pending = {
        "factor": factor,
        "oob": started.get("oob_code"),
        "auth": started.get("authenticator_id"),
        "to": started.get("sent_to"),
        "secret": started.get("secret"),
        "uri": started.get("otpauth_uri") or started.get("ticket_uri"),
    }
    pending = {k: v for k, v in pending.items() if v is not None}
    visit.change(pending=pending)
    if factor in WEBAUTHN_FACTORS:
        return visit.save(webauthn_page(visit, api, pending, options=started.get("options")))
    if started.get("redirect_url"):  # Duo's prompt; it comes back to duo.CALLBACK_URL
        return visit.go(str(started["redirect_url"]))
    return visit.go(ENROLL_URL)


@router.post(ENROLL_URL + "/back")
def back(request: Request, form: Form) -> Response:
    visit = MfaVisit.of(request)
    visit.check(form)
    return visit.go(ENROLL_URL, pending=None)


def pending_page(
    visit: MfaVisit, api: MfaSession, pending: Mapping[str, Any], *, words: Friendly | None = None
) -> Response:
    factor = pending["factor"]
    if factor in WEBAUTHN_FACTORS:
        return webauthn_page(visit, api, pending, words=words)
    if factor == DUO:
        return duo_page(visit, api, pending, words=words)
    context: dict[str, Any] = {
        "title": _TITLE,
        "csrf": visit.csrf,
        "factor": factor,
        "name": label(factor).name,
        "pending": pending,
        **_remember(visit, api),
    }
    if factor == "otp":
        secret = str(pending.get("secret", ""))
        qr = qr_data_uri(str(pending["uri"]))
        return render("enroll/otp.html", words=words, qr=qr, grouped=group(secret, 4), **context)
    if factor == PUSH:
        qr = qr_data_uri(str(pending["uri"]))
        return render("enroll/push.html", words=words, qr=qr, **context)
    return render("enroll/code.html", words=words, **context)


def webauthn_page(
    visit: MfaVisit,
    api: MfaSession,
    pending: Mapping[str, Any],
    *,
    options: Mapping[str, Any] | None = None,
    words: Friendly | None = None,
) -> Response:
    factor = pending["factor"]
    return render(
        "enroll/webauthn.html",
        words=words,
        title=_TITLE,
        csrf=visit.csrf,
        factor=factor,
        name=label(factor).name,
        options=json.dumps(dict(options)) if options else None,
        **_remember(visit, api),
    )


def _confirm_body(
    pending: Mapping[str, Any], form: Mapping[str, str], remember: bool
) -> ConfirmBody:
    factor = pending["factor"]
    code = form.get("code", "").strip()
    fields: dict[str, Any] = {"factor": factor, "remember_browser": remember}
    if factor == "otp":
        fields.update(otp=code, authenticator_id=pending.get("auth"))
    elif factor in WEBAUTHN_FACTORS:
        fields.update(oob_code=pending.get("oob"), credential=credential_of(form))
    elif factor == PUSH:
        fields.update(oob_code=pending.get("oob"))
    else:
        fields.update(oob_code=pending.get("oob"), binding_code=code)
    return ConfirmBody(**fields)


@router.post(ENROLL_URL + "/confirm")
def confirm(request: Request, form: Form) -> Response:
    visit = MfaVisit.of(request)
    visit.check(form)
    pending = visit.page.get("pending")
    if not pending or pending["factor"] == DUO:  # Duo answers through its callback only
        return visit.go(ENROLL_URL)
    api = visit.api()
    factor = pending["factor"]
    if factor in ("otp", *_CODE_SENT) and not form.get("code", "").strip():
        words = Friendly("Enter the code.", 400, "invalid_request")
        return pending_page(visit, api, pending, words=words)
    remember = form.get("remember") == "1" and visit.can_remember(api)
    try:
        result = mfa.confirm(_confirm_body(pending, form, remember), api)
    except (FactorError, DeliveryError) as exc:
        return pending_page(visit, api, pending, words=friendly(exc))
    return visit.after_step(result)


@router.post(ENROLL_URL + "/poll")
def poll(request: Request, form: Form) -> Response:
    def step(visit: MfaVisit, remember: bool) -> Mapping[str, Any]:
        pending = visit.page.get("pending") or {}
        if pending.get("factor") != PUSH:
            raise SessionMissing("No phone is being paired on this page. Reload it.")
        api = visit.api()
        body = ConfirmBody(
            factor=PUSH,
            oob_code=pending.get("oob"),
            remember_browser=remember and visit.can_remember(api),
        )
        return mfa.confirm(body, api)

    return poll_answer(request, form, step)
