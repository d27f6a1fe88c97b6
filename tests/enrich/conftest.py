"""Fixtures for the enrichment tests: the committed test GeoIP databases and the bundled one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from contextmfa.enrich.geoip import GeoIP

SAMPLES_GEO = Path(__file__).resolve().parents[2] / "samples" / "geo"


@pytest.fixture(scope="session")
def samples_geo() -> Path:
    return SAMPLES_GEO


@pytest.fixture(scope="session")
def test_geoip() -> Iterator[GeoIP]:
    """samples/geo/test-city.mmdb + test-asn.mmdb (see build_test_db.py for the table)."""
    geoip = GeoIP.open("test-city.mmdb", "test-asn.mmdb", base_dir=SAMPLES_GEO)
    yield geoip
    geoip.close()


@pytest.fixture(scope="session")
def default_geoip() -> Iterator[GeoIP]:
    """The bundled GeoLite2 City database (Dec 2019)."""
    geoip = GeoIP.open("default", base_dir=SAMPLES_GEO)
    yield geoip
    geoip.close()
