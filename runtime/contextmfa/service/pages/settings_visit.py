"""One browser's visit to "My MFA settings": the page session of kind ``settings``.

A redeemed settings ticket (:mod:`.settings_ticket`) opens the session (:func:`open_settings`);
its data::

    tid       the tenant
    uid       the user the ticket was issued for (the only user these pages act on)
    usr       contact data from the ticket (email, phone, name) for enrolling
    prf       true when the ticket came with the proof of a fresh MFA, or once this session
              added the user's first factor. Without it the session stood for a user with no
              factor (the first enrollment wins): every request checks the store again, and the
              session ends as soon as the account has a factor that it did not add itself
    pending   a factor being added: {"f": factor, "a": authenticator id, "oob": oob_code, ...};
              the oob_code (a sent code's, a WebAuthn ceremony's, a phone's pairing ticket)
              lives only here, so the browser never names the enrollment it answers
    notice    a one-line status to show once on the next page ("Text message removed.")
    recovery  a recovery code to show once

The session lasts :data:`~.settings_ticket.SESSION_TTL` and is never extended: after it, the
user opens the settings again from the app (a fresh ticket, a fresh sign-in there).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from contextmfa.delivery.errors import DeliveryError
from contextmfa.factors import Answer, Enrolled, Subject
from contextmfa.factors.errors import FactorError
from contextmfa.service.auth import state_of
from contextmfa.service.logs import audit
from contextmfa.service.pages.errors import SessionMissing
from contextmfa.service.pages.labels import label
from contextmfa.service.pages.settings_ticket import SESSION_TTL, TicketHolder, subject_of
from contextmfa.service.pages.visit import PageVisit, page_sessions, redirect
from contextmfa.service.recent_mfa import has_a_factor
from contextmfa.service.steps import user_enrollment_lock
from contextmfa.service.tenants import Tenant

__all__ = ["ADD_TITLE", "ADD_URL", "SETTINGS_URL", "SettingsVisit", "open_settings"]

SETTINGS_URL = "/u/settings"
ADD_URL = SETTINGS_URL + "/add"
ADD_TITLE = "Add a sign-in method"
_ENDED = "Your settings session has ended. Open your security settings again from the application."
_SECURED = (
    "This account has a sign-in method now. Open your security settings again from the "
    "application, and confirm it is you."
)


def open_settings(request: Request, holder: TicketHolder) -> Response:
    """Start a settings session for the ticket's holder and go to the settings page."""
    state = state_of(request)
    sessions = page_sessions(state)
    now = state.clock()
    data = {
        "tid": holder.tenant.id,
        "uid": holder.user_id,
        "usr": dict(holder.contact),
        "prf": holder.proven,
    }
    expires_at = int((now + SESSION_TTL).timestamp())
    session = sessions.new("settings", data, expires_at=expires_at)
    return redirect(request, SETTINGS_URL, sessions, session, now=now)


@dataclass
class SettingsVisit(PageVisit):
    """One request of a browser in a ``settings`` page session."""

    tenant: Tenant
    user_id: str

    @classmethod
    def of(cls, request: Request) -> SettingsVisit:
        """The visit of ``request``; :class:`SessionMissing` without a live settings session."""
        state, sessions, now, page = cls.read(request, "settings", SessionMissing(_ENDED))
        tenant = state.tenants.get(page.get("tid"))
        user_id = page.get("uid")
        if tenant is None or not isinstance(user_id, str) or not user_id:
            raise SessionMissing(_ENDED)
        request.state.tenant_id = tenant.id
        visit = cls(request, state, sessions, now, page, tenant, user_id)
        if not visit.proven and visit.has_a_factor():
            raise SessionMissing(_SECURED)
        return visit

    @property
    def proven(self) -> bool:
        return self.page.get("prf") is True

    def has_a_factor(self) -> bool:
        """Does the account have a factor now (read from the store, as the ticket was minted)?"""
        email_verified = bool(self.subject.email_verified)
        return has_a_factor(self.tenant, self.user_id, email_unverified=not email_verified)

    @property
    def subject(self) -> Subject:
        contact = self.page.get("usr")
        return subject_of(
            self.tenant.id, self.user_id, contact if isinstance(contact, Mapping) else {}
        )

    def own_origins(self) -> Iterable[str]:
        return self.tenant.config.service.webauthn_origins

    def record(self, kind: str, **detail: Any) -> None:
        """Audit-log a change the user made here (``via: settings``)."""
        detail["via"] = "settings"
        self.tenant.store.audit.record(
            self.tenant.id, kind, user_id=self.user_id, detail=detail, now=self.now
        )
        audit(self.tenant.id, kind, self.user_id, **detail)

    def pending(self, factors: tuple[str, ...]) -> Mapping[str, Any] | None:
        """The addition under way, when it is of one of ``factors``."""
        pending = self.page.get("pending")
        if not isinstance(pending, Mapping) or pending.get("f") not in factors:
            return None
        return pending

    def confirmed(self, factor: str, answer: Answer) -> Enrolled:
        """The factor's confirmation of the addition, its outcome counted as the API counts
        it; refusals raise."""
        if self.proven:
            return self._confirm(factor, answer)
        # A session for a user with no factor adds the first one only while there is none,
        # checked and committed under the per-user lock the API's enrollments take.
        with user_enrollment_lock(self.tenant, self.user_id, self.state.clock()):
            if self.has_a_factor():
                raise SessionMissing(_SECURED)
            result = self._confirm(factor, answer)
        self.change(prf=True)  # its own first factor: the session holds as a proven one now
        return result

    def _confirm(self, factor: str, answer: Answer) -> Enrolled:
        metrics = self.state.metrics
        try:
            result = self.tenant.factors.factor(factor).confirm_enrollment(
                self.subject, answer, now=self.now
            )
        except (FactorError, DeliveryError) as exc:
            metrics.factor_result("verify", factor, exc.code)
            raise
        metrics.factor_result("verify", factor, "ok")
        return result

    def added(self, result: Enrolled) -> str:
        """A method was added: audit-log it, say so on the next page, and return where that is
        (the recovery code first, when one came with it)."""
        self.record(
            "user.authenticator_added",
            authenticator_id=result.authenticator_id,
            factor=result.factor,
        )
        found = self.tenant.store.authenticators.get(self.tenant.id, result.authenticator_id)
        name = f" “{found.name}”" if found is not None else ""
        self.change(pending=None, notice=f"{label(result.factor).name}{name} was added.")
        if result.recovery_code:
            self.change(recovery=result.recovery_code)
            return SETTINGS_URL + "/recovery-code"
        return SETTINGS_URL

    def take(self, key: str) -> Any:
        """A value shown once: read it and drop it from the session."""
        value = self.page.get(key)
        if value is not None:
            self.change(**{key: None})
        return value
