"""GeoIP lookups on the committed test databases and on the bundled GeoLite2 City database."""

from __future__ import annotations

from ipaddress import ip_address
from pathlib import Path

import maxminddb
import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from contextmfa.enrich.geoip import COUNTRY_CODE3, GeoIP
from contextmfa.errors import ConfigError

GEOIP_FIELDS = {
    "country_code",
    "country_code3",
    "country_name",
    "city_name",
    "continent_code",
    "subdivision_code",
    "subdivision_name",
    "latitude",
    "longitude",
    "time_zone",
}


def test_city_returns_every_field(test_geoip: GeoIP) -> None:
    assert test_geoip.city(ip_address("134.157.10.20")) == {
        "country_code": "FR",
        "country_code3": "FRA",
        "country_name": "France",
        "city_name": "Paris",
        "continent_code": "EU",
        "subdivision_code": "IDF",
        "subdivision_name": "Île-de-France",
        "latitude": 48.8534,
        "longitude": 2.3488,
        "time_zone": "Europe/Paris",
    }


@pytest.mark.parametrize(
    ("ip", "country", "code3", "city", "continent", "time_zone"),
    [
        ("193.0.0.1", "NL", "NLD", "Amsterdam", "EU", "Europe/Amsterdam"),
        ("141.20.200.1", "DE", "DEU", "Berlin", "EU", "Europe/Berlin"),
        ("128.122.0.0", "US", "USA", "New York", "NA", "America/New_York"),
        ("192.30.255.255", "US", "USA", "San Francisco", "NA", "America/Los_Angeles"),
        ("212.58.240.1", "GB", "GBR", "London", "EU", "Europe/London"),
        ("133.11.1.1", "JP", "JPN", "Tokyo", "AS", "Asia/Tokyo"),
        ("129.78.5.5", "AU", "AUS", "Sydney", "OC", "Australia/Sydney"),
        ("143.107.1.1", "BR", "BRA", "São Paulo", "SA", "America/Sao_Paulo"),
        ("203.199.7.7", "IN", "IND", "Mumbai", "AS", "Asia/Kolkata"),
        ("142.150.1.1", "CA", "CAN", "Toronto", "NA", "America/Toronto"),
        ("146.141.1.1", "ZA", "ZAF", "Johannesburg", "AF", "Africa/Johannesburg"),
        ("2001:610:1::1", "NL", "NLD", "Amsterdam", "EU", "Europe/Amsterdam"),
        ("2001:638:ffff::1", "DE", "DEU", "Berlin", "EU", "Europe/Berlin"),
    ],
)
def test_city_per_network(
    test_geoip: GeoIP,
    ip: str,
    country: str,
    code3: str,
    city: str,
    continent: str,
    time_zone: str,
) -> None:
    found = test_geoip.city(ip_address(ip))
    assert found is not None
    assert set(found) == GEOIP_FIELDS
    assert (found["country_code"], found["country_code3"], found["city_name"]) == (
        country,
        code3,
        city,
    )
    assert (found["continent_code"], found["time_zone"]) == (continent, time_zone)
    assert isinstance(found["latitude"], float) and isinstance(found["longitude"], float)


def test_country_without_city_or_location_gives_none_fields(test_geoip: GeoIP) -> None:
    assert test_geoip.city(ip_address("130.59.31.80")) == {
        "country_code": "CH",
        "country_code3": "CHE",
        "country_name": "Switzerland",
        "city_name": None,
        "continent_code": "EU",
        "subdivision_code": None,
        "subdivision_name": None,
        "latitude": None,
        "longitude": None,
        "time_zone": None,
    }


@pytest.mark.parametrize(
    "ip", ["8.8.8.8", "193.0.8.0", "192.30.251.255", "212.58.223.255", "2001:611::1"]
)
def test_unknown_address_gives_none(test_geoip: GeoIP, ip: str) -> None:
    assert test_geoip.city(ip_address(ip)) is None
    assert test_geoip.asn(ip_address(ip)) is None


def test_range_edges(test_geoip: GeoIP) -> None:
    assert test_geoip.city(ip_address("193.0.0.0"))["city_name"] == "Amsterdam"
    assert test_geoip.city(ip_address("193.0.7.255"))["city_name"] == "Amsterdam"
    assert test_geoip.city(ip_address("192.255.255.255")) is None


def test_ipv4_mapped_ipv6_is_looked_up_as_ipv4(test_geoip: GeoIP) -> None:
    assert test_geoip.city(ip_address("::ffff:141.20.3.4"))["city_name"] == "Berlin"
    assert test_geoip.asn(ip_address("::ffff:141.20.3.4"))["number"] == 680


def test_asn(test_geoip: GeoIP) -> None:
    assert test_geoip.has_asn
    assert test_geoip.asn(ip_address("193.0.6.139")) == {
        "number": 3333,
        "organization": "Reseaux IP Europeens Network Coordination Centre (RIPE NCC)",
    }
    assert test_geoip.asn(ip_address("2001:610::80")) == {
        "number": 1103,
        "organization": "SURFnet bv",
    }
    # In the City database, not in the ASN one.
    assert test_geoip.city(ip_address("143.107.1.1")) is not None
    assert test_geoip.asn(ip_address("143.107.1.1")) is None


def test_asn_without_asn_database_is_none(default_geoip: GeoIP) -> None:
    assert not default_geoip.has_asn
    assert default_geoip.asn(ip_address("8.8.8.8")) is None


def test_results_are_fresh_copies(test_geoip: GeoIP) -> None:
    first = test_geoip.city(ip_address("133.11.9.9"))
    first["city_name"] = "Osaka"
    asn = test_geoip.asn(ip_address("133.11.9.9"))
    asn["number"] = 0
    assert test_geoip.city(ip_address("133.11.9.9"))["city_name"] == "Tokyo"
    assert test_geoip.asn(ip_address("133.11.9.9"))["number"] == 2501


NOT_ROUTABLE = [
    "10.1.2.3",  # private
    "172.16.0.1",
    "192.168.1.1",
    "127.0.0.1",  # loopback
    "169.254.10.10",  # link-local
    "100.64.0.1",  # shared (CGNAT)
    "0.0.0.0",  # unspecified
    "224.0.0.251",  # multicast
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "192.0.2.10",  # documentation
    "::",
    "::1",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "fec0::1",  # site-local
    "ff02::1",
    "2001:db8::1",
    "::ffff:10.0.0.1",
    "::ffff:127.0.0.1",
]


@pytest.fixture(scope="module")
def catch_all_geoip(tmp_path_factory: pytest.TempPathFactory) -> GeoIP:
    """A database that knows every address: proves non-routable ones are never looked up."""
    directory = tmp_path_factory.mktemp("geo")
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoIP2-City")
    record = {"country": {"iso_code": "NL", "names": {"en": "Netherlands"}}}
    # One network per insert: an IPSet of both halves would merge into ::/0, which mmdb-writer
    # cannot insert.
    writer.insert_network(IPSet(["::/1"]), record)
    writer.insert_network(IPSet(["8000::/1"]), record)
    writer.insert_network(IPSet(["0.0.0.0/0"]), record)
    writer.to_db_file(str(directory / "all.mmdb"))
    with maxminddb.open_database(str(directory / "all.mmdb")) as raw:
        assert all(raw.get(ip) == record for ip in NOT_ROUTABLE)
    return GeoIP.open("all.mmdb", base_dir=directory)


@pytest.mark.parametrize("ip", NOT_ROUTABLE)
def test_not_routable_addresses_give_none(catch_all_geoip: GeoIP, ip: str) -> None:
    assert catch_all_geoip.city(ip_address(ip)) is None


def test_catch_all_database_knows_public_addresses(catch_all_geoip: GeoIP) -> None:
    assert catch_all_geoip.city(ip_address("8.8.8.8"))["country_code"] == "NL"
    assert catch_all_geoip.city(ip_address("2606:4700::1111"))["country_code"] == "NL"


def test_ipv6_in_an_ipv4_only_database_is_unknown(tmp_path: Path) -> None:
    writer = MMDBWriter(ip_version=4, database_type="GeoIP2-City")
    writer.insert_network(IPSet(["8.8.8.0/24"]), {"country": {"iso_code": "US"}})
    writer.to_db_file(str(tmp_path / "v4.mmdb"))
    with GeoIP.open("v4.mmdb", base_dir=tmp_path) as geoip:
        assert geoip.city(ip_address("8.8.8.8"))["country_code"] == "US"
        assert geoip.city(ip_address("::ffff:8.8.8.8"))["country_code"] == "US"
        assert geoip.city(ip_address("2001:4860:4860::8888")) is None


def test_default_database_google_dns(default_geoip: GeoIP) -> None:
    # What the bundled Dec 2019 GeoLite2 City says: country-level only.
    expected = {
        "country_code": "US",
        "country_code3": "USA",
        "country_name": "United States",
        "city_name": None,
        "continent_code": "NA",
        "subdivision_code": None,
        "subdivision_name": None,
        "latitude": 37.751,
        "longitude": -97.822,
        "time_zone": "America/Chicago",
    }
    assert default_geoip.city(ip_address("8.8.8.8")) == expected
    assert default_geoip.city(ip_address("2001:4860:4860::8888")) == expected


def test_default_database_maxmind_test_address(default_geoip: GeoIP) -> None:
    # 81.2.69.142 is London in MaxMind's own test data; the 2019 GeoLite2 says Gamlingay.
    assert default_geoip.city(ip_address("81.2.69.142")) == {
        "country_code": "GB",
        "country_code3": "GBR",
        "country_name": "United Kingdom",
        "city_name": "Gamlingay",
        "continent_code": "EU",
        "subdivision_code": "ENG",
        "subdivision_name": "England",
        "latitude": 52.1398,
        "longitude": -0.2399,
        "time_zone": "Europe/London",
    }


def test_default_database_private_address(default_geoip: GeoIP) -> None:
    assert default_geoip.city(ip_address("192.168.0.1")) is None


def test_missing_city_database_names_key_and_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        GeoIP.open("geo/nowhere.mmdb", base_dir=tmp_path)
    message = str(caught.value)
    assert "geoip.city_database" in message and "geo/nowhere.mmdb" in message
    assert str(tmp_path) not in message


def test_corrupt_database(tmp_path: Path) -> None:
    (tmp_path / "junk.mmdb").write_bytes(b"this is not a MaxMind DB" * 100)
    with pytest.raises(ConfigError, match=r"geoip\.city_database: 'junk\.mmdb' is not a valid"):
        GeoIP.open("junk.mmdb", base_dir=tmp_path)


def test_directory_instead_of_database(tmp_path: Path) -> None:
    (tmp_path / "geo").mkdir()
    with pytest.raises(ConfigError, match=r"geoip\.city_database: .*'geo'"):
        GeoIP.open("geo", base_dir=tmp_path)


def test_empty_city_database_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"geoip\.city_database: no database path given"):
        GeoIP.open("", base_dir=tmp_path)


def test_missing_asn_database_names_its_key(samples_geo: Path) -> None:
    with pytest.raises(ConfigError, match=r"geoip\.asn_database: .*'asn\.mmdb' not found"):
        GeoIP.open("test-city.mmdb", "asn.mmdb", base_dir=samples_geo)


def test_wrong_kind_of_database(samples_geo: Path) -> None:
    with pytest.raises(ConfigError, match=r"geoip\.city_database: .*GeoLite2-ASN database"):
        GeoIP.open("test-asn.mmdb", base_dir=samples_geo)
    with pytest.raises(ConfigError, match=r"geoip\.asn_database: .*GeoIP2-City database"):
        GeoIP.open("test-city.mmdb", "test-city.mmdb", base_dir=samples_geo)


def test_absolute_path_ignores_base_dir(samples_geo: Path, tmp_path: Path) -> None:
    with GeoIP.open(str(samples_geo / "test-city.mmdb"), base_dir=tmp_path) as geoip:
        assert geoip.city(ip_address("129.78.1.1"))["city_name"] == "Sydney"


def test_closed_geoip_refuses_lookups(samples_geo: Path) -> None:
    geoip = GeoIP.open("test-city.mmdb", base_dir=samples_geo)
    geoip.close()
    with pytest.raises(ValueError):
        geoip.city(ip_address("129.78.1.1"))


def test_country_code3_table_is_complete() -> None:
    assert len(COUNTRY_CODE3) == 250  # 249 ISO 3166-1 codes + XK (Kosovo)
    assert all(len(a2) == 2 and a2.isupper() for a2 in COUNTRY_CODE3)
    assert all(len(a3) == 3 and a3.isupper() for a3 in COUNTRY_CODE3.values())
    assert len(set(COUNTRY_CODE3.values())) == len(COUNTRY_CODE3)
    assert COUNTRY_CODE3["NL"] == "NLD" and COUNTRY_CODE3["GB"] == "GBR"
    assert COUNTRY_CODE3["SS"] == "SSD" and COUNTRY_CODE3["XK"] == "XKX"
