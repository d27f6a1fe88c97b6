"""Why a factor refused: one class per condition, each with its Auth0 ``code`` and HTTP status.

    ContextMFAError                    (contextmfa.errors)
     └── FactorError                   code, status, description
          ├── InvalidRequest           invalid_request             400  malformed input
          ├── InvalidGrant             invalid_grant               403  wrong code or signature
          ├── ExpiredToken             expired_token               403  challenge past its time
          ├── TooManyAttempts          too_many_attempts           429  over a limit; retry_after
          ├── AuthorizationPending     authorization_pending       400  push: not answered yet
          ├── SlowDown                 slow_down                   429  push: polled within 5 s
          ├── AccessDenied             access_denied               403  push rejected, Duo denied
          ├── UnsupportedChallengeType unsupported_challenge_type  400  unknown/disabled factor
          ├── AssociationRequired      association_required        403  user not enrolled in it
          └── FactorUnavailable        mfa_factor_unavailable      503  Duo down or unconfigured

Delivery failures are :class:`contextmfa.delivery.DeliveryError` (also ``mfa_factor_unavailable``,
503): a message that could not be sent is never a passed challenge.

Messages are written for the end user's client: they name the factor and the condition, never a
code, secret, key, phone number digit or anything the caller sent.
"""

from __future__ import annotations

from contextmfa.errors import ContextMFAError

__all__ = [
    "AccessDenied",
    "AssociationRequired",
    "AuthorizationPending",
    "ExpiredToken",
    "FactorError",
    "FactorUnavailable",
    "InvalidGrant",
    "InvalidRequest",
    "SlowDown",
    "TooManyAttempts",
    "UnsupportedChallengeType",
]


class FactorError(ContextMFAError):
    """A factor refused to enroll, challenge or verify; ``code`` and ``status`` go to HTTP."""

    code = "invalid_request"
    status = 400

    def __init__(self, description: str) -> None:
        self.description = description
        super().__init__(description)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.description!r})"


class InvalidRequest(FactorError):
    code = "invalid_request"
    status = 400


class InvalidGrant(FactorError):
    code = "invalid_grant"
    status = 403


class ExpiredToken(FactorError):
    code = "expired_token"
    status = 403


class TooManyAttempts(FactorError):
    """Over a brute-force or send limit; nothing was checked or sent. Retry after the seconds."""

    code = "too_many_attempts"
    status = 429

    def __init__(self, description: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(description)

    def __repr__(self) -> str:
        return f"TooManyAttempts({self.description!r}, retry_after={self.retry_after})"


class AuthorizationPending(FactorError):
    code = "authorization_pending"
    status = 400


class SlowDown(FactorError):
    """Polled sooner than ``interval`` seconds after the previous poll."""

    code = "slow_down"
    status = 429

    def __init__(self, description: str, interval: int) -> None:
        self.interval = interval
        super().__init__(description)


class AccessDenied(FactorError):
    code = "access_denied"
    status = 403


class UnsupportedChallengeType(FactorError):
    code = "unsupported_challenge_type"
    status = 400


class AssociationRequired(FactorError):
    code = "association_required"
    status = 403


class FactorUnavailable(FactorError):
    code = "mfa_factor_unavailable"
    status = 503
