"""``recovery-code``: one 24-character code, issued with the first enrollment, single use.

The code is shown once and stored only as the store's keyed hash. Using it spends it atomically
(``SingleUse.claim(tenant, "recovery-code", <hash>)``: two concurrent uses cannot both pass) and
hands back a fresh code, again shown once. Attempts share the OTP budget's shape: each is counted
before the comparison, 10 failures per hour per user, and over it the typed code is not checked.
"""

from __future__ import annotations

from datetime import datetime

from contextmfa.factors.base import Factor
from contextmfa.factors.codes import issue_recovery_code, normalize_recovery_code
from contextmfa.factors.context import Answer, EnrollRequest, Subject
from contextmfa.factors.errors import InvalidRequest
from contextmfa.factors.results import ChallengeIssued, Enrolled, EnrollmentStarted, Verified
from contextmfa.store.limits import RECOVERY_CODE_FAILURES
from contextmfa.store.ports import Authenticator

__all__ = ["RecoveryCodeFactor"]


class RecoveryCodeFactor(Factor):
    TYPE = "recovery-code"

    def enroll(
        self, subject: Subject, request: EnrollRequest, *, now: datetime
    ) -> EnrollmentStarted | Enrolled:
        raise InvalidRequest("a recovery code is issued with the first enrollment of a factor")

    def challenge(
        self, subject: Subject, authenticator: Authenticator | None = None, *, now: datetime
    ) -> ChallengeIssued:
        chosen = self.pick(subject, authenticator)
        return ChallengeIssued(self.TYPE, "recovery-code", authenticator_id=chosen.id)

    def verify(self, subject: Subject, answer: Answer, *, now: datetime) -> Verified:
        stored = self.pick(subject, None)
        self.count_attempt(subject, RECOVERY_CODE_FAILURES, now=now)
        code = normalize_recovery_code(answer.recovery_code)
        digest = (stored.secret or b"").decode("ascii")
        if code is None or not self.services.codes.matches(digest, subject.tenant_id, code):
            raise self.fail(subject, "invalid recovery code", now=now)
        if not self.services.single_use.claim(subject.tenant_id, "recovery-code", digest, now=now):
            raise self.fail(subject, "this recovery code was already used", now=now)
        self.attempt_succeeded(subject, RECOVERY_CODE_FAILURES, now=now)
        fresh = issue_recovery_code(self.services, subject, now=now)
        self.audit(subject, "factor.verified", now, authenticator_id=stored.id)
        return Verified(self.TYPE, stored.id, recovery_code=fresh)
