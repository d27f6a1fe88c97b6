"""The committed test GeoIP databases: reproducible, and readable by geoip2 as the table says."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import geoip2.database
import geoip2.errors
import pytest


@pytest.fixture(scope="module")
def build_script(samples_geo: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_test_db", samples_geo / "build_test_db.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rebuild_is_byte_identical(samples_geo: Path, tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(samples_geo / "build_test_db.py"), str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for name in ("test-city.mmdb", "test-asn.mmdb"):
        assert (tmp_path / name).read_bytes() == (samples_geo / name).read_bytes(), name


def _first_address(network: str) -> str:
    return network.split("/")[0]


def test_geoip2_reads_the_city_database(samples_geo: Path, build_script: ModuleType) -> None:
    with geoip2.database.Reader(str(samples_geo / "test-city.mmdb")) as reader:
        assert reader.metadata().database_type == "GeoIP2-City"
        for network, country, city, _asn in build_script.NETWORKS:
            found = reader.city(_first_address(network))
            assert found.traits.network is not None and str(found.traits.network) == network
            assert found.country.iso_code == country
            assert found.country.name == build_script.COUNTRIES[country][1]
            assert found.city.name == city
            if city is None:
                assert found.location.latitude is None and not found.subdivisions
                continue
            _, (_, sub_code, sub_name), lat, lon, time_zone = build_script.CITIES[city]
            assert (found.location.latitude, found.location.longitude) == (lat, lon)
            assert found.location.time_zone == time_zone
            assert found.subdivisions.most_specific.iso_code == sub_code
            assert found.subdivisions.most_specific.name == sub_name


def test_geoip2_reads_the_asn_database(samples_geo: Path, build_script: ModuleType) -> None:
    with geoip2.database.Reader(str(samples_geo / "test-asn.mmdb")) as reader:
        assert reader.metadata().database_type == "GeoLite2-ASN"
        for network, _country, _city, asn in build_script.NETWORKS:
            if asn is None:
                with pytest.raises(geoip2.errors.AddressNotFoundError):
                    reader.asn(_first_address(network))
                continue
            found = reader.asn(_first_address(network))
            assert (found.autonomous_system_number, found.autonomous_system_organization) == asn
