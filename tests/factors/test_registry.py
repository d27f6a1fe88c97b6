"""The factor registry and the error vocabulary."""

from __future__ import annotations

import pytest

from contextmfa.directives import FACTORS
from contextmfa.errors import ContextMFAError
from contextmfa.factors import (
    FACTOR_TYPES,
    AccessDenied,
    AssociationRequired,
    AuthorizationPending,
    ExpiredToken,
    Factor,
    FactorError,
    FactorUnavailable,
    InvalidGrant,
    InvalidRequest,
    SlowDown,
    TooManyAttempts,
    UnsupportedChallengeType,
    build_factors,
    factor_class,
)
from contextmfa.factors import errors as errors_module


def test_one_class_per_factor_name() -> None:
    assert set(FACTOR_TYPES) == set(FACTORS)
    for name, cls in FACTOR_TYPES.items():
        assert name == cls.TYPE and issubclass(cls, Factor)
    assert factor_class("otp").TYPE == "otp"
    with pytest.raises(UnsupportedChallengeType):
        factor_class("carrier-pigeon")


def test_a_second_class_for_a_name_is_refused() -> None:
    with pytest.raises(TypeError, match="two factor classes"):
        type("OtherOtp", (Factor,), {"TYPE": "otp"})


def test_build_enabled_factors_with_recovery_codes(services) -> None:
    factors = build_factors(services, ["otp", "sms"])
    assert list(factors) == ["otp", "sms", "recovery-code"]
    assert factors.factor("sms").TYPE == "sms"
    assert "duo" not in factors
    with pytest.raises(UnsupportedChallengeType) as refused:
        factors.factor("duo")
    assert refused.value.code == "unsupported_challenge_type" and refused.value.status == 400
    assert list(build_factors(services, [])) == []
    assert list(build_factors(services)) == list(FACTORS)


@pytest.mark.parametrize(
    ("cls", "code", "status"),
    [
        (InvalidRequest, "invalid_request", 400),
        (InvalidGrant, "invalid_grant", 403),
        (ExpiredToken, "expired_token", 403),
        (AuthorizationPending, "authorization_pending", 400),
        (AccessDenied, "access_denied", 403),
        (UnsupportedChallengeType, "unsupported_challenge_type", 400),
        (AssociationRequired, "association_required", 403),
        (FactorUnavailable, "mfa_factor_unavailable", 503),
    ],
)
def test_codes_and_statuses(cls, code, status) -> None:
    error = cls("why")
    assert (error.code, error.status, error.description) == (code, status, "why")
    assert isinstance(error, FactorError) and isinstance(error, ContextMFAError)


def test_errors_with_extra_fields() -> None:
    limited = TooManyAttempts("slow", 360)
    assert (limited.code, limited.status, limited.retry_after) == ("too_many_attempts", 429, 360)
    slow = SlowDown("poll less", 5)
    assert (slow.code, slow.status, slow.interval) == ("slow_down", 429, 5)


def test_every_error_class_is_documented_in_the_tree() -> None:
    for name in errors_module.__all__:
        assert name in (errors_module.__doc__ or "")
