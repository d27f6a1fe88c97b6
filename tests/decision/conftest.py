"""Builders shared by the decision tests: a tenant policy and a user with sensible defaults."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from contextmfa.decision import PolicySettings, UserContext

SAMPLE_ENABLED = (
    "otp",
    "sms",
    "voice",
    "email",
    "push-notification",
    "webauthn-roaming",
    "webauthn-platform",
    "recovery-code",
)
"""The sample tenant.toml's enabled factors (cli-and-config.md): every factor but duo."""


def build_policy(
    mfa: str = "never", factors: Iterable[str] = SAMPLE_ENABLED, days: int = 30
) -> PolicySettings:
    return PolicySettings(mfa=mfa, factors=frozenset(factors), remember_browser_days=days)  # type: ignore[arg-type]


def build_user(
    enrolled: Iterable[str] = ("otp",),
    *,
    email_verified: bool = False,
    mfa: Iterable[str] = (),
    untyped_mfa: bool = False,
    remembered: bool = False,
    confidence: str = "high",
) -> UserContext:
    """``mfa``: factor types already passed this session; ``untyped_mfa``: an ``mfa`` method
    without a type."""
    methods = frozenset(mfa)
    return UserContext(
        enrolled=frozenset(enrolled),
        email_verified=email_verified,
        mfa_methods=methods,
        has_mfa_method=bool(methods) or untyped_mfa,
        device_remembered=remembered,
        confidence=confidence,
    )


@pytest.fixture(scope="session")
def policy() -> Callable[..., PolicySettings]:
    return build_policy


@pytest.fixture(scope="session")
def user() -> Callable[..., UserContext]:
    return build_user
