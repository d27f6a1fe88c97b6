"""The two helper globals every Action gets: ``ip_in_range`` and ``distance_km``.

Both are pure and deterministic. ``distance_km`` uses the same haversine formula and mean Earth
radius (IUGG, 6371.0088 km) as the ``impossible_travel`` risk assessment, so an Action and the
risk signal agree on how far a user moved.

``ip_in_range`` parses its CIDRs once per distinct list (:mod:`contextmfa.sandbox.ip_ranges`)
and looks the address up on sorted integer ranges, as the deny lists do: an Action that checks
100 CIDRs pays one lookup, not 100 parses and tests.
"""

from __future__ import annotations

import ipaddress
import math
from functools import lru_cache
from typing import Any

from contextmfa.sandbox.event_view import ListView
from contextmfa.sandbox.ip_ranges import ranges_for

EARTH_RADIUS_KM = 6371.0088

_SEQUENCES = (list, tuple, ListView)
_ONLY_STR = {str}


def _cidrs(values: tuple[Any, ...]) -> list[str]:
    """Flatten ``ip_in_range(ip, "10.0.0.0/8", ["192.168.0.0/16", ...])`` into strings."""
    found: list[str] = []
    for value in values:
        if type(value) is str:
            found.append(value)
        elif isinstance(value, str):
            found.append(str(value))  # never a subclass of the Action's into the shared cache
        elif isinstance(value, _SEQUENCES):
            items = tuple(value)
            if set(map(type, items)) <= _ONLY_STR:  # the common case, walked in C
                found.extend(items)
            else:
                found.extend(_cidrs(items))
        else:
            raise TypeError(f"ip_in_range(): a CIDR must be a string, not {type(value).__name__}")
    return found


@lru_cache(maxsize=1024)
def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(text)


def ip_in_range(ip: str, *cidrs: Any) -> bool:
    """True when ``ip`` lies in any of ``cidrs`` (strings or lists of strings; v4 and v6).

    An IPv4-mapped IPv6 address (``::ffff:10.0.0.1``) also matches IPv4 ranges. A malformed
    address or CIDR raises ``ValueError``: a typo in an allowlist must not fail open or closed
    silently. CIDRs are read in order and the first match answers, so a malformed CIDR after a
    matching one is not reached, as in a loop written by hand.
    """
    if not isinstance(ip, str):
        raise TypeError(f"ip_in_range(): ip must be a string, not {type(ip).__name__}")
    address = _address(str.strip(ip))
    return ranges_for(tuple(_cidrs(cidrs))).contains(address)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in decimal degrees (haversine)."""
    for value in (lat1, lon1, lat2, lon2):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError("distance_km() takes numbers (decimal degrees)")
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))
