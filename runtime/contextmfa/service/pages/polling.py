"""The answer to a page's ``fetch`` poll (push sign-in, push pairing), as JSON.

Both kinds of page session poll: a login's (:func:`poll_answer`, the challenge and enrollment
pages) and "My MFA settings" pairing a phone (:func:`polled` with its own visit).

``{"status": "pending", "interval": s}`` - ask again in ``s`` seconds (the factor's
``authorization_pending``; ``slow_down`` raises the interval as it says);
``{"status": "done", "location": url}`` - the step passed, the session moved on, go there;
``{"status": "error", "code": code, "message": text}`` - refused (rejected on the device,
expired, session ended, bad CSRF token): the page shows ``text`` and stops polling.

Every answer is a 200: the outcome is in the body, which push.js reads (a 4xx would also be
logged by the browser as a failed load).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from contextmfa.delivery.errors import DeliveryError
from contextmfa.factors.errors import AuthorizationPending, FactorError, SlowDown
from contextmfa.factors.settings import POLL_INTERVAL_SECONDS
from contextmfa.service.errors import ServiceError
from contextmfa.service.pages.errors import PageError, friendly
from contextmfa.service.pages.flow import MfaVisit
from contextmfa.service.pages.security import protect
from contextmfa.service.pages.visit import PageVisit
from contextmfa.store.errors import StoreUnavailable

__all__ = ["poll_answer", "polled"]

_REFUSED = (PageError, ServiceError, FactorError, DeliveryError, StoreUnavailable)


V = TypeVar("V", bound=PageVisit)


def _json(body: dict[str, Any]) -> Response:
    return protect(JSONResponse(body))


def polled(
    request: Request,
    form: Mapping[str, str],
    visit_of: Callable[[Request], V],
    step: Callable[[V, bool], str],
) -> Response:
    """Open the visit, check the poll, run ``step(visit, remember)`` - which returns where to go
    once done - and answer as the module says."""
    try:
        visit = visit_of(request)
        visit.check(form)
        location = step(visit, form.get("remember") == "1")
    except AuthorizationPending:
        return _json({"status": "pending", "interval": POLL_INTERVAL_SECONDS})
    except SlowDown as exc:
        return _json({"status": "pending", "interval": max(exc.interval, POLL_INTERVAL_SECONDS)})
    except _REFUSED as exc:
        words = friendly(exc)
        return _json({"status": "error", "code": words.code, "message": words.message})
    return visit.save(_json({"status": "done", "location": location}))


def poll_answer(
    request: Request,
    form: Mapping[str, str],
    step: Callable[[MfaVisit, bool], Mapping[str, Any]],
) -> Response:
    """A login's poll: ``step(visit, remember)`` is the API's step; a passed step moves on."""

    def advanced(visit: MfaVisit, remember: bool) -> str:
        return visit.advance(step(visit, remember))

    return polled(request, form, MfaVisit.of, advanced)
