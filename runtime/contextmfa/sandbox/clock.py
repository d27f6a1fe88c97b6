"""Deterministic time for Actions: "now" is the login's timestamp, the host clock is unreachable.

Actions get the real ``datetime`` classes (so ``isinstance``, arithmetic and subclassing work as
usual), and the attribute guard swaps in the functions below wherever a class or instance is
asked for ``now``, ``today``, ``utcnow`` or a timestamp conversion. One clock story, that of
CPython on a host whose local time zone is UTC:

- ``datetime.now()``, ``datetime.today()`` and ``datetime.utcnow()``: the login's instant as a
  naive UTC datetime, so ``datetime.now() > datetime(2026, 3, 1)`` compares as written;
- ``datetime.now(timezone.utc)``: the same instant, aware, in UTC; ``datetime.now(tz)``: the same
  instant converted to ``tz``;
- ``date.today()``: the date of the login in UTC.

The offset the identity provider wrote in the event's timestamp never shows through (nor the
parser's own ``tzinfo`` class): the same login gives the same answers wherever it was recorded.
Naive datetimes are taken as UTC wherever Python would consult the host's local time zone
(``astimezone()``, ``timestamp()``, ``fromtimestamp()``), so a replay gives the same answer on
every host.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contextmfa.sandbox.guards import Guards


def _as(cls: type[datetime], value: datetime) -> datetime:
    return value if cls is datetime else cls.combine(value.date(), value.timetz())


def _utc(g: Guards) -> datetime:
    """The login's instant in UTC, with the standard library's own ``timezone.utc``."""
    return g.now.astimezone(UTC)


def now(g: Guards, cls: type[datetime], tz: tzinfo | None = None) -> datetime:
    moment = _utc(g)
    return _as(cls, moment.replace(tzinfo=None) if tz is None else moment.astimezone(tz))


def utcnow(g: Guards, cls: type[datetime]) -> datetime:
    return _as(cls, _utc(g).replace(tzinfo=None))


def today(g: Guards, cls: type[datetime]) -> datetime:
    return utcnow(g, cls)


def date_today(g: Guards, cls: type[date]) -> date:
    return cls.fromordinal(_utc(g).toordinal())


def fromtimestamp(g: Guards, cls: type[datetime], timestamp: float, tz: Any = None) -> datetime:
    if tz is None:
        return cls.fromtimestamp(timestamp, UTC).replace(tzinfo=None)
    return cls.fromtimestamp(timestamp, tz)


def date_fromtimestamp(g: Guards, cls: type[date], timestamp: float) -> date:
    moment = datetime.fromtimestamp(timestamp, UTC)
    return cls.fromordinal(moment.toordinal())


def astimezone(g: Guards, value: datetime, tz: tzinfo | None = None) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC if tz is None else tz)


def timestamp(g: Guards, value: datetime) -> float:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


DATETIME_CLASS_METHODS = {
    "now": now,
    "today": today,
    "utcnow": utcnow,
    "fromtimestamp": fromtimestamp,
}
DATETIME_METHODS = {"astimezone": astimezone, "timestamp": timestamp}
DATE_CLASS_METHODS = {"today": date_today, "fromtimestamp": date_fromtimestamp}
NAIVE_AWARE_HINT = (
    "datetime.now() is naive UTC in Actions: compare aware datetimes with "
    "datetime.now(timezone.utc)"
)
"""Added to Python's "can't compare offset-naive and offset-aware datetimes" (runner.py)."""
