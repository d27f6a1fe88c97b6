"""Time as the store handles it: always passed in, always timezone-aware, stored as UTC.

A naive datetime is refused rather than guessed at: read as local time on one host and as UTC on
another, it would shift expiries and rate-limit windows by hours between workers.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["from_posix", "posix", "utc"]


def utc(moment: datetime) -> datetime:
    """``moment`` converted to UTC; ValueError for a naive datetime."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the store needs timezone-aware datetimes")
    return moment.astimezone(UTC)


def posix(moment: datetime) -> float:
    """POSIX seconds of an aware datetime."""
    return utc(moment).timestamp()


def from_posix(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
