"""``local_time(tz)``: the login's instant in an IANA time zone, from the ``tzdata`` package.

Actions have no zone other than UTC without this: ``datetime.now()`` is the login's instant as
naive UTC (clock.py). ``local_time("Europe/Paris")`` is that same instant as an aware datetime in
the zone, so ``local_time(event.request.geoip.time_zone).hour`` reads local business hours. It
is one function rather than the ``zoneinfo`` module, whose ``ZoneInfo`` class also reads files
by path, searches the host's ``TZPATH``, lists directories and clears a process-wide cache.

The zones are those the installed ``tzdata`` package lists, read as bytes in one pass
(:func:`preload`, about 350 KB and 15 ms): the fork server does it before any worker is confined,
since a confined worker can open no file; a zone is parsed from those bytes on first use. An
unknown zone is a ``ValueError`` naming the zone meant.
"""

from __future__ import annotations

import threading
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import tzdata

from contextmfa.sandbox.clock import now
from contextmfa.sandbox.suggest import did_you_mean

if TYPE_CHECKING:
    from contextmfa.sandbox.guards import Guards

__all__ = ["local_time", "preload", "zone"]

_ROOT = Path(tzdata.__file__).parent
_lock = threading.Lock()
_data: dict[str, bytes] | None = None
_zones: dict[str, ZoneInfo] = {}


def preload() -> dict[str, bytes]:
    """Read every zone ``tzdata`` lists, once; later calls return what was read."""
    global _data
    with _lock:
        if _data is None:
            keys = (_ROOT / "zones").read_text(encoding="utf-8").split()
            _data = {key: (_ROOT / "zoneinfo" / key).read_bytes() for key in keys}
        return _data


def zone(key: str) -> ZoneInfo:
    """The zone named ``key`` (exact IANA spelling); ValueError for a zone tzdata does not list."""
    found = _zones.get(key)
    if found is not None:
        return found
    data = preload()
    raw = data.get(key)
    if raw is None:
        hint = did_you_mean(key, data) if len(key) <= 64 else ""
        shown = key if len(key) <= 64 else key[:64] + "..."
        raise ValueError(f"local_time(): unknown time zone {shown!r}{hint}")
    found = _zones[key] = ZoneInfo.from_file(BytesIO(raw), key=key)
    return found


def local_time(g: Guards, tz: Any) -> datetime:
    """The login's instant in zone ``tz`` (``"Europe/Paris"``), as an aware datetime."""
    if type(tz) is not str:
        raise TypeError(
            f"local_time() takes a time zone name such as 'Europe/Paris', not {type(tz).__name__}"
        )
    return now(g, datetime, zone(tz))
