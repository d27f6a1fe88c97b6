"""Duo on the hosted pages: off to Duo's Universal Prompt, and back through its callback.

    POST /u/mfa/start or /u/enroll/start   choosing Duo: 303 to Duo's prompt
    GET  /u/mfa/duo/callback?state=&duo_code=   Duo sends the browser back here

With the hosted pages, the tenant's ``[duo] redirect_uri`` must be
``<service>/u/mfa/duo/callback``. Choosing Duo is a Duo challenge through the API's step logic
(in an enroll step too: Duo enrolls its users in its own prompt); the page keeps the challenge's
``state`` as the pending challenge in the sealed page cookie, and the API binds it to the
mfa_token. The callback is a cross-site GET from Duo's redirect, so it carries no CSRF token:
the ``state`` is its CSRF protection - random, single use, and accepted only when it equals
(``hmac.compare_digest``) the one this page session sent to Duo. The answer is then checked as
``POST /v1/mfa/verify`` (or ``/v1/mfa/enroll/confirm``) checks it, and the browser moves on as
after any other factor. A refusal is shown on the Duo page of the step (try Duo again, or use
another method), after a redirect that takes ``duo_code`` out of the address bar.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from contextmfa.factors.errors import FactorError
from contextmfa.service.auth import MfaSession
from contextmfa.service.pages.errors import BadForm, CsrfRefused, Friendly, friendly
from contextmfa.service.pages.flow import CHALLENGE_URL, ENROLL_URL, MfaVisit
from contextmfa.service.pages.labels import label
from contextmfa.service.pages.rendering import render
from contextmfa.service.pages.routing import PageRoute
from contextmfa.service.pages.security import origin_of
from contextmfa.service.routes import mfa
from contextmfa.service.schemas import ConfirmBody, VerifyBody

__all__ = ["CALLBACK_URL", "DUO", "duo_page", "duo_targets", "duo_words", "router"]

router = APIRouter(route_class=PageRoute)

DUO = "duo"
CALLBACK_URL = CHALLENGE_URL + "/duo/callback"
MAX_STATE_CHARS = 1024
"""duo_universal's own bound on a state."""

_WORDS = {
    "access_denied": "Duo did not approve this sign-in. Try again, or choose another method.",
    "mfa_factor_unavailable": (
        "Duo is not available right now. Choose another method, or try again later."
    ),
    "invalid_grant": "Duo's answer could not be confirmed. Try again, or choose another method.",
    "expired_token": "The Duo sign-in took too long. Try again, or choose another method.",
}
_FOREIGN_STATE = Friendly(
    "This answer from Duo does not belong to this sign-in. Continue with Duo again, or choose "
    "another method.",
    400,
    "invalid_request",
)
_NO_DUO_UNDER_WAY = (
    "This answer from Duo does not match a Duo sign-in under way in this browser, so it was "
    "refused. Go back to the application you were signing in to and start again."
)


@dataclass(frozen=True)
class _Place:
    """Where a step's Duo page lives, and how its form starts Duo again."""

    url: str
    field: str
    value: str


_PLACES = {
    "challenge": _Place(CHALLENGE_URL, "choice", f"f:{DUO}"),
    "enroll": _Place(ENROLL_URL, "factor", DUO),
}


def duo_words(exc: Exception) -> Friendly:
    """What to say when Duo refused or could not be reached; :func:`friendly` for the rest."""
    words = friendly(exc)
    if isinstance(exc, FactorError) and exc.code in _WORDS:
        return Friendly(_WORDS[exc.code], words.status, words.code, ends_attempt=True)
    return words


def duo_targets(api: MfaSession, factors: Iterable[str]) -> list[str]:
    """Duo's origin when a form of the page may start Duo: a form POST that is redirected to
    another origin must be allowed by the page's ``form-action``."""
    settings = api.tenant.config.duo
    if DUO not in factors or settings is None:
        return []
    origin = origin_of(f"https://{settings.api_host}")
    return [origin] if origin else []


def duo_page(
    visit: MfaVisit, api: MfaSession, pending: Mapping[str, Any], *, words: Friendly | None = None
) -> Response:
    """The Duo sign-in of the step: go (again) to Duo, or use another method."""
    failed = pending.get("failed")
    if words is None and isinstance(failed, Mapping):
        words = Friendly(str(failed["message"]), 200, str(failed["code"]))
    place = _PLACES[api.txn.step.kind]
    return render(
        "mfa/duo.html",
        words=words,
        title="Verify it's you" if place.url == CHALLENGE_URL else "Set up a sign-in method",
        csrf=visit.csrf,
        name=label(DUO).name,
        place=place,
        form_targets=duo_targets(api, [DUO]),
    )


def _one(request: Request, name: str) -> str:
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise BadForm("Duo's answer has a field twice.")
    return values[0] if values else ""


def _same_state(sent: str, returned: str) -> bool:
    """In constant time; bytes, as compare_digest refuses non-ASCII text."""
    return hmac.compare_digest(sent.encode("utf-8"), returned.encode("utf-8"))


def _answer(api: MfaSession, state: str, duo_code: str) -> Mapping[str, Any]:
    """Duo's answer checked by the API's step logic: a challenge step verifies, an enroll step
    confirms (Duo's enrollment is a Duo challenge)."""
    if api.txn.step.kind == "enroll":
        return mfa.confirm(ConfirmBody(factor=DUO, oob_code=state, binding_code=duo_code), api)
    return mfa.verify(VerifyBody(factor=DUO, oob_code=state, binding_code=duo_code), api)


def _failed(pending: Mapping[str, Any], words: Friendly, *, spent: bool) -> dict[str, Any]:
    """The pending Duo sign-in with the refusal to show; a spent state is dropped."""
    kept = {k: v for k, v in pending.items() if k != "failed" and not (spent and k == "oob")}
    return {**kept, "failed": {"message": words.message, "code": words.code}}


@router.get(CALLBACK_URL)
def callback(request: Request) -> Response:
    visit = MfaVisit.of(request)
    pending = visit.page.get("pending") or {}
    sent = pending.get("oob") if pending.get("factor") == DUO else None
    if not isinstance(sent, str) or not sent:
        raise CsrfRefused(_NO_DUO_UNDER_WAY)
    state, duo_code = _one(request, "state"), _one(request, "duo_code")
    api = visit.api()
    place = _PLACES[api.txn.step.kind]
    if len(state) > MAX_STATE_CHARS or not _same_state(sent, state):
        return visit.go(place.url, pending=_failed(pending, _FOREIGN_STATE, spent=False))
    if _one(request, "error") or not duo_code:  # Duo ended the attempt: nothing to exchange
        code = "access_denied" if _one(request, "error") else "invalid_grant"
        ended = Friendly(_WORDS[code], 403, code, ends_attempt=True)
        return visit.go(place.url, pending=_failed(pending, ended, spent=True))
    try:
        result = _answer(api, state, duo_code)
    except FactorError as exc:
        return visit.go(place.url, pending=_failed(pending, duo_words(exc), spent=True))
    return visit.after_step(result)
