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

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from contextmfa.delivery.errors import DeliveryError
from contextmfa.factors.errors import FactorError
from contextmfa.service.auth import MfaSession
from contextmfa.service.pages.duo import DUO, duo_targets, duo_words
from contextmfa.service.pages.errors import BadForm, Friendly, friendly
from contextmfa.service.pages.flow import CHALLENGE_URL, ENROLL_URL, MfaVisit
from contextmfa.service.pages.forms import Form
from contextmfa.service.pages.labels import PAGE_FACTORS, PUSH, Choice, label
from contextmfa.service.pages.rendering import grouped, qr_data_uri, render
from contextmfa.service.pages.routing import PageRoute
from contextmfa.service.pages.step_pages import StepPages, answer_fields
from contextmfa.service.routes import mfa
from contextmfa.service.schemas import ConfirmBody, EnrollBody

__all__ = ["router"]

router = APIRouter(route_class=PageRoute)

_PHONE = ("sms", "voice")
_CODE_SENT = ("sms", "voice", "email")
_TITLE = "Set up a sign-in method"


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
        return STEP.pending_page(visit, api, pending)
    return picker_page(visit, api)


def picker_page(visit: MfaVisit, api: MfaSession, *, words: Friendly | None = None) -> Response:
    offered = [Choice.of(factor) for factor in _offered(api)]
    return render(
        "enroll/picker.html",
        words=words,
        title=_TITLE,
        csrf=visit.csrf,
        choices=offered,
        form_targets=duo_targets(api, [c.factor for c in offered]),
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
    return STEP.started(visit, api, pending, started)


@router.post(ENROLL_URL + "/back")
def back(request: Request, form: Form) -> Response:
    return STEP.back(request, form)


def _pending_page(
    pending: Mapping[str, Any], context: dict[str, Any], words: Friendly | None
) -> Response:
    """The authenticator app's QR code and key, the phone's pairing code, or the sent code."""
    factor = pending["factor"]
    if factor == "otp":
        secret = str(pending.get("secret", ""))
        qr = qr_data_uri(str(pending["uri"]))
        return render("enroll/otp.html", words=words, qr=qr, grouped=grouped(secret), **context)
    if factor == PUSH:
        qr = qr_data_uri(str(pending["uri"]))
        return render("enroll/push.html", words=words, qr=qr, **context)
    return render("enroll/code.html", words=words, **context)


def _confirm_body(
    pending: Mapping[str, Any], form: Mapping[str, str], remember: bool
) -> ConfirmBody:
    return ConfirmBody(**answer_fields(pending, form, remember))


STEP = StepPages(
    url=ENROLL_URL,
    title=_TITLE,
    webauthn_template="enroll/webauthn.html",
    typed=("otp", *_CODE_SENT),
    body=_confirm_body,
    submit=mfa.confirm,
    show=_pending_page,
    no_push="No phone is being paired on this page. Reload it.",
)


@router.post(ENROLL_URL + "/confirm")
def confirm(request: Request, form: Form) -> Response:
    return STEP.answer(request, form)


@router.post(ENROLL_URL + "/poll")
def poll(request: Request, form: Form) -> Response:
    return STEP.poll(request, form)
