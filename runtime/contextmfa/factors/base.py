"""The Factor base class, the registry its subclasses join, and the checks they share.

A factor is a subclass with ``TYPE = "<factor name>"``; defining it puts it into
:data:`FACTOR_TYPES` (authlib's ``register_grant``, privacyIDEA's token classes), so there is no
if/elif over factor names anywhere. Every factor has the same four steps, each taking the clock::

    enroll(subject, request, now=)            -> EnrollmentStarted | Enrolled
    confirm_enrollment(subject, answer, now=) -> Enrolled
    challenge(subject, authenticator, now=)   -> ChallengeIssued
    verify(subject, answer, now=)             -> Verified

A step that does not apply to a factor raises :class:`InvalidRequest`. Checks raise; success
returns a frozen record. The helpers below load a challenge with precise errors (unknown, spent,
expired), count every attempt *before* anything is compared or sent, and finish an enrollment
(confirm it; issue the recovery code if the user has none).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from contextmfa.factors.codes import RECOVERY_TYPE, issue_recovery_code
from contextmfa.factors.context import Answer, EnrollRequest, FactorServices, Subject
from contextmfa.factors.errors import (
    AssociationRequired,
    ExpiredToken,
    InvalidGrant,
    InvalidRequest,
    TooManyAttempts,
)
from contextmfa.factors.results import ChallengeIssued, Enrolled, EnrollmentStarted, Verified
from contextmfa.store.limits import BucketLimit
from contextmfa.store.ports import Authenticator, Challenge, RateLimiter

__all__ = ["FACTOR_TYPES", "Factor"]

FACTOR_TYPES: dict[str, type[Factor]] = {}
"""Factor name -> class; filled as factor modules are imported (``factors.registry`` does)."""

_log = logging.getLogger("contextmfa.factors")


class Factor:
    """One factor bound to its services. Subclasses set ``TYPE`` and override the steps."""

    TYPE: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("TYPE")
        if name is None:
            return
        if name in FACTOR_TYPES and FACTOR_TYPES[name] is not cls:
            raise TypeError(f"two factor classes for {name!r}")
        FACTOR_TYPES[name] = cls

    def __init__(self, services: FactorServices) -> None:
        self.services = services

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    # The four steps ------------------------------------------------------------------------

    def enroll(
        self, subject: Subject, request: EnrollRequest, *, now: datetime
    ) -> EnrollmentStarted | Enrolled:
        raise InvalidRequest(f"{self.TYPE} cannot be enrolled here")

    def confirm_enrollment(self, subject: Subject, answer: Answer, *, now: datetime) -> Enrolled:
        raise InvalidRequest(f"{self.TYPE} has no enrollment to confirm")

    def challenge(
        self, subject: Subject, authenticator: Authenticator | None = None, *, now: datetime
    ) -> ChallengeIssued:
        raise InvalidRequest(f"{self.TYPE} cannot be challenged")

    def verify(self, subject: Subject, answer: Answer, *, now: datetime) -> Verified:
        raise InvalidRequest(f"{self.TYPE} cannot be verified")

    # Authenticators ------------------------------------------------------------------------

    def enrolled(self, subject: Subject) -> list[Authenticator]:
        """The user's confirmed authenticators of this factor, oldest first."""
        rows = self.services.authenticators.for_user(subject.tenant_id, subject.user_id)
        return [a for a in rows if a.type == self.TYPE]

    def pick(self, subject: Subject, authenticator: Authenticator | None) -> Authenticator:
        """The given authenticator (checked to be this user's and this factor's) or the first."""
        if authenticator is None:
            found = self.enrolled(subject)
            if not found:
                raise AssociationRequired(f"the user has no {self.TYPE} authenticator")
            return found[0]
        if (
            authenticator.tenant_id != subject.tenant_id
            or authenticator.user_id != subject.user_id
            or authenticator.type != self.TYPE
            or not authenticator.confirmed
        ):
            raise InvalidRequest(f"not an enrolled {self.TYPE} authenticator of this user")
        return authenticator

    def finish_enrollment(
        self, subject: Subject, authenticator_id: str, *, now: datetime
    ) -> Enrolled:
        """Confirm the authenticator; the user's first enrollment also gets a recovery code."""
        store = self.services.authenticators
        had_recovery = any(
            a.type == RECOVERY_TYPE for a in store.for_user(subject.tenant_id, subject.user_id)
        )
        if not store.confirm(subject.tenant_id, authenticator_id, now=now):
            raise InvalidGrant(f"the {self.TYPE} enrollment no longer exists")
        recovery = None if had_recovery else issue_recovery_code(self.services, subject, now=now)
        self.audit(subject, "factor.enrolled", now, authenticator_id=authenticator_id)
        return Enrolled(self.TYPE, authenticator_id, recovery_code=recovery)

    # Challenges ----------------------------------------------------------------------------

    def load_challenge(
        self, subject: Subject, oob_code: str | None, purpose: str, *, now: datetime
    ) -> Challenge:
        """This user's live challenge of this factor for ``purpose``, or a precise refusal."""
        if not isinstance(oob_code, str) or not oob_code or len(oob_code) > 200:
            raise InvalidRequest("oob_code is required")
        found = self.services.challenges.get(subject.tenant_id, oob_code)
        if (
            found is None
            or found.user_id != subject.user_id
            or found.factor != self.TYPE
            or found.data.get("purpose") != purpose
        ):
            raise InvalidGrant(f"unknown {self.TYPE} oob_code")
        if found.finished:
            raise InvalidGrant(f"this {self.TYPE} challenge was already used")
        if found.expired(now):
            raise ExpiredToken(f"this {self.TYPE} challenge has expired")
        return found

    def take_attempt(self, challenge: Challenge, *, now: datetime) -> None:
        """Count one attempt before comparing anything; refuse when none is left."""
        if not self.services.challenges.take_attempt(challenge.tenant_id, challenge.id, now=now):
            if challenge.expired(now):
                raise ExpiredToken(f"this {self.TYPE} challenge has expired")
            raise TooManyAttempts(
                f"too many tries for this {self.TYPE} challenge; start a new one", 0
            )

    def spend(self, challenge: Challenge, *, now: datetime) -> None:
        """Finish the challenge; exactly one concurrent caller gets past this."""
        if not self.services.challenges.finish(challenge.tenant_id, challenge.id, now=now):
            raise InvalidGrant(f"this {self.TYPE} challenge was already used")

    # Rate limits ---------------------------------------------------------------------------

    def bucket(self, subject: Subject) -> str:
        return f"{self.TYPE}:{subject.user_id}"

    def attempt_bucket(self, subject: Subject) -> str:
        """The bucket verification attempts are counted in (sends have :meth:`bucket`)."""
        return self.bucket(subject)

    def count_attempt(self, subject: Subject, limit: BucketLimit, *, now: datetime) -> None:
        """Take one verification attempt from the user's durable bucket *before* comparing.

        The take is atomic in the store, so any number of concurrent guesses, over any number of
        mfa_tokens and workers, compare at most the bucket's capacity. Refuses (comparing
        nothing) when the bucket is empty. A right answer calls :meth:`attempt_succeeded`.
        """
        self._take(self.services.attempt_limits, self.attempt_bucket(subject), subject, limit, now)

    def attempt_succeeded(self, subject: Subject, limit: BucketLimit, *, now: datetime) -> None:
        """A right answer gives its attempt back: only failures spend the budget."""
        self.services.attempt_limits.give_back(
            subject.tenant_id, self.attempt_bucket(subject), limit, now=now
        )

    def take_limit(self, subject: Subject, limit: BucketLimit, *, now: datetime) -> None:
        """Take one token (a send); refuse when there is none."""
        self._take(self.services.rate_limits, self.bucket(subject), subject, limit, now)

    def fail(self, subject: Subject, reason: str, *, now: datetime, **detail: Any) -> InvalidGrant:
        """Audit a failed attempt (already counted by :meth:`count_attempt`); the error to raise."""
        self.audit(subject, "factor.failed", now, reason=reason, **detail)
        return InvalidGrant(reason)

    def _take(
        self,
        limiter: RateLimiter,
        key: str,
        subject: Subject,
        limit: BucketLimit,
        now: datetime,
    ) -> None:
        """One token from ``key``'s bucket, or an audited ``too_many_attempts``."""
        verdict = limiter.take(subject.tenant_id, key, limit, now=now)
        if not verdict.allowed:
            retry_after = verdict.retry_after_seconds
            self.audit(subject, "factor.rate_limited", now, retry_after=retry_after)
            raise TooManyAttempts(f"too many {self.TYPE} attempts; retry later", retry_after)

    # Audit ---------------------------------------------------------------------------------

    def audit(self, subject: Subject, kind: str, now: datetime, **detail: Any) -> None:
        """Record a security event; ``detail`` carries ids and reasons, never a code or key."""
        entry: Mapping[str, Any] = {"factor": self.TYPE, **detail}
        _log.info("%s %s for user %s", kind, self.TYPE, subject.user_id)
        if self.services.audit is not None:
            self.services.audit.record(
                subject.tenant_id, kind, user_id=subject.user_id, detail=entry, now=now
            )
