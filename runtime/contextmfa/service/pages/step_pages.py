"""What the pages of a login step share, in a challenge (:mod:`.challenge`) as in an enrollment
(:mod:`.enroll`): the method under way, its answer, the push poll and "choose another method".

Both keep the method under way as ``pending`` in the page session (its factor, ``oob`` code and
what to show again), answer it through the API's step logic (``mfa.verify`` or ``mfa.confirm``:
the same checks and metrics as ``/v1/mfa/*``) and continue as the API says
(:meth:`MfaVisit.after_step`). A :class:`StepPages` holds what differs: the step's URL, title and
WebAuthn template, the factors answered with a typed code, the body of an answer, and the page
of a code or push under way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from contextmfa.delivery.errors import DeliveryError
from contextmfa.factors.errors import FactorError
from contextmfa.service.auth import MfaSession
from contextmfa.service.pages.duo import DUO, duo_page
from contextmfa.service.pages.errors import Friendly, SessionMissing, friendly
from contextmfa.service.pages.flow import MfaVisit
from contextmfa.service.pages.forms import credential_of
from contextmfa.service.pages.labels import PUSH, WEBAUTHN_FACTORS, label
from contextmfa.service.pages.polling import poll_answer
from contextmfa.service.pages.rendering import render

__all__ = ["StepPages", "answer_fields"]

BodyOf = Callable[[Mapping[str, Any], Mapping[str, str], bool], BaseModel]
"""The API request that answers ``pending`` with the posted form (and "remember me")."""
ShowPending = Callable[[Mapping[str, Any], dict[str, Any], Friendly | None], Response]
"""The page of a code or push under way: ``pending``, the context every such page has, words."""


def answer_fields(
    pending: Mapping[str, Any], form: Mapping[str, str], remember: bool
) -> dict[str, Any]:
    """The fields of an answer the challenge and the enrollment give alike: the app's code, a
    WebAuthn credential, a push's oob_code, or a sent code bound to its oob_code."""
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
    return fields


@dataclass(frozen=True)
class StepPages:
    """The pages of one kind of login step; see the module docstring."""

    url: str
    title: str
    webauthn_template: str
    typed: tuple[str, ...]
    """The factors answered with a typed code: an empty one is asked for again, not sent."""
    body: BodyOf
    submit: Callable[[Any, MfaSession], Mapping[str, Any]]
    """The API's step function: ``mfa.verify`` or ``mfa.confirm``."""
    show: ShowPending
    no_push: str
    """What a poll hears when no push is under way on the page."""

    def pending_page(
        self,
        visit: MfaVisit,
        api: MfaSession,
        pending: Mapping[str, Any],
        *,
        words: Friendly | None = None,
    ) -> Response:
        factor = pending["factor"]
        if factor in WEBAUTHN_FACTORS:
            return self.webauthn_page(visit, api, pending, words=words)
        if factor == DUO:
            return duo_page(visit, api, pending, words=words)
        context: dict[str, Any] = {
            "title": self.title,
            "csrf": visit.csrf,
            "factor": factor,
            "name": label(factor).name,
            "pending": pending,
            **visit.remember_offer(api),
        }
        return self.show(pending, context, words)

    def webauthn_page(
        self,
        visit: MfaVisit,
        api: MfaSession,
        pending: Mapping[str, Any],
        *,
        options: Mapping[str, Any] | None = None,
        words: Friendly | None = None,
    ) -> Response:
        """With ``options``: run the ceremony; without (a reload, a refusal): offer to try again."""
        factor = pending["factor"]
        return render(
            self.webauthn_template,
            words=words,
            title=self.title,
            csrf=visit.csrf,
            factor=factor,
            name=label(factor).name,
            pending=pending,
            options=json.dumps(dict(options)) if options else None,
            **visit.remember_offer(api),
        )

    def started(
        self,
        visit: MfaVisit,
        api: MfaSession,
        pending: Mapping[str, Any],
        issued: Mapping[str, Any],
    ) -> Response:
        """A method was started (``issued``: the API's answer): keep ``pending`` (without its
        empty entries) and show it - a WebAuthn ceremony at once (its options are too large
        for the cookie), Duo's prompt, or the step's page after a redirect."""
        kept = {k: v for k, v in pending.items() if v is not None}
        visit.change(pending=kept)
        if kept["factor"] in WEBAUTHN_FACTORS:
            return visit.save(self.webauthn_page(visit, api, kept, options=issued.get("options")))
        if issued.get("redirect_url"):  # Duo's prompt; it comes back to duo.CALLBACK_URL
            return visit.go(str(issued["redirect_url"]))
        return visit.go(self.url)

    def answer(self, request: Request, form: Mapping[str, str]) -> Response:
        """The posted answer to the method under way, checked by the API's step logic."""
        visit = MfaVisit.of(request)
        visit.check(form)
        pending = visit.page.get("pending")
        if not pending or pending["factor"] == DUO:  # Duo answers through its callback only
            return visit.go(self.url)
        api = visit.api()
        if pending["factor"] in self.typed and not form.get("code", "").strip():
            words = Friendly("Enter the code.", 400, "invalid_request")
            return self.pending_page(visit, api, pending, words=words)
        remember = form.get("remember") == "1" and visit.can_remember(api)
        try:
            result = self.submit(self.body(pending, form, remember), api)
        except (FactorError, DeliveryError) as exc:
            return self.pending_page(visit, api, pending, words=friendly(exc))
        return visit.after_step(result)

    def poll(self, request: Request, form: Mapping[str, str]) -> Response:
        """push.js asks whether the phone has answered (see :mod:`.polling`)."""

        def step(visit: MfaVisit, remember: bool) -> Mapping[str, Any]:
            pending = visit.page.get("pending") or {}
            if pending.get("factor") != PUSH:
                raise SessionMissing(self.no_push)
            api = visit.api()
            body = self.body(pending, {}, remember and visit.can_remember(api))
            return self.submit(body, api)

        return poll_answer(request, form, step)

    def back(self, request: Request, form: Mapping[str, str]) -> Response:
        """Leave the method under way and choose another."""
        visit = MfaVisit.of(request)
        visit.check(form)
        return visit.go(self.url, pending=None)
