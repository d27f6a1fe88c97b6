"""``email``: a 6-digit code sent by email.

A user whose email the IdP has verified is enrolled at once (``enroll`` without an address, or
with that same address, returns :class:`Enrolled`); any other address is confirmed by a code
sent to it, like a phone number.
"""

from __future__ import annotations

from datetime import datetime

from contextmfa.delivery.base import EmailMessage
from contextmfa.factors.contacts import normalize_email
from contextmfa.factors.context import EnrollRequest, Subject
from contextmfa.factors.messages import email_code
from contextmfa.factors.oob import CodeFactor
from contextmfa.factors.results import Enrolled, EnrollmentStarted
from contextmfa.factors.settings import CODE_TTL
from contextmfa.store.limits import EMAIL_SENDS

__all__ = ["EmailFactor"]


class EmailFactor(CodeFactor):
    TYPE = "email"
    ADDRESS = "email"
    SEND_LIMIT = EMAIL_SENDS

    def address_from(self, subject: Subject, request: EnrollRequest) -> str:
        return normalize_email(request.email or subject.email)

    def enroll(
        self, subject: Subject, request: EnrollRequest, *, now: datetime
    ) -> EnrollmentStarted | Enrolled:
        address = self.address_from(subject, request)
        if not (subject.email_verified and subject.email):
            return super().enroll(subject, request, now=now)
        if address.casefold() != normalize_email(subject.email).casefold():
            return super().enroll(subject, request, now=now)
        for existing in self.enrolled(subject):
            if str(existing.public.get(self.ADDRESS, "")).casefold() == address.casefold():
                return Enrolled(self.TYPE, existing.id)
        created = self.services.authenticators.add(
            subject.tenant_id,
            subject.user_id,
            self.TYPE,
            name=request.name or "Verified email",
            public={self.ADDRESS: address, "implicit": True},
            secret=None,
            confirmed=False,
            now=now,
        )
        return self.finish_enrollment(subject, created.id, now=now)

    def send_code(self, subject: Subject, address: str, code: str, *, now: datetime) -> None:
        minutes = int(CODE_TTL.total_seconds() // 60)
        title, body = email_code(self.services.settings.issuer, code, minutes)
        message = EmailMessage(subject.tenant_id, address, title, body)
        self.services.delivery.send_email(message, now=now)
