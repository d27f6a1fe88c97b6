"""``otp``: TOTP (RFC 6238) with an authenticator app - SHA1, 6 digits, 30-second steps.

Enrollment stores a random 160-bit seed on a pending authenticator and shows it as base32, an
``otpauth://totp/...`` URI and a QR code; the first valid code confirms it. A code is accepted for
the current step and the one before (clock drift, a code typed as the step turned), compared in
constant time. Each accepted step is claimed once per authenticator
(``SingleUse.claim(tenant, "otp:<authenticator id>", str(step))``): a code seen over a shoulder
cannot be replayed within its window.

Attempts are counted per user in a durable token bucket (10, one back every 6 minutes) *before*
the code is compared, so concurrent guesses over many mfa_tokens compare at most 10; a right code
gives its attempt back. When the bucket is empty the code is not even looked at: a correct guess
at that point is refused like a wrong one.
"""

from __future__ import annotations

import base64
import hmac
from datetime import datetime

import pyotp

from contextmfa.factors.base import Factor
from contextmfa.factors.codes import normalize_digits
from contextmfa.factors.context import Answer, EnrollRequest, Subject
from contextmfa.factors.errors import AssociationRequired, InvalidRequest
from contextmfa.factors.qr import qr_svg
from contextmfa.factors.results import ChallengeIssued, Enrolled, EnrollmentStarted, Verified
from contextmfa.store.clock import from_posix, posix
from contextmfa.store.limits import OTP_FAILURES
from contextmfa.store.ports import Authenticator

__all__ = ["DIGITS", "STEP_SECONDS", "OtpFactor", "time_step", "totp_code"]

DIGITS = 6
STEP_SECONDS = 30
SEED_BYTES = 20
WINDOW = (0, -1)
"""Steps accepted relative to now: the current one and the previous one."""


def time_step(now: datetime) -> int:
    """The RFC 6238 counter ``T = floor(unix time / 30)`` for an aware datetime."""
    return int(posix(now)) // STEP_SECONDS


def totp_code(secret_b32: str, step: int, digits: int = DIGITS) -> str:
    """The HOTP value of ``step`` (RFC 4226 dynamic truncation, SHA1) as ``digits`` digits."""
    return pyotp.TOTP(secret_b32, digits=digits, interval=STEP_SECONDS).generate_otp(step)


class OtpFactor(Factor):
    TYPE = "otp"

    def enroll(
        self, subject: Subject, request: EnrollRequest, *, now: datetime
    ) -> EnrollmentStarted:
        store = self.services.authenticators
        for pending in store.for_user(subject.tenant_id, subject.user_id, confirmed_only=False):
            if pending.type == self.TYPE and not pending.confirmed:
                store.remove(subject.tenant_id, pending.id)
        seed = self.services.entropy.token_bytes(SEED_BYTES)
        secret = base64.b32encode(seed).decode("ascii").rstrip("=")
        created = store.add(
            subject.tenant_id,
            subject.user_id,
            self.TYPE,
            name=request.name or "Authenticator app",
            public={},
            secret=secret.encode("ascii"),
            confirmed=False,
            now=now,
        )
        issuer = self.services.settings.issuer
        uri = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
            name=subject.label, issuer_name=issuer
        )
        return EnrollmentStarted(
            self.TYPE,
            authenticator_id=created.id,
            secret=secret,
            otpauth_uri=uri,
            qr_svg=qr_svg(uri),
        )

    def confirm_enrollment(self, subject: Subject, answer: Answer, *, now: datetime) -> Enrolled:
        pending = [
            a
            for a in self.services.authenticators.for_user(
                subject.tenant_id, subject.user_id, confirmed_only=False
            )
            if a.type == self.TYPE and not a.confirmed
        ]
        if answer.authenticator_id is not None:
            pending = [a for a in pending if a.id == answer.authenticator_id]
        if not pending:
            raise InvalidRequest("no otp enrollment is in progress")
        authenticator = self._check_code(subject, pending[-1:], answer.otp, now=now)
        return self.finish_enrollment(subject, authenticator.id, now=now)

    def challenge(
        self, subject: Subject, authenticator: Authenticator | None = None, *, now: datetime
    ) -> ChallengeIssued:
        chosen = self.pick(subject, authenticator)
        return ChallengeIssued(self.TYPE, "otp", authenticator_id=chosen.id)

    def verify(self, subject: Subject, answer: Answer, *, now: datetime) -> Verified:
        candidates = self.enrolled(subject)
        if answer.authenticator_id is not None:
            candidates = [a for a in candidates if a.id == answer.authenticator_id]
        if not candidates:
            raise AssociationRequired("the user has no otp authenticator")
        authenticator = self._check_code(subject, candidates, answer.otp, now=now)
        self.services.authenticators.touch(subject.tenant_id, authenticator.id, now=now)
        self.audit(subject, "factor.verified", now, authenticator_id=authenticator.id)
        return Verified(self.TYPE, authenticator.id)

    def _check_code(
        self,
        subject: Subject,
        candidates: list[Authenticator],
        typed: str | None,
        *,
        now: datetime,
    ) -> Authenticator:
        """The authenticator whose current or previous step ``typed`` is, claimed; else raise.

        The attempt is counted before any comparison and given back only when the code passes.
        """
        self.count_attempt(subject, OTP_FAILURES, now=now)
        code = normalize_digits(typed, DIGITS)
        if code is None:
            raise self.fail(subject, "the otp code must be 6 digits", now=now)
        current = time_step(now)
        for authenticator in candidates:
            secret = (authenticator.secret or b"").decode("ascii")
            if not secret:
                continue
            for offset in WINDOW:
                step = current + offset
                if hmac.compare_digest(totp_code(secret, step).encode(), code.encode()):
                    claimed = self._claim(subject, authenticator, step, now=now)
                    self.attempt_succeeded(subject, OTP_FAILURES, now=now)
                    return claimed
        raise self.fail(subject, "invalid otp code", now=now)

    def _claim(
        self, subject: Subject, authenticator: Authenticator, step: int, *, now: datetime
    ) -> Authenticator:
        # The step is acceptable until the end of the step after it; the claim lives as long.
        until = from_posix((step + len(WINDOW)) * STEP_SECONDS)
        if not self.services.single_use.claim(
            subject.tenant_id, f"otp:{authenticator.id}", str(step), now=now, expires_at=until
        ):
            raise self.fail(
                subject,
                "this otp code was already used",
                now=now,
                authenticator_id=authenticator.id,
            )
        return authenticator
