"""What a factor returns when a step succeeds: frozen records, secrets kept out of ``repr``.

Every factor method either raises a :mod:`~contextmfa.factors.errors` error or returns one of
these. Fields a factor does not use stay ``None``; the service turns them into JSON as they are.

* :class:`EnrollmentStarted` - ``enroll``: otp gives ``secret``/``otpauth_uri``/``qr_svg``; sms,
  voice and email an ``oob_code`` (a code was sent to ``sent_to``); push an ``oob_code`` that is
  also the enrollment ticket, with ``ticket_uri``/``qr_svg``; WebAuthn an ``oob_code`` and
  registration ``options``.
* :class:`Enrolled` - ``confirm_enrollment`` (and ``enroll`` of an already verified email);
  ``recovery_code`` is set when the user had none (shown once).
* :class:`ChallengeIssued` - ``challenge``: ``challenge_type`` tells the client what to do next
  (``otp`` type a code, ``oob`` wait for / type a code sent elsewhere, ``webauthn`` run
  ``navigator.credentials.get(options)``, ``redirect`` go to Duo, ``recovery-code``).
* :class:`Verified` - ``verify``; recovery codes hand back a fresh ``recovery_code``.
* :class:`DeviceRegistered`, :class:`PushAnswered` - the push device's side.
* :class:`DuoHealth` - Duo's health check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

__all__ = [
    "ChallengeIssued",
    "ChallengeType",
    "DeviceRegistered",
    "DuoHealth",
    "Enrolled",
    "EnrollmentStarted",
    "PushAnswered",
    "Verified",
]

ChallengeType = Literal["otp", "oob", "webauthn", "redirect", "recovery-code"]


@dataclass(frozen=True, slots=True)
class EnrollmentStarted:
    factor: str
    authenticator_id: str | None = None
    oob_code: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None
    sent_to: str | None = None
    secret: str | None = field(default=None, repr=False)
    otpauth_uri: str | None = field(default=None, repr=False)
    ticket_uri: str | None = field(default=None, repr=False)
    qr_svg: str | None = field(default=None, repr=False)
    options: Mapping[str, Any] | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Enrolled:
    factor: str
    authenticator_id: str
    recovery_code: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class ChallengeIssued:
    factor: str
    challenge_type: ChallengeType
    authenticator_id: str | None = None
    oob_code: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None
    sent_to: str | None = None
    binding_code: str | None = field(default=None, repr=False)
    """Push: the 2-digit number to show on the login screen."""
    options: Mapping[str, Any] | None = field(default=None, repr=False)
    redirect_url: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Verified:
    factor: str
    authenticator_id: str
    recovery_code: str | None = field(default=None, repr=False)
    user_verified: bool = False
    """WebAuthn: the authenticator verified the user (PIN, biometrics)."""


@dataclass(frozen=True, slots=True)
class DeviceRegistered:
    authenticator_id: str


@dataclass(frozen=True, slots=True)
class PushAnswered:
    transaction_id: str = field(repr=False)
    state: Literal["approved", "rejected"]


@dataclass(frozen=True, slots=True)
class DuoHealth:
    timestamp: int
