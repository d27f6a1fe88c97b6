"""One request of a browser in a page session, whatever its kind: what every page's visit does.

A login's visit (:class:`~.flow.MfaVisit`) and a "My MFA settings" visit
(:class:`~.settings_visit.SettingsVisit`) both read the sealed session of their kind, check a
POST's CSRF token and origin, change the session and store it with the response, and move on
with a 303. They differ in what the session stands for (an mfa_token, or a ticket's user).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from contextmfa.service.auth import ServiceState, state_of
from contextmfa.service.pages.errors import SessionMissing
from contextmfa.service.pages.forms import checked
from contextmfa.service.pages.security import protect
from contextmfa.service.pages.session import PageSession, PageSessions, SessionKind

__all__ = ["PageVisit", "page_sessions", "redirect"]


def page_sessions(state: ServiceState) -> PageSessions:
    return PageSessions(state.tenants.page_key)


def redirect(
    request: Request,
    url: str,
    sessions: PageSessions,
    session: PageSession | None,
    *,
    now: datetime,
) -> Response:
    """303 to ``url``, storing ``session`` in the cookie (None: clearing it)."""
    response = RedirectResponse(url, status_code=303)
    if session is None:
        sessions.clear(response, request=request)
    else:
        sessions.attach(response, session, request=request, now=now)
    return protect(response)


@dataclass
class PageVisit:
    """One request of a browser in a live page session."""

    request: Request
    state: ServiceState
    sessions: PageSessions
    now: datetime
    page: PageSession

    @staticmethod
    def read(
        request: Request, kind: SessionKind, missing: SessionMissing
    ) -> tuple[ServiceState, PageSessions, datetime, PageSession]:
        """The service, its sessions, the time and the live session of ``kind``; else
        ``missing`` is raised."""
        state = state_of(request)
        sessions = page_sessions(state)
        now = state.clock()
        page = sessions.read(request, now=now)
        if page is None or page.kind != kind:
            raise missing
        return state, sessions, now, page

    @property
    def csrf(self) -> str:
        return self.sessions.csrf_token(self.page)

    def check(self, form: Mapping[str, str]) -> None:
        """CSRF token and origin of a POST: every state-changing request passes here."""
        checked(self.request, self.sessions, self.page, form, origins=self.own_origins())

    def own_origins(self) -> Iterable[str]:
        """More origins that are this service (the tenant's WebAuthn origins, behind a proxy)."""
        return ()

    def change(self, **changes: Any) -> None:
        """Put ``changes`` in the session (None removes a key); saved by the next response."""
        self.page = self.page.updated(**changes)

    def save(self, response: Response) -> Response:
        """Store the session in ``response``'s cookie."""
        self.sessions.attach(response, self.page, request=self.request, now=self.now)
        return response

    def go(self, url: str, **changes: Any) -> Response:
        """303 to ``url`` with ``changes`` in the session."""
        self.change(**changes)
        return redirect(self.request, url, self.sessions, self.page, now=self.now)
