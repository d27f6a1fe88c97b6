"""One browser's walk through a login's MFA steps: the page session of kind ``mfa``.

The identity provider hands the browser an ``mfa_token`` (:func:`enter`); from then on the token
lives only in the sealed page cookie, never in a URL. The session's data::

    token      the current mfa_token (replaced when a step passes and another follows)
    return_to  one of the tenant's ``[service] return_urls``: where the assertion goes back
    state      the identity provider's opaque state, handed back as it came
    pending    the challenge or enrollment under way (factor, oob_code, what to show again)
    recovery   a recovery code to show once (first enrollment, or a used recovery code)
    done       after the last step: the assertion (and remember token) to hand back

The step logic itself is the API's (:mod:`service.routes.mfa`): the pages call the same
functions with the same :class:`~service.auth.MfaSession`, so a page can do exactly what a
client of ``/v1/mfa/*`` can, checked the same way, counted in the same metrics.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi.security import HTTPAuthorizationCredentials
from starlette.requests import Request
from starlette.responses import Response

from contextmfa.service.auth import MfaSession, ServiceState, mfa_session, state_of
from contextmfa.service.pages.errors import ReturnToRefused, SessionMissing
from contextmfa.service.pages.visit import PageVisit, page_sessions, redirect

__all__ = [
    "CHALLENGE_URL",
    "DONE_URL",
    "ENROLL_URL",
    "MAX_STATE_CHARS",
    "MfaVisit",
    "enter",
]

CHALLENGE_URL = "/u/mfa"
ENROLL_URL = "/u/enroll"
DONE_URL = "/u/mfa/done"
MAX_STATE_CHARS = 1024


def enter(request: Request, mfa_token: str, return_to: str, state_text: str) -> Response:
    """The identity provider's hand-over: check the token and ``return_to``, start a session."""
    state = state_of(request)
    sessions = page_sessions(state)
    now = state.clock()
    api = _open(request, state, mfa_token)
    if return_to not in api.tenant.config.service.return_urls:
        raise ReturnToRefused()
    if len(state_text) > MAX_STATE_CHARS:
        raise ReturnToRefused("The application sent a state value that is too long.")
    data = {"token": mfa_token, "return_to": return_to, "state": state_text}
    session = sessions.new("mfa", data, expires_at=api.txn.expires_at)
    target = ENROLL_URL if api.txn.step.kind == "enroll" else CHALLENGE_URL
    return redirect(request, target, sessions, session, now=now)


def _open(request: Request, state: ServiceState, token: str) -> MfaSession:
    """The API's view of the token (forged: invalid_grant; expired: expired_token)."""
    return mfa_session(
        request, state, HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)
    )


@dataclass
class MfaVisit(PageVisit):
    """One request of a browser in the ``mfa`` page session."""

    @classmethod
    def of(cls, request: Request) -> MfaVisit:
        """The visit of ``request``; :class:`SessionMissing` without a live mfa page session."""
        return cls(request, *cls.read(request, "mfa", SessionMissing()))

    def api(self) -> MfaSession:
        token = self.page.get("token")
        if not isinstance(token, str):
            raise SessionMissing()
        return _open(self.request, self.state, token)

    def own_origins(self) -> Iterable[str]:
        """The tenant's WebAuthn origins, while the session has a token to find the tenant by."""
        if not isinstance(self.page.get("token"), str):
            return ()
        return self.api().tenant.config.service.webauthn_origins

    def can_remember(self, api: MfaSession) -> bool:
        """The decision allows remembering this browser, and the tenant remembers at all."""
        return api.txn.remember and api.tenant.config.policy.remember_browser_days > 0

    def remember_offer(self, api: MfaSession) -> dict[str, Any]:
        """The template context of the "remember this browser" box."""
        days = api.tenant.config.policy.remember_browser_days
        return {"remember": self.can_remember(api), "remember_days": days}

    def end(self, response: Response) -> Response:
        """The session is over: clear the cookie on ``response``."""
        self.sessions.clear(response, request=self.request)
        return response

    def advance(self, result: Mapping[str, Any]) -> str:
        """A step passed (the API's StepResult): the session moves on; returns where to go."""
        recovery = result.get("recovery_code") or self.page.get("recovery")
        if result.get("status") == "next_step":
            step = result.get("step") or {}
            self.change(token=result["mfa_token"], pending=None, recovery=recovery)
            return ENROLL_URL if step.get("kind") == "enroll" else CHALLENGE_URL
        done = {"assertion": result["assertion"]}
        if result.get("remember_token"):
            done["remember_token"] = result["remember_token"]
        self.change(token=None, pending=None, recovery=recovery, done=done)
        return DONE_URL

    def after_step(self, result: Mapping[str, Any]) -> Response:
        return self.go(self.advance(result))
