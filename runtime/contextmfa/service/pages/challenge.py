"""``/u/mfa``: the challenge page of a login, from the identity provider's hand-over to the
hand-back of the assertion.

    POST /u/mfa  (or GET /u/mfa?mfa_token=&return_to=&state=)   the IdP sends the user here
    GET  /u/mfa                  pick a method, or the challenge under way
    POST /u/mfa/start            challenge the chosen authenticator or factor (Duo: off to its
                                 prompt, back through :mod:`.duo`'s callback)
    POST /u/mfa/verify           a code, a recovery code, a WebAuthn assertion, "I approved"
    POST /u/mfa/poll             push: has the device answered? (JSON, from push.js)
    POST /u/mfa/back             choose another method
    POST /u/mfa/recovery-saved   the new recovery code was saved: go on
    GET  /u/mfa/done             the hand-back form, posted to return_to by handback.js

The entry is the one POST without a CSRF token: it comes from the identity provider's site, and
the mfa_token it carries is its credential. A GET entry answers with a redirect at once, so the
token leaves the address bar and the history. Everything else is checked by
:meth:`MfaVisit.check`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from contextmfa.delivery import mask_recipient
from contextmfa.delivery.errors import DeliveryError
from contextmfa.factors.errors import FactorError
from contextmfa.service.auth import MfaSession
from contextmfa.service.pages.duo import DUO, duo_targets, duo_words
from contextmfa.service.pages.errors import BadForm, Friendly, friendly
from contextmfa.service.pages.flow import (
    CHALLENGE_URL,
    DONE_URL,
    ENROLL_URL,
    MfaVisit,
    enter,
)
from contextmfa.service.pages.forms import Form
from contextmfa.service.pages.labels import CODE_FACTORS, PAGE_FACTORS, PUSH, Choice, label
from contextmfa.service.pages.rendering import grouped, render
from contextmfa.service.pages.routing import PageRoute
from contextmfa.service.pages.security import origin_of
from contextmfa.service.pages.step_pages import StepPages, answer_fields
from contextmfa.service.routes import mfa
from contextmfa.service.schemas import ChallengeBody, VerifyBody

__all__ = ["router"]

router = APIRouter(route_class=PageRoute)

_ENTRY_FIELDS = ("mfa_token", "return_to", "state")
_PAGE_TITLE = "Verify it's you"


# Entry ---------------------------------------------------------------------------------------


def _entry(fields: Mapping[str, str]) -> tuple[str, str, str]:
    token, return_to, state = (fields.get(name, "") for name in _ENTRY_FIELDS)
    if not token or not return_to:
        raise BadForm("The application did not send what this page needs (mfa_token, return_to).")
    return token, return_to, state


@router.post(CHALLENGE_URL)
def entry_post(request: Request, form: Form) -> Response:
    return enter(request, *_entry(form))


@router.get(CHALLENGE_URL)
def challenge_page(request: Request) -> Response:
    if "mfa_token" in request.query_params:
        return enter(request, *_entry(request.query_params))
    visit = MfaVisit.of(request)
    if visit.page.get("done"):
        return visit.go(DONE_URL)
    api = visit.api()
    pending = visit.page.get("pending")
    if pending and api.txn.step.kind == "challenge":
        return STEP.pending_page(visit, api, pending)
    if visit.page.get("recovery"):
        return recovery_page(visit)
    if api.txn.step.kind == "enroll":
        return visit.go(ENROLL_URL)
    return picker_page(visit, api)


# The picker ---------------------------------------------------------------------------------


def choices(api: MfaSession) -> list[Choice]:
    """What the user can answer this step with, in the order the step offers the factors."""
    offered = [f for f in api.txn.step.factors if f in PAGE_FACTORS]
    found = mfa.list_authenticators(api)
    out: list[Choice] = []
    for factor in offered:
        mine = [a for a in found if a["factor"] == factor]
        if factor == DUO:  # one Duo account: Duo's prompt offers its devices
            out.append(Choice.of(factor, f"f:{factor}"))
            continue
        if factor == "recovery-code":
            if mine:
                out.append(Choice.of(factor, f"f:{factor}"))
            continue
        for a in mine:
            out.append(Choice(f"a:{a['id']}", factor, label(factor).name, _detail(a)))
        subject = api.txn.subject
        if factor == "email" and not mine and subject.email_verified and subject.email:
            out.append(Choice("f:email", factor, label(factor).name, mask_recipient(subject.email)))
    return out


def _detail(authenticator: Mapping[str, Any]) -> str:
    """Which one: the masked number or address, else its own name, else what the factor is."""
    details, name = authenticator["details"], str(authenticator["name"])
    contact = details.get("phone_number") or details.get("email")
    if contact:
        return str(contact)
    info = label(str(authenticator["factor"]))
    return name if name and name != info.name else info.about


def picker_page(visit: MfaVisit, api: MfaSession, *, words: Friendly | None = None) -> Response:
    offered = choices(api)
    return render(
        "mfa/picker.html",
        words=words,
        title=_PAGE_TITLE,
        csrf=visit.csrf,
        choices=offered,
        form_targets=duo_targets(api, [c.factor for c in offered]),
    )


@router.post(CHALLENGE_URL + "/start")
def start(request: Request, form: Form) -> Response:
    visit = MfaVisit.of(request)
    visit.check(form)
    api = visit.api()
    choice = form.get("choice", "")
    kind, _, value = choice.partition(":")
    if kind == "a" and value:
        body = ChallengeBody(authenticator_id=value)
    elif kind == "f" and value in PAGE_FACTORS:
        body = ChallengeBody(factor=value)
    else:
        raise BadForm("Choose one of the methods on the page.")
    try:
        issued = mfa.challenge(body, api)
    except (FactorError, DeliveryError) as exc:
        words = duo_words(exc) if body.factor == DUO else friendly(exc)
        return picker_page(visit, api, words=words)
    pending = {
        "factor": issued["factor"],
        "kind": issued["challenge_type"],
        "choice": choice,
        "oob": issued.get("oob_code"),
        "auth": issued.get("authenticator_id"),
        "to": issued.get("sent_to"),
        "number": issued.get("binding_code"),
    }
    return STEP.started(visit, api, pending, issued)


@router.post(CHALLENGE_URL + "/back")
def back(request: Request, form: Form) -> Response:
    return STEP.back(request, form)


# A challenge under way --------------------------------------------------------------------


def _pending_page(
    pending: Mapping[str, Any], context: dict[str, Any], words: Friendly | None
) -> Response:
    factor = pending["factor"]
    if factor == PUSH:
        return render("mfa/push.html", words=words, **context)
    if factor in CODE_FACTORS:
        return render("mfa/code.html", words=words, **context)
    raise BadForm("This method cannot be used on this page.")


def _verify_body(pending: Mapping[str, Any], form: Mapping[str, str], remember: bool) -> VerifyBody:
    if pending["factor"] == "recovery-code":
        code = form.get("code", "").strip()
        return VerifyBody(factor="recovery-code", remember_browser=remember, recovery_code=code)
    return VerifyBody(**answer_fields(pending, form, remember))


STEP = StepPages(
    url=CHALLENGE_URL,
    title=_PAGE_TITLE,
    webauthn_template="mfa/webauthn.html",
    typed=CODE_FACTORS,
    body=_verify_body,
    submit=mfa.verify,
    show=_pending_page,
    no_push="No push sign-in is waiting on this page. Reload it.",
)


@router.post(CHALLENGE_URL + "/verify")
def verify(request: Request, form: Form) -> Response:
    return STEP.answer(request, form)


@router.post(CHALLENGE_URL + "/poll")
def poll(request: Request, form: Form) -> Response:
    return STEP.poll(request, form)


# A recovery code to keep, and the hand-back ------------------------------------------------


def recovery_page(visit: MfaVisit) -> Response:
    code = str(visit.page.get("recovery"))
    return render(
        "mfa/recovery.html",
        title="Save your recovery code",
        csrf=visit.csrf,
        code=code,
        grouped=grouped(code),
    )


@router.post(CHALLENGE_URL + "/recovery-saved")
def recovery_saved(request: Request, form: Form) -> Response:
    visit = MfaVisit.of(request)
    visit.check(form)
    return visit.go(CHALLENGE_URL, recovery=None)


@router.get(DONE_URL)
def done(request: Request) -> Response:
    """The assertion handed back once: the session ends with this page."""
    visit = MfaVisit.of(request)
    outcome = visit.page.get("done")
    if not outcome:
        return visit.go(CHALLENGE_URL)
    return_to = str(visit.page.get("return_to"))
    recovery = visit.page.get("recovery")
    fields = {"assertion": outcome["assertion"], "state": visit.page.get("state", "")}
    if outcome.get("remember_token"):
        fields["remember_token"] = outcome["remember_token"]
    target = origin_of(return_to)
    response = render(
        "mfa/handback.html",
        title="You're verified" if not recovery else "Save your recovery code",
        return_to=return_to,
        fields=fields,
        recovery=recovery,
        grouped=grouped(str(recovery)) if recovery else None,
        form_targets=[target] if target else [],
    )
    return visit.end(response)
