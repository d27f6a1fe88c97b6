"""What one login looks like to the rules: the event plus its enrichment, read lazily.

``RuleContext.build`` does no work beyond storing references: a rule set that never reads
``local.*`` never converts a time zone, one that never reads ``auth.methods`` never builds the
list of method names. What is derived is derived once per login and kept on the context
(``clock_utc``, ``clock_local``, ``memo``, and the compiler's ``cache`` of lookups that several
rules share). Nothing a rule can observe changes: evaluation is pure, and the same context may
be evaluated any number of times.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import UTC, datetime, tzinfo
from ipaddress import IPv4Address, IPv6Address
from typing import Any
from zoneinfo import ZoneInfo

from contextmfa.events import LoginEvent

__all__ = ["HOUR", "MINUTE", "MOMENT", "TIME", "WEEKDAY", "Clock", "RuleContext", "zone"]

_ZONE_CACHE_SIZE = 1024
_zones: dict[str, tzinfo] = {}


def zone(name: Any) -> tzinfo:
    """The IANA zone ``name``; UTC when it is not a string or not a zone tzdata knows.

    Lookups (failures included) are cached: ``ZoneInfo`` raises afresh for every unknown key,
    and a replay sees the same few zones again and again.
    """
    if type(name) is not str:
        return UTC
    found = _zones.get(name)
    if found is None:
        try:
            found = ZoneInfo(name) if 0 < len(name) <= 64 else UTC
        except Exception:  # ZoneInfoNotFoundError, ValueError on "../x", OSError on odd paths
            found = UTC
        if len(_zones) >= _ZONE_CACHE_SIZE:
            _zones.clear()
        _zones[name] = found
    return found


Clock = tuple[int, int, int, int, "datetime"] | tuple[None, None, None, None, None]
"""A login's time as the rules see it: ``(hour, minute, weekday, time, moment)``.

``weekday`` is 0 for Monday; ``time`` is minutes since midnight (seconds are dropped, so
``local.time between 08:00 and 18:00`` includes 18:00:59); ``moment`` is the datetime itself, for
``date``. A plain tuple: it is built once per login and read by index on the hot path.
"""

HOUR, MINUTE, WEEKDAY, TIME, MOMENT = range(5)

_NO_CLOCK: Clock = (None, None, None, None, None)


def _clock(timestamp: datetime, where: tzinfo) -> Clock:
    """The clock of ``timestamp`` in ``where``; every part missing when it cannot be shown there.

    (An event stamped ``9999-12-31T23:00:00-05:00`` is valid input but has no UTC year.)
    """
    try:
        moment = timestamp.astimezone(where)
    except (OverflowError, ValueError):
        return _NO_CLOCK
    hour, minute = moment.hour, moment.minute
    return (hour, minute, moment.weekday(), hour * 60 + minute, moment)


class RuleContext:
    """One login for rule evaluation. Build with ``RuleContext.build``."""

    __slots__ = ("_local", "_utc", "asn", "cache", "event", "geoip", "ip", "risk")

    def __init__(
        self,
        event: LoginEvent,
        geoip: dict[str, Any] | None,
        asn: dict[str, Any] | None,
        risk: dict[str, Any] | None,
    ) -> None:
        self.event = event
        self.ip: IPv4Address | IPv6Address = event.request.ip
        self.geoip = geoip if type(geoip) is dict else None
        self.asn = asn if type(asn) is dict else None
        self.risk = risk if type(risk) is dict else None
        self._utc: Clock | None = None
        self._local: Clock | None = None
        self.cache: dict[Hashable, Any] = {}  # per-login results shared between rules

    @classmethod
    def build(
        cls,
        event: LoginEvent,
        *,
        geoip: dict[str, Any] | None,
        asn: dict[str, Any] | None,
        risk: dict[str, Any] | None,
    ) -> RuleContext:
        """The login ``event`` with the engine's enrichment (``Engine.enrich``)."""
        return cls(event, geoip, asn, risk)

    def clock_utc(self) -> Clock:
        """The event's timestamp in UTC."""
        clock = self._utc
        if clock is None:
            clock = self._utc = _clock(self.event.timestamp, UTC)
        return clock

    def clock_local(self) -> Clock:
        """The event's timestamp in ``geo.time_zone`` (UTC when unknown or not a valid zone)."""
        clock = self._local
        if clock is None:
            name = self.geoip.get("time_zone") if self.geoip is not None else None
            clock = self._local = _clock(self.event.timestamp, zone(name))
        return clock

    def memo(self, key: Hashable, compute: Callable[[RuleContext], Any]) -> Any:
        """``compute(self)``, computed on first use and kept for this login."""
        memo = self.cache
        if key in memo:
            return memo[key]
        value = memo[key] = compute(self)
        return value

    def __repr__(self) -> str:
        return f"RuleContext(login={self.event.id!r})"
