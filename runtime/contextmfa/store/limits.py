"""The spec's brute-force and abuse limits, and the token-bucket arithmetic every backend shares.

A bucket holds ``capacity`` tokens and gains one every ``refill_seconds``; each counted event takes
``cost`` tokens; an event that finds too few is refused with the seconds until enough are back.

Backends keep one number per bucket, the *theoretical arrival time* (TAT, the GCRA form of a
token bucket): the instant at which the bucket will be full again. Empty history = full bucket.
Taking ``cost`` tokens moves the TAT to ``max(tat, now) + cost * refill``; the take is allowed
while that stays within ``capacity * refill`` of now. One number per bucket is what lets SQL do a
take in a single atomic UPSERT and Redis in a short Lua script.

    bucket of 10, one per 360 s: ten failures at t=0 put the TAT at t=3600; the eleventh would
    put it at 3960, 360 s past the allowed horizon, so it is refused with retry-after 360.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "EMAIL_SENDS",
    "EPSILON",
    "OTP_FAILURES",
    "PUSH_SENDS",
    "RECOVERY_CODE_FAILURES",
    "SENT_CODE_FAILURES",
    "SMS_SENDS",
    "VOICE_SENDS",
    "WEBAUTHN_FAILURES",
    "BucketLimit",
    "RateVerdict",
    "evaluate_take",
    "returned_tat",
    "verdict_after_take",
]

# Backends store TATs as doubles (SQL) or decimal strings to the microsecond (Redis): compare
# with this much slack so that a bucket exactly full or exactly empty is read as such.
EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class BucketLimit:
    """A token bucket's shape: ``capacity`` at once, then one more every ``refill_seconds``."""

    capacity: int
    refill_seconds: float

    def __post_init__(self) -> None:
        if self.capacity < 1 or self.refill_seconds <= 0:
            raise ValueError("a bucket needs capacity >= 1 and refill_seconds > 0")

    @property
    def horizon(self) -> float:
        """Seconds from empty to full."""
        return self.capacity * self.refill_seconds


@dataclass(frozen=True, slots=True)
class RateVerdict:
    """The outcome of a take or a peek: allowed, or refused with a retry-after (whole seconds)."""

    allowed: bool
    retry_after_seconds: int = 0
    remaining: int = 0


# Per user and factor (the bucket key is the caller's: e.g. "otp:<user_id>").
OTP_FAILURES = BucketLimit(capacity=10, refill_seconds=360)  # 10 per hour
RECOVERY_CODE_FAILURES = BucketLimit(capacity=10, refill_seconds=360)  # 10 per hour
SENT_CODE_FAILURES = BucketLimit(
    capacity=10, refill_seconds=360
)  # sms/voice/email codes: 10 an hour
WEBAUTHN_FAILURES = BucketLimit(capacity=15, refill_seconds=4)  # 15 per minute
PUSH_SENDS = BucketLimit(capacity=5, refill_seconds=12)  # 5 per minute
SMS_SENDS = BucketLimit(capacity=10, refill_seconds=3600)  # 10 at once, then 1 per hour
VOICE_SENDS = SMS_SENDS  # the spec groups voice with sms
EMAIL_SENDS = BucketLimit(capacity=20, refill_seconds=60)  # 20 at once, then 1 per minute


def evaluate_take(
    tat: float | None, now: float, limit: BucketLimit, cost: int = 1
) -> tuple[RateVerdict, float | None]:
    """Decide a take of ``cost`` tokens; returns the verdict and the new TAT (None: unchanged).

    ``tat`` and ``now`` are POSIX seconds; ``tat`` is None for a bucket never used. ``cost=0`` is
    a peek: "would one more token be available", with nothing taken.
    """
    base = now if tat is None or tat < now else tat
    step = max(cost, 1) * limit.refill_seconds
    new_tat = base + step
    if new_tat - now - limit.horizon > EPSILON:
        return verdict_after_take(base, False, now, limit, step), None
    if cost == 0:
        return verdict_after_take(base, True, now, limit, step), None
    return verdict_after_take(new_tat, True, now, limit, step), new_tat


def returned_tat(tat: float, now: float, limit: BucketLimit, cost: int = 1) -> float:
    """The TAT after giving ``cost`` tokens back: earlier by their refill time, never before now
    (a TAT at or before now is a full bucket)."""
    return max(tat - max(cost, 1) * limit.refill_seconds, now)


def verdict_after_take(
    tat: float, allowed: bool, now: float, limit: BucketLimit, step: float
) -> RateVerdict:
    """The verdict for a take of ``step`` seconds' worth of tokens, given the TAT after it.

    For a refused take ``tat`` is the unchanged TAT; the retry-after is how long until the take
    would fit, in whole seconds, at least 1.
    """
    left = (limit.horizon - (max(tat, now) - now)) / limit.refill_seconds
    remaining = max(0, math.floor(left + EPSILON))
    if allowed:
        return RateVerdict(True, 0, remaining)
    excess = max(tat, now) + step - now - limit.horizon
    return RateVerdict(False, max(1, math.ceil(excess - EPSILON)), remaining)
