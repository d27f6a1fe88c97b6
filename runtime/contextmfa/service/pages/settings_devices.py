"""Adding a device from "My MFA settings": a security key, this device's passkey, a push phone.

    POST /u/settings/add/register   the WebAuthn registration that webauthn.js posts
    POST /u/settings/add/poll       pairing a phone: has it registered? (JSON, from push.js)
    POST /u/settings/add/paired     "my phone is set up": the same question, as a form

Starting (``POST /u/settings/add``) and showing the step under way (``GET /u/settings/add``) go
through :mod:`.settings_add`, which hands these factors to :func:`start` and :func:`step_page`.
The browser side is the enrollment page's: webauthn.js, push.js and the ``devices.html``
macros. The factor modules are called with the ticket's user, as :mod:`.settings_add` does.

The ceremony is bound to the session: the ``oob_code`` of the WebAuthn challenge, or of the
pairing ticket, is kept only in the sealed session (``pending``), never posted by the browser.
So a registration is checked against the challenge this session started (py_webauthn then
checks that the credential signed it, for this RP id and origin) and a poll asks about this
session's ticket; the factor also refuses a challenge of another user. Without a ceremony under
way there is nothing to answer: :class:`NothingToFinish`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from contextmfa.delivery.errors import DeliveryError
from contextmfa.factors import Answer, EnrollRequest
from contextmfa.factors.errors import AuthorizationPending, FactorError, SlowDown
from contextmfa.service.pages.errors import Friendly, PageError, friendly
from contextmfa.service.pages.forms import Form, credential_of
from contextmfa.service.pages.labels import PUSH, WEBAUTHN_FACTORS, label
from contextmfa.service.pages.polling import polled
from contextmfa.service.pages.rendering import qr_data_uri, render
from contextmfa.service.pages.routing import PageRoute
from contextmfa.service.pages.settings_visit import (
    ADD_TITLE,
    ADD_URL,
    SETTINGS_URL,
    SettingsVisit,
)

__all__ = ["DEVICES", "NothingToFinish", "router", "start", "step_page"]

router = APIRouter(route_class=PageRoute)

DEVICES = (*WEBAUTHN_FACTORS, PUSH)
"""The factors added with the browser's scripts."""
_NOT_PAIRED = "Your phone is not paired yet. Scan the QR code with the app, then continue."


class NothingToFinish(PageError):
    status = 409
    title = "Nothing to finish"
    code = "invalid_request"
    default_message = (
        "Nothing is being added on this page. Go back to your settings and choose the method "
        "to add."
    )


def start(visit: SettingsVisit, factor: str) -> Response:
    """Begin: a WebAuthn ceremony (its options go straight into this page: too large for the
    cookie), or a pairing ticket (its QR code is the next page)."""
    try:
        started = visit.tenant.factors.factor(factor).enroll(
            visit.subject, EnrollRequest(), now=visit.now
        )
    except (FactorError, DeliveryError) as exc:
        return visit.go(SETTINGS_URL, pending=None, notice=friendly(exc).message)
    if factor == PUSH:
        return visit.go(
            ADD_URL, pending={"f": factor, "oob": started.oob_code, "uri": started.ticket_uri}
        )
    visit.change(pending={"f": factor, "oob": started.oob_code})
    return visit.save(_webauthn_page(visit, factor, options=started.options))


def step_page(
    visit: SettingsVisit, pending: Mapping[str, Any], *, words: Friendly | None = None
) -> Response:
    factor = str(pending["f"])
    if factor != PUSH:
        return _webauthn_page(visit, factor, words=words)
    return render(
        "settings/add_push.html",
        words=words,
        title=f"{ADD_TITLE}: {label(factor).name}",
        csrf=visit.csrf,
        factor=factor,
        qr=qr_data_uri(str(pending.get("uri", ""))),
        ticket=pending.get("uri", ""),
    )


def _webauthn_page(
    visit: SettingsVisit,
    factor: str,
    *,
    options: Mapping[str, Any] | None = None,
    words: Friendly | None = None,
) -> Response:
    """With ``options``: the page that registers; without (a reload, a refusal): try again."""
    return render(
        "settings/add_webauthn.html",
        words=words,
        title=f"{ADD_TITLE}: {label(factor).name}",
        csrf=visit.csrf,
        factor=factor,
        name=label(factor).name,
        options=json.dumps(dict(options)) if options else None,
    )


def _under_way(visit: SettingsVisit, factors: tuple[str, ...]) -> Mapping[str, Any]:
    """The session's own ceremony of one of ``factors``, else :class:`NothingToFinish`."""
    pending = visit.pending(factors)
    if pending is None or not isinstance(pending.get("oob"), str):
        raise NothingToFinish()
    return pending


@router.post(ADD_URL + "/register")
def register(request: Request, form: Form) -> Response:
    visit = SettingsVisit.of(request)
    visit.check(form)
    pending = _under_way(visit, WEBAUTHN_FACTORS)
    factor = str(pending["f"])
    answer = Answer(oob_code=pending["oob"], credential=credential_of(form))
    try:
        result = visit.confirmed(factor, answer)
    except (FactorError, DeliveryError) as exc:
        return _webauthn_page(visit, factor, words=friendly(exc))
    return visit.go(visit.added(result))


@router.post(ADD_URL + "/poll")
def poll(request: Request, form: Form) -> Response:
    def step(visit: SettingsVisit, _remember: bool) -> str:
        pending = _under_way(visit, (PUSH,))
        return visit.added(visit.confirmed(PUSH, Answer(oob_code=pending["oob"])))

    return polled(request, form, SettingsVisit.of, step)


@router.post(ADD_URL + "/paired")
def paired(request: Request, form: Form) -> Response:
    visit = SettingsVisit.of(request)
    visit.check(form)
    pending = _under_way(visit, (PUSH,))
    try:
        result = visit.confirmed(PUSH, Answer(oob_code=pending["oob"]))
    except (AuthorizationPending, SlowDown) as exc:
        words = Friendly(_NOT_PAIRED, exc.status, exc.code)
        return step_page(visit, pending, words=words)
    except (FactorError, DeliveryError) as exc:
        return step_page(visit, pending, words=friendly(exc))
    return visit.go(visit.added(result))
