"""Write the small GeoIP test databases: samples/geo/test-city.mmdb and samples/geo/test-asn.mmdb.

Run with the project's Python (needs mmdb-writer and netaddr):

    python samples/geo/build_test_db.py [OUTPUT_DIR]     # default: this script's directory

The output is deterministic (fixed build epoch, fixed insertion order), so the committed files
can be checked against a fresh build. The records have the shapes of MaxMind's GeoIP2-City and
GeoLite2-ASN databases (English names only) so that ``geoip2`` and ``maxminddb`` read them as
they read the real ones. The ranges are real public allocations; the locations are plausible
for their holders but are test data, not a statement of where those networks are.

| network         | cc | city          | sub | lat, lon           | time zone           | ASN   |
|-----------------|----|---------------|-----|--------------------|---------------------|-------|
| 193.0.0.0/21    | NL | Amsterdam     | NH  | 52.3740, 4.8897    | Europe/Amsterdam    | 3333  |
| 2001:610::/32   | NL | Amsterdam     | NH  | 52.3740, 4.8897    | Europe/Amsterdam    | 1103  |
| 141.20.0.0/16   | DE | Berlin        | BE  | 52.5244, 13.4105   | Europe/Berlin       | 680   |
| 2001:638::/32   | DE | Berlin        | BE  | 52.5244, 13.4105   | Europe/Berlin       | 680   |
| 128.122.0.0/16  | US | New York      | NY  | 40.7143, -74.0060  | America/New_York    | 12    |
| 192.30.252.0/22 | US | San Francisco | CA  | 37.7749, -122.4194 | America/Los_Angeles | 36459 |
| 212.58.224.0/19 | GB | London        | ENG | 51.5085, -0.1257   | Europe/London       | 2818  |
| 133.11.0.0/16   | JP | Tokyo         | 13  | 35.6895, 139.6917  | Asia/Tokyo          | 2501  |
| 129.78.0.0/16   | AU | Sydney        | NSW | -33.8678, 151.2073 | Australia/Sydney    | 7575  |
| 143.107.0.0/16  | BR | São Paulo     | SP  | -23.5475, -46.6361 | America/Sao_Paulo   | -     |
| 134.157.0.0/16  | FR | Paris         | IDF | 48.8534, 2.3488    | Europe/Paris        | 2200  |
| 203.199.0.0/16  | IN | Mumbai        | MH  | 19.0728, 72.8826   | Asia/Kolkata        | 4755  |
| 142.150.0.0/16  | CA | Toronto       | ON  | 43.7001, -79.4163  | America/Toronto     | 239   |
| 146.141.0.0/16  | ZA | Johannesburg  | GT  | -26.2023, 28.0436  | Africa/Johannesburg | 2018  |
| 130.59.0.0/16   | CH | -             | -   | -                  | -                   | 559   |

Subdivision names and ASN organizations are in CITIES and NETWORKS below. 130.59.0.0/16 has a
country (and continent) but no city, subdivision or location; 143.107.0.0/16 is in the City
database only (no ASN). Every other address is unknown to both databases.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from mmdb_writer import MmdbU16, MmdbU32, MMDBWriter
from netaddr import IPSet

BUILD_EPOCH = 1_764_201_600  # 2025-11-27T00:00:00Z, fixed so the output is reproducible

CONTINENTS = {
    "EU": (6255148, "Europe"),
    "NA": (6255149, "North America"),
    "SA": (6255150, "South America"),
    "AS": (6255147, "Asia"),
    "OC": (6255151, "Oceania"),
    "AF": (6255146, "Africa"),
}

# iso code: (geoname id, English name, continent, in the EU)
COUNTRIES = {
    "NL": (2750405, "Netherlands", "EU", True),
    "DE": (2921044, "Germany", "EU", True),
    "US": (6252001, "United States", "NA", False),
    "GB": (2635167, "United Kingdom", "EU", False),
    "JP": (1861060, "Japan", "AS", False),
    "AU": (2077456, "Australia", "OC", False),
    "BR": (3469034, "Brazil", "SA", False),
    "FR": (3017382, "France", "EU", True),
    "IN": (1269750, "India", "AS", False),
    "CA": (6251999, "Canada", "NA", False),
    "ZA": (953987, "South Africa", "AF", False),
    "CH": (2658434, "Switzerland", "EU", False),
}

# name: (geoname id, subdivision (geoname id, iso code, name), latitude, longitude, time zone)
CITIES: dict[str, tuple[int, tuple[int, str, str], float, float, str]] = {
    "Amsterdam": (2759794, (2749879, "NH", "North Holland"), 52.3740, 4.8897, "Europe/Amsterdam"),
    "Berlin": (2950159, (2950157, "BE", "Land Berlin"), 52.5244, 13.4105, "Europe/Berlin"),
    "New York": (5128581, (5128638, "NY", "New York"), 40.7143, -74.0060, "America/New_York"),
    "San Francisco": (
        5391959,
        (5332921, "CA", "California"),
        37.7749,
        -122.4194,
        "America/Los_Angeles",
    ),
    "London": (2643743, (6269131, "ENG", "England"), 51.5085, -0.1257, "Europe/London"),
    "Tokyo": (1850147, (1850144, "13", "Tokyo"), 35.6895, 139.6917, "Asia/Tokyo"),
    "Sydney": (
        2147714,
        (2155400, "NSW", "New South Wales"),
        -33.8678,
        151.2073,
        "Australia/Sydney",
    ),
    "São Paulo": (3448439, (3448433, "SP", "São Paulo"), -23.5475, -46.6361, "America/Sao_Paulo"),
    "Paris": (2988507, (3012874, "IDF", "Île-de-France"), 48.8534, 2.3488, "Europe/Paris"),
    "Mumbai": (1275339, (1264418, "MH", "Maharashtra"), 19.0728, 72.8826, "Asia/Kolkata"),
    "Toronto": (6167865, (6093943, "ON", "Ontario"), 43.7001, -79.4163, "America/Toronto"),
    "Johannesburg": (
        993800,
        (1085594, "GT", "Gauteng"),
        -26.2023,
        28.0436,
        "Africa/Johannesburg",
    ),
}

# network, country, city (None = country only), ASN (None = not in the ASN database)
NETWORKS: list[tuple[str, str, str | None, tuple[int, str] | None]] = [
    (
        "193.0.0.0/21",
        "NL",
        "Amsterdam",
        (3333, "Reseaux IP Europeens Network Coordination Centre (RIPE NCC)"),
    ),
    ("2001:610::/32", "NL", "Amsterdam", (1103, "SURFnet bv")),
    (
        "141.20.0.0/16",
        "DE",
        "Berlin",
        (680, "Verein zur Foerderung eines Deutschen Forschungsnetzes e.V."),
    ),
    (
        "2001:638::/32",
        "DE",
        "Berlin",
        (680, "Verein zur Foerderung eines Deutschen Forschungsnetzes e.V."),
    ),
    ("128.122.0.0/16", "US", "New York", (12, "New York University")),
    ("192.30.252.0/22", "US", "San Francisco", (36459, "GITHUB")),
    ("212.58.224.0/19", "GB", "London", (2818, "BBC")),
    ("133.11.0.0/16", "JP", "Tokyo", (2501, "The University of Tokyo")),
    ("129.78.0.0/16", "AU", "Sydney", (7575, "Australian Academic and Research Network (AARNet)")),
    ("143.107.0.0/16", "BR", "São Paulo", None),
    ("134.157.0.0/16", "FR", "Paris", (2200, "Renater")),
    ("203.199.0.0/16", "IN", "Mumbai", (4755, "TATA Communications formerly VSNL is Leading ISP")),
    ("142.150.0.0/16", "CA", "Toronto", (239, "University of Toronto")),
    ("146.141.0.0/16", "ZA", "Johannesburg", (2018, "TENET")),
    ("130.59.0.0/16", "CH", None, (559, "SWITCH")),
]


class _FixedEpochWriter(MMDBWriter):
    """mmdb-writer stamps ``time.time()`` into the metadata; pin it for reproducible output."""

    def _build_meta(self) -> dict[str, Any]:
        return {**super()._build_meta(), "build_epoch": BUILD_EPOCH}


def _named(geoname_id: int, name: str, **extra: Any) -> dict[str, Any]:
    return {"geoname_id": MmdbU32(geoname_id), "names": {"en": name}, **extra}


def city_record(country: str, city: str | None) -> dict[str, Any]:
    """A GeoIP2-City-shaped record (English names) for a country and optional city."""
    country_id, country_name, continent, in_eu = COUNTRIES[country]
    continent_id, continent_name = CONTINENTS[continent]
    country_part = _named(country_id, country_name, iso_code=country)
    if in_eu:
        country_part["is_in_european_union"] = True
    record: dict[str, Any] = {
        "continent": _named(continent_id, continent_name, code=continent),
        "country": country_part,
        "registered_country": dict(country_part),
    }
    if city is not None:
        city_id, (sub_id, sub_code, sub_name), lat, lon, time_zone = CITIES[city]
        record["city"] = _named(city_id, city)
        record["subdivisions"] = [_named(sub_id, sub_name, iso_code=sub_code)]
        record["location"] = {
            "accuracy_radius": MmdbU16(20),
            "latitude": lat,
            "longitude": lon,
            "time_zone": time_zone,
        }
    return record


def _writer(database_type: str, description: str) -> MMDBWriter:
    return _FixedEpochWriter(
        ip_version=6,
        ipv4_compatible=True,
        database_type=database_type,
        languages=["en"],
        description={"en": description},
    )


def build(output_dir: Path) -> tuple[Path, Path]:
    """Write both databases into ``output_dir``; returns their paths (city, asn)."""
    output_dir.mkdir(parents=True, exist_ok=True)
    city_db = _writer("GeoIP2-City", "contextmfa test City database (test data, not real)")
    asn_db = _writer("GeoLite2-ASN", "contextmfa test ASN database (test data, not real)")
    for network, country, city, asn in NETWORKS:
        city_db.insert_network(IPSet([network]), city_record(country, city))
        if asn is not None:
            number, organization = asn
            asn_db.insert_network(
                IPSet([network]),
                {
                    "autonomous_system_number": MmdbU32(number),
                    "autonomous_system_organization": organization,
                },
            )
    city_path = output_dir / "test-city.mmdb"
    asn_path = output_dir / "test-asn.mmdb"
    city_db.to_db_file(str(city_path))
    asn_db.to_db_file(str(asn_path))
    return city_path, asn_path


def main(argv: list[str]) -> int:
    output_dir = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    for path in build(output_dir):
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
