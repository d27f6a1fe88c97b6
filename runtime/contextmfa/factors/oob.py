"""Codes sent out of band - the shared machinery of ``sms``, ``voice`` and ``email``.

A 6-digit code from the CSPRNG is hashed (the store's keyed hash) into a challenge that expires in
5 minutes and allows 5 tries; the code itself only ever exists in the message body. Each try is
counted atomically *before* the comparison, twice: on the challenge, so concurrent guesses at one
code together get at most 5, and in the user's durable bucket for the factor (10 wrong codes an
hour, however many codes were sent), so asking for new codes buys no more guesses. The right code
spends the challenge once (``finish``) and gives the bucket its attempt back; a replay finds the
challenge spent.

Sends are limited per user and factor (SMS and voice: 10 at once then 1 per hour; email: 20 then
1 per minute). Over the limit nothing is sent. A provider failure raises
:class:`~contextmfa.delivery.DeliveryError` and spends the challenge it would have served.

Subclasses say where codes go (:attr:`ADDRESS`), how to validate it and how to send.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from contextmfa.delivery.base import mask_recipient
from contextmfa.delivery.errors import DeliveryError
from contextmfa.factors.base import Factor
from contextmfa.factors.codes import new_numeric_code, normalize_digits
from contextmfa.factors.context import Answer, EnrollRequest, Subject
from contextmfa.factors.errors import InvalidGrant, InvalidRequest
from contextmfa.factors.results import ChallengeIssued, Enrolled, EnrollmentStarted, Verified
from contextmfa.factors.settings import CODE_TRIES, CODE_TTL
from contextmfa.store.limits import SENT_CODE_FAILURES, BucketLimit
from contextmfa.store.ports import Authenticator, Challenge

__all__ = ["CodeFactor"]

DIGITS = 6


class CodeFactor(Factor):
    """A factor proven by typing a code that was sent to an address."""

    ADDRESS: ClassVar[str]
    """The ``public`` key (and request field) holding the address: phone_number or email."""
    SEND_LIMIT: ClassVar[BucketLimit]

    def address_from(self, subject: Subject, request: EnrollRequest) -> str:
        raise NotImplementedError

    def send_code(self, subject: Subject, address: str, code: str, *, now: datetime) -> None:
        raise NotImplementedError

    # Steps ---------------------------------------------------------------------------------

    def enroll(
        self, subject: Subject, request: EnrollRequest, *, now: datetime
    ) -> EnrollmentStarted | Enrolled:
        address = self.address_from(subject, request)
        if any(a.public.get(self.ADDRESS) == address for a in self.enrolled(subject)):
            raise InvalidRequest(f"this {self.ADDRESS} is already enrolled for {self.TYPE}")
        self.take_limit(subject, self.SEND_LIMIT, now=now)
        created = self.services.authenticators.add(
            subject.tenant_id,
            subject.user_id,
            self.TYPE,
            name=request.name or mask_recipient(address),
            public={self.ADDRESS: address},
            secret=None,
            confirmed=False,
            now=now,
        )
        try:
            challenge = self._send(subject, created, "enroll", now=now)
        except DeliveryError:
            self.services.authenticators.remove(subject.tenant_id, created.id)
            raise
        return EnrollmentStarted(
            self.TYPE,
            authenticator_id=created.id,
            oob_code=challenge.id,
            expires_at=challenge.expires_at,
            sent_to=mask_recipient(address),
        )

    def confirm_enrollment(self, subject: Subject, answer: Answer, *, now: datetime) -> Enrolled:
        challenge = self._check(subject, answer, "enroll", now=now)
        if challenge.authenticator_id is None:
            raise InvalidGrant(f"the {self.TYPE} enrollment no longer exists")
        return self.finish_enrollment(subject, challenge.authenticator_id, now=now)

    def challenge(
        self, subject: Subject, authenticator: Authenticator | None = None, *, now: datetime
    ) -> ChallengeIssued:
        return self.send_challenge(subject, self.pick(subject, authenticator), now=now)

    def send_challenge(
        self, subject: Subject, chosen: Authenticator, *, now: datetime
    ) -> ChallengeIssued:
        """Send a sign-in code to ``chosen`` (within the send limit)."""
        self.take_limit(subject, self.SEND_LIMIT, now=now)
        challenge = self._send(subject, chosen, "verify", now=now)
        return ChallengeIssued(
            self.TYPE,
            "oob",
            authenticator_id=chosen.id,
            oob_code=challenge.id,
            expires_at=challenge.expires_at,
            sent_to=mask_recipient(str(chosen.public.get(self.ADDRESS, ""))),
        )

    def verify(self, subject: Subject, answer: Answer, *, now: datetime) -> Verified:
        challenge = self._check(subject, answer, "verify", now=now)
        authenticator_id = challenge.authenticator_id or ""
        found = self.services.authenticators.get(subject.tenant_id, authenticator_id)
        if found is None or not self.usable(found) or found.user_id != subject.user_id:
            raise InvalidGrant(f"the {self.TYPE} authenticator was removed")
        if not found.confirmed:
            self.services.authenticators.confirm(subject.tenant_id, found.id, now=now)
            self.audit(subject, "factor.enrolled", now, authenticator_id=found.id)
        self.services.authenticators.touch(subject.tenant_id, found.id, now=now)
        self.audit(subject, "factor.verified", now, authenticator_id=found.id)
        return Verified(self.TYPE, found.id)

    # Shared --------------------------------------------------------------------------------

    def attempt_bucket(self, subject: Subject) -> str:
        return f"{self.TYPE}-code:{subject.user_id}"

    def usable(self, authenticator: Authenticator) -> bool:
        """May a code sent to ``authenticator`` pass a sign-in? Only a confirmed one's."""
        return authenticator.confirmed

    def _send(
        self, subject: Subject, authenticator: Authenticator, purpose: str, *, now: datetime
    ) -> Challenge:
        code = new_numeric_code(self.services, DIGITS)
        challenge = self.services.challenges.create(
            subject.tenant_id,
            subject.user_id,
            self.TYPE,
            authenticator_id=authenticator.id,
            data={"purpose": purpose},
            code_hash=self.services.codes.hash(subject.tenant_id, code),
            now=now,
            expires_at=now + CODE_TTL,
            max_attempts=CODE_TRIES,
        )
        try:
            self.send_code(subject, str(authenticator.public[self.ADDRESS]), code, now=now)
        except DeliveryError:
            self.services.challenges.finish(subject.tenant_id, challenge.id, now=now)
            self.audit(subject, "factor.delivery_failed", now, authenticator_id=authenticator.id)
            raise
        self.audit(subject, "factor.code_sent", now, authenticator_id=authenticator.id)
        return challenge

    def _check(self, subject: Subject, answer: Answer, purpose: str, *, now: datetime) -> Challenge:
        """The challenge whose code ``answer.binding_code`` is, spent; else a precise error."""
        challenge = self.load_challenge(subject, answer.oob_code, purpose, now=now)
        self.take_attempt(challenge, now=now)
        self.count_attempt(subject, SENT_CODE_FAILURES, now=now)
        code = normalize_digits(answer.binding_code, DIGITS)
        if code is None or not self.services.codes.matches(
            challenge.code_hash, subject.tenant_id, code
        ):
            left = challenge.max_attempts - challenge.attempts - 1
            hint = f"{left} tries left" if left > 0 else "request a new code"
            self.audit(subject, "factor.failed", now, reason="wrong code")
            raise InvalidGrant(f"invalid {self.TYPE} code ({hint})")
        self.spend(challenge, now=now)
        self.attempt_succeeded(subject, SENT_CODE_FAILURES, now=now)
        return challenge
