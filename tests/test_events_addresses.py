"""Address texts are parsed once: a repeated address gives the same value, and text that is no
address, or no text at all, is refused every time it comes."""

from __future__ import annotations

import json
from ipaddress import IPv4Address, IPv6Address

import pytest

from contextmfa.errors import InputError
from contextmfa.events import _ADDRESSES, ADDRESSES_KEPT, parse_event_json


def line(ip: object) -> str:
    record = {
        "id": "l-1",
        "timestamp": "2026-03-02T09:15:00+01:00",
        "user": {"user_id": "auth0|alice"},
        "request": {"ip": ip},
    }
    return json.dumps(record)


def test_a_repeated_address_parses_to_the_same_value():
    first = parse_event_json(line("198.51.100.7"), where="x")
    again = parse_event_json(line("198.51.100.7"), where="x")
    assert first.ip == again.ip == IPv4Address("198.51.100.7")
    assert parse_event_json(line("2001:db8::1"), where="x").ip == IPv6Address("2001:db8::1")
    assert first.model_dump(mode="json")["request"]["ip"] == "198.51.100.7"


@pytest.mark.parametrize(
    ("ip", "expected"),
    [
        ("999.1.1.1", "'999.1.1.1' is not an IP address"),
        (12345, "expected an IP address as a JSON string, got number 12345"),
    ],
)
def test_what_is_refused_is_refused_every_time(ip: object, expected: str):
    for _ in range(2):
        with pytest.raises(InputError) as caught:
            parse_event_json(line(ip), where="x")
        assert str(caught.value) == f"x: error: request.ip: {expected}"
    assert "999.1.1.1" not in _ADDRESSES


def test_the_cache_stays_bounded():
    for n in range(ADDRESSES_KEPT + 10):
        parse_event_json(line(f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"), where="x")
    assert len(_ADDRESSES) <= ADDRESSES_KEPT
