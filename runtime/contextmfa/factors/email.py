"""``email``: a 6-digit code sent by email.

Any address, the IdP-verified one included, is enrolled like a phone number: a code is sent to it
and the typed code confirms it. A user whose email the IdP has verified also counts as enrolled
without a row (decisions.md): challenging such a user sends a code to that address through a
pending authenticator, which the right code confirms. Nothing is confirmed, and no recovery code
issued, before the code has come back: the IdP's "verified" says the address is the user's, not
that whoever holds the password reads its mail.
"""

from __future__ import annotations

from datetime import datetime

from contextmfa.delivery.base import EmailMessage
from contextmfa.factors.contacts import normalize_email
from contextmfa.factors.context import EnrollRequest, Subject
from contextmfa.factors.errors import AssociationRequired
from contextmfa.factors.messages import email_code
from contextmfa.factors.oob import CodeFactor
from contextmfa.factors.results import ChallengeIssued
from contextmfa.factors.settings import CODE_TTL
from contextmfa.store.limits import EMAIL_SENDS
from contextmfa.store.ports import Authenticator

__all__ = ["EmailFactor"]

IMPLICIT = "implicit"
"""``public`` flag of the authenticator made for an IdP-verified address."""


class EmailFactor(CodeFactor):
    TYPE = "email"
    ADDRESS = "email"
    SEND_LIMIT = EMAIL_SENDS

    def address_from(self, subject: Subject, request: EnrollRequest) -> str:
        return normalize_email(request.email or subject.email)

    def challenge(
        self, subject: Subject, authenticator: Authenticator | None = None, *, now: datetime
    ) -> ChallengeIssued:
        """With no email authenticator, a verified address is challenged through a pending one."""
        if authenticator is None and not self.enrolled(subject):
            authenticator = self._implicit(subject, now=now)
            return self.send_challenge(subject, authenticator, now=now)
        return super().challenge(subject, authenticator, now=now)

    def usable(self, authenticator: Authenticator) -> bool:
        """A pending implicit address may answer a challenge; its code confirms it."""
        return authenticator.confirmed or bool(authenticator.public.get(IMPLICIT))

    def _implicit(self, subject: Subject, *, now: datetime) -> Authenticator:
        if not (subject.email_verified and subject.email):
            raise AssociationRequired("the user has no email authenticator")
        address = normalize_email(subject.email)
        store = self.services.authenticators
        for pending in store.for_user(subject.tenant_id, subject.user_id, confirmed_only=False):
            if (
                pending.type == self.TYPE
                and pending.public.get(IMPLICIT)
                and str(pending.public.get(self.ADDRESS, "")).casefold() == address.casefold()
            ):
                return pending
        return store.add(
            subject.tenant_id,
            subject.user_id,
            self.TYPE,
            name="Verified email",
            public={self.ADDRESS: address, IMPLICIT: True},
            secret=None,
            confirmed=False,
            now=now,
        )

    def send_code(self, subject: Subject, address: str, code: str, *, now: datetime) -> None:
        minutes = int(CODE_TTL.total_seconds() // 60)
        title, body = email_code(self.services.settings.issuer, code, minutes)
        message = EmailMessage(subject.tenant_id, address, title, body)
        self.services.delivery.send_email(message, now=now)
