"""Deterministic time for Actions: "now" is the login's timestamp, the host clock is unreachable.

Actions get the real ``datetime`` classes (so ``isinstance``, arithmetic and subclassing work as
usual), and the attribute guard swaps in the functions below wherever a class or instance is
asked for ``now``, ``today``, ``utcnow`` or a timestamp conversion. Results per call:

- ``datetime.now()`` and ``datetime.today()``: the login's timestamp, aware, in the offset the
  event was recorded with; ``datetime.now(tz)``: the same instant in ``tz``.
- ``datetime.utcnow()``: the same instant as a naive UTC datetime (like Python's).
- ``date.today()``: the date of the login's timestamp in its own offset.
- Naive datetimes are taken as UTC wherever Python would consult the host's local time zone
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


def now(g: Guards, cls: type[datetime], tz: tzinfo | None = None) -> datetime:
    value = g.now if tz is None else g.now.astimezone(tz)
    return _as(cls, value)


def today(g: Guards, cls: type[datetime]) -> datetime:
    return _as(cls, g.now)


def utcnow(g: Guards, cls: type[datetime]) -> datetime:
    return _as(cls, g.now.astimezone(UTC).replace(tzinfo=None))


def date_today(g: Guards, cls: type[date]) -> date:
    return cls.fromordinal(g.now.date().toordinal())


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
