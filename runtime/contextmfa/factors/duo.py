"""``duo``: hand the second factor to Duo's Universal Prompt (OIDC redirect) via duo_universal.

Duo enrolls its own users, so there is nothing to enroll here; the first Duo sign-in Duo allows
in an enroll step is recorded as the user's ``duo`` authenticator (:meth:`record_enrollment`).
``challenge`` checks Duo's health (an unreachable Duo is ``mfa_factor_unavailable``, never a
pass), then creates a challenge whose id is the OIDC ``state`` and returns the prompt's URL; a
fresh ``nonce`` is bound to it. Duo redirects the browser back with ``duo_code`` and ``state``;
``verify`` takes them as ``binding_code`` and ``oob_code``, exchanges the code (duo_universal
checks the ID token's signature, audience, issuer, expiry, username and nonce) and passes only
on an ``allow`` result.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime
from types import ModuleType
from typing import Any

from contextmfa.factors.base import Factor
from contextmfa.factors.context import Answer, FactorServices, Subject
from contextmfa.factors.errors import AccessDenied, FactorUnavailable, InvalidGrant, InvalidRequest
from contextmfa.factors.results import ChallengeIssued, DuoHealth, Enrolled, Verified
from contextmfa.factors.settings import CODE_TTL
from contextmfa.store.ports import Authenticator

__all__ = ["DuoFactor"]

ClientFactory = Callable[..., Any]


class DuoFactor(Factor):
    TYPE = "duo"

    def __init__(
        self, services: FactorServices, client_factory: ClientFactory | None = None
    ) -> None:
        super().__init__(services)
        self._factory = client_factory

    def health_check(self, *, now: datetime) -> DuoHealth:
        """Duo answers and accepts our credentials; else :class:`FactorUnavailable`."""
        client = self._client()
        try:
            answer = client.health_check()
        except _duo().DuoException:
            raise FactorUnavailable("Duo is unavailable") from None
        response = answer.get("response") if isinstance(answer, dict) else None
        stamp = response.get("timestamp") if isinstance(response, dict) else None
        return DuoHealth(int(stamp) if isinstance(stamp, int | float) else int(now.timestamp()))

    def challenge(
        self, subject: Subject, authenticator: Authenticator | None = None, *, now: datetime
    ) -> ChallengeIssued:
        self.health_check(now=now)
        client = self._client()
        nonce = self.services.entropy.token_bytes(24).hex()
        username = _username(subject)
        record = self.services.challenges.create(
            subject.tenant_id,
            subject.user_id,
            self.TYPE,
            authenticator_id=None,
            data={"purpose": "verify", "nonce": nonce, "username": username},
            code_hash=None,
            now=now,
            expires_at=now + CODE_TTL,
            max_attempts=1,
        )
        try:
            url = client.create_auth_url(username, record.id, nonce=nonce)
        except _duo().DuoException:
            raise FactorUnavailable("Duo rejected the sign-in request") from None
        self.audit(subject, "factor.redirected", now)
        return ChallengeIssued(
            self.TYPE,
            "redirect",
            oob_code=record.id,
            expires_at=record.expires_at,
            redirect_url=url,
        )

    def verify(self, subject: Subject, answer: Answer, *, now: datetime) -> Verified:
        record = self.load_challenge(subject, answer.oob_code, "verify", now=now)
        if not isinstance(answer.binding_code, str) or not answer.binding_code:
            raise InvalidRequest("binding_code (Duo's duo_code) is required")
        self.take_attempt(record, now=now)
        client = self._client()
        try:
            token = client.exchange_authorization_code_for_2fa_result(
                answer.binding_code, str(record.data["username"]), nonce=str(record.data["nonce"])
            )
        except _duo().DuoException as exc:
            if _unreachable(exc):
                raise FactorUnavailable("Duo is unavailable") from None
            self.audit(subject, "factor.failed", now, reason="duo code refused")
            raise InvalidGrant("Duo did not accept the code") from None
        result = token.get("auth_result") if isinstance(token, dict) else None
        if not isinstance(result, dict) or result.get("result") != "allow":
            self.audit(subject, "factor.failed", now, reason="duo denied")
            raise AccessDenied("Duo denied the sign-in")
        self.spend(record, now=now)
        self.audit(subject, "factor.verified", now)
        return Verified(self.TYPE, "duo")

    def record_enrollment(self, subject: Subject, *, now: datetime) -> Enrolled:
        """Remember that Duo knows this user, after Duo allowed a sign-in in an enroll step.

        Duo enrolls its users in its own prompt, so the first allowed Duo sign-in is the proof
        of enrollment: from then on the user has a ``duo`` authenticator and the policy
        challenges rather than enrolls them. The first enrollment of a user also gets a recovery
        code, as with every factor.
        """
        found = self.enrolled(subject)
        if found:
            return Enrolled(self.TYPE, found[0].id)
        added = self.services.authenticators.add(
            subject.tenant_id,
            subject.user_id,
            self.TYPE,
            name="Duo",
            public={"username": _username(subject)},
            secret=None,
            confirmed=False,
            now=now,
        )
        return self.finish_enrollment(subject, added.id, now=now)

    def _client(self) -> Any:
        settings = self.services.settings.duo
        if settings is None:
            raise FactorUnavailable("Duo is not configured for this tenant")
        extra = {"duo_certs": settings.ca_certs} if settings.ca_certs else {}
        factory = self._factory or _duo().Client
        try:
            return factory(
                settings.client_id,
                settings.client_secret,
                settings.api_host,
                settings.redirect_uri,
                **extra,
            )
        except _duo().DuoException:
            raise FactorUnavailable("Duo is misconfigured (client id, secret or host)") from None


def _duo() -> ModuleType:
    """duo_universal, imported on first use: it pulls in requests, which nothing else needs."""
    return importlib.import_module("duo_universal")


def _username(subject: Subject) -> str:
    return subject.username or subject.email or subject.user_id


def _unreachable(exc: BaseException) -> bool:
    """Did the exchange fail on the network (not on Duo's verdict)?"""
    inner = exc.args[0] if exc.args else None
    module = type(inner).__module__ or ""
    return module.startswith(("requests", "urllib3")) or isinstance(inner, OSError)
