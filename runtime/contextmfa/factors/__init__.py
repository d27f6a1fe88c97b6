"""The factor module: enroll, challenge and verify each MFA factor (spec: factors-and-service).

    services = FactorServices.from_store(store, delivery, FactorSettings.from_config(config))
    factors = build_factors(services, config.policy.factors)
    started = factors.factor("otp").enroll(subject, EnrollRequest(), now=now)
    enrolled = factors.factor("otp").confirm_enrollment(subject, Answer(otp="123456"), now=now)

One class per factor, registered by ``TYPE`` (:data:`FACTOR_TYPES`). Every step takes ``now``,
raises a :class:`FactorError` subclass (Auth0 ``code`` + HTTP ``status``) on any failed check and
returns a frozen result. The core knows nothing of HTTP; storage and delivery come in as ports.
"""

from contextmfa.factors.base import FACTOR_TYPES, Factor
from contextmfa.factors.context import (
    Answer,
    EnrollRequest,
    Entropy,
    FactorServices,
    Subject,
    SystemEntropy,
)
from contextmfa.factors.duo import DuoFactor
from contextmfa.factors.email import EmailFactor
from contextmfa.factors.errors import (
    AccessDenied,
    AssociationRequired,
    AuthorizationPending,
    ExpiredToken,
    FactorError,
    FactorUnavailable,
    InvalidGrant,
    InvalidRequest,
    SlowDown,
    TooManyAttempts,
    UnsupportedChallengeType,
)
from contextmfa.factors.otp import OtpFactor
from contextmfa.factors.push import PushFactor
from contextmfa.factors.recovery import RecoveryCodeFactor
from contextmfa.factors.registry import FactorSet, build_factors, factor_class
from contextmfa.factors.results import (
    ChallengeIssued,
    DeviceRegistered,
    DuoHealth,
    Enrolled,
    EnrollmentStarted,
    PushAnswered,
    Verified,
)
from contextmfa.factors.settings import DuoSettings, FactorSettings, WebAuthnSettings
from contextmfa.factors.sms import SmsFactor, VoiceFactor
from contextmfa.factors.webauthn import (
    PlatformWebAuthnFactor,
    RoamingWebAuthnFactor,
    WebAuthnFactor,
)

__all__ = [
    "FACTOR_TYPES",
    "AccessDenied",
    "Answer",
    "AssociationRequired",
    "AuthorizationPending",
    "ChallengeIssued",
    "DeviceRegistered",
    "DuoFactor",
    "DuoHealth",
    "DuoSettings",
    "EmailFactor",
    "EnrollRequest",
    "Enrolled",
    "EnrollmentStarted",
    "Entropy",
    "ExpiredToken",
    "Factor",
    "FactorError",
    "FactorServices",
    "FactorSet",
    "FactorSettings",
    "FactorUnavailable",
    "InvalidGrant",
    "InvalidRequest",
    "OtpFactor",
    "PlatformWebAuthnFactor",
    "PushAnswered",
    "PushFactor",
    "RecoveryCodeFactor",
    "RoamingWebAuthnFactor",
    "SlowDown",
    "SmsFactor",
    "Subject",
    "SystemEntropy",
    "TooManyAttempts",
    "UnsupportedChallengeType",
    "Verified",
    "VoiceFactor",
    "WebAuthnFactor",
    "WebAuthnSettings",
    "build_factors",
    "factor_class",
]
