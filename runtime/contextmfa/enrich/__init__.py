"""Enrichment: what the runtime adds to a login event before rules and Actions see it.

- ``geoip``: ``request.geoip`` / ``request.asn`` from MaxMind DB files (cached by IP).
- ``iplists``: deny lists as sorted integer ranges, matched in about half a microsecond.
- ``history``: a user's earlier allowed logins, as the risk assessment needs them.
- ``risk``: ``authentication.risk_assessment`` (new device, impossible travel, untrusted IP).
"""

from contextmfa.enrich.geoip import GeoIP
from contextmfa.enrich.history import History, InMemoryHistory, LoginRecord
from contextmfa.enrich.iplists import DenyLists, IPRangeSet
from contextmfa.enrich.risk import RiskSettings, assess, haversine_km

__all__ = [
    "DenyLists",
    "GeoIP",
    "History",
    "IPRangeSet",
    "InMemoryHistory",
    "LoginRecord",
    "RiskSettings",
    "assess",
    "haversine_km",
]
