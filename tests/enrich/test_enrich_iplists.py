"""IP range sets and deny lists: parsing, merging, edges, files and errors."""

from __future__ import annotations

import ipaddress
from ipaddress import ip_address
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contextmfa.enrich.iplists import DenyLists, IPRangeSet
from contextmfa.errors import ConfigError


def test_single_ipv4_address() -> None:
    ranges = IPRangeSet.from_entries(["203.0.113.7"])
    assert ip_address("203.0.113.7") in ranges
    assert ip_address("203.0.113.6") not in ranges
    assert ip_address("203.0.113.8") not in ranges


def test_ipv4_cidr_edges() -> None:
    ranges = IPRangeSet.from_entries(["198.51.100.0/24"])
    assert ip_address("198.51.100.0") in ranges
    assert ip_address("198.51.100.255") in ranges
    assert ip_address("198.51.99.255") not in ranges
    assert ip_address("198.51.101.0") not in ranges


def test_ipv6_cidr_edges() -> None:
    ranges = IPRangeSet.from_entries(["2001:db8:abcd::/48", "2001:db8::1"])
    assert ip_address("2001:db8:abcd::") in ranges
    assert ip_address("2001:db8:abcd:ffff:ffff:ffff:ffff:ffff") in ranges
    assert ip_address("2001:db8:abcc:ffff:ffff:ffff:ffff:ffff") not in ranges
    assert ip_address("2001:db8:abce::") not in ranges
    assert ip_address("2001:db8::1") in ranges
    assert ip_address("2001:db8::2") not in ranges


def test_versions_do_not_mix() -> None:
    # ::1.2.3.4 has the same integer value as 1.2.3.4 but is another address.
    assert ip_address("::102:304") not in IPRangeSet.from_entries(["1.2.3.4"])
    assert ip_address("1.2.3.4") not in IPRangeSet.from_entries(["::1.2.3.4"])


def test_ipv4_mapped_addresses_match_ipv4_entries() -> None:
    assert ip_address("::ffff:192.0.2.1") in IPRangeSet.from_entries(["192.0.2.0/24"])
    mapped_entry = IPRangeSet.from_entries(["::ffff:192.0.2.0/120"])
    assert ip_address("192.0.2.200") in mapped_entry
    assert ip_address("192.0.3.0") not in mapped_entry


def test_overlaps_and_neighbours_merge() -> None:
    ranges = IPRangeSet.from_entries(
        ["10.0.0.0/8", "10.1.0.0/16", "10.2.3.4", "11.5.0.0/24", "11.5.1.0/24", "12.0.0.1"]
    )
    # 10/8 swallows its subnets; 11.5.0.0/24 and 11.5.1.0/24 touch; 12.0.0.1 stands alone.
    assert len(ranges) == 3
    assert ip_address("11.5.1.255") in ranges
    assert ip_address("11.5.2.0") not in ranges
    assert ip_address("11.0.0.0") not in ranges
    assert ip_address("12.0.0.0") not in ranges


def test_order_and_duplicates_do_not_matter() -> None:
    entries = ["2001:db8::/64", "192.0.2.0/25", "192.0.2.128/25", "192.0.2.0/25", "2001:db8::/64"]
    ranges = IPRangeSet.from_entries(reversed(entries))
    assert len(ranges) == 2
    assert ip_address("192.0.2.255") in ranges


def test_host_bits_are_masked() -> None:
    ranges = IPRangeSet.from_entries(["10.1.2.3/8"])
    assert ip_address("10.0.0.0") in ranges
    assert ip_address("10.255.255.255") in ranges


def test_whole_address_spaces() -> None:
    ranges = IPRangeSet.from_entries(["0.0.0.0/0", "::/0"])
    assert len(ranges) == 2
    assert ip_address("255.255.255.255") in ranges
    assert ip_address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") in ranges


def test_empty_set() -> None:
    ranges = IPRangeSet.from_entries([])
    assert len(ranges) == 0
    assert ip_address("0.0.0.0") not in ranges
    assert ip_address("::") not in ranges


def test_ipaddress_keeps_the_integer_in_ip_attribute() -> None:
    # IPRangeSet reads ``_ip`` directly on the hot path (see __contains__).
    for text in (
        "0.0.0.0",
        "203.0.113.7",
        "255.255.255.255",
        "::",
        "2001:db8::1",
        "::ffff:1.2.3.4",
    ):
        address = ip_address(text)
        assert address._ip == int(address)


def test_only_ip_addresses_can_be_tested() -> None:
    # A string slipping through must not read as "not on the list" (fail closed).
    with pytest.raises(TypeError):
        assert "10.0.0.1" in IPRangeSet.from_entries(["10.0.0.0/8"])


@pytest.mark.parametrize(
    "entry",
    [
        "",
        "banana",
        "1.2.3",
        "1.2.3.4.5",
        "01.2.3.4",
        "256.0.0.1",
        "1.2.3.4/33",
        "1.2.3.4/",
        "1.2.3.4/-1",
        "1.2.3.4/+8",
        "1.2.3.4/ 8",
        "1.2.3.4/8/8",
        "1.2.3.4/२",
        "::1/129",
        "1::2::3",
        "fe80::1%eth0",
        "1.2.3.4-1.2.3.9",
    ],
)
def test_bad_entries_raise_value_error_naming_them(entry: str) -> None:
    with pytest.raises(ValueError) as caught:
        IPRangeSet.from_entries(["10.0.0.0/8", entry])
    assert str(caught.value) == f"{entry.strip()!r} is not an IP address or CIDR"


def test_from_file_comments_blanks_and_whitespace(tmp_path: Path) -> None:
    path = tmp_path / "tor.txt"
    path.write_text(
        "# exit nodes, 2026-11-27\n"
        "\n"
        "185.220.101.0/24   # a whole /24\n"
        "   171.25.193.77\t\r\n"
        "#198.51.100.1\n"
        "2a0b:f4c2::/40#no space before the comment\n",
        encoding="utf-8",
    )
    ranges = IPRangeSet.from_file(path)
    assert len(ranges) == 3
    assert ip_address("185.220.101.254") in ranges
    assert ip_address("171.25.193.77") in ranges
    assert ip_address("2a0b:f4c2:ff::1") in ranges
    assert ip_address("198.51.100.1") not in ranges


def test_from_file_bad_line_is_located(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("# header\n10.0.0.0/8\n10.0.0.0/33  # oops\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        IPRangeSet.from_file(path)
    assert str(caught.value) == f"{path}:3: error: '10.0.0.0/33' is not an IP address or CIDR"


def test_from_file_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"missing\.txt: error: cannot read IP list"):
        IPRangeSet.from_file(tmp_path / "missing.txt")


def test_from_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("10.0.0.1 # caf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin1\.txt: error: IP list is not UTF-8 text"):
        IPRangeSet.from_file(path)


@settings(max_examples=60, deadline=None)
@given(
    networks=st.lists(
        st.tuples(st.integers(0, 2**32 - 1), st.integers(20, 32)), min_size=0, max_size=30
    ),
    probes=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=30),
)
def test_matches_ipaddress_networks(networks: list[tuple[int, int]], probes: list[int]) -> None:
    nets = [ipaddress.ip_network((value, prefix), strict=False) for value, prefix in networks]
    ranges = IPRangeSet.from_entries(str(net) for net in nets)
    # Probe random addresses and the edges of every network.
    candidates = list(probes)
    for net in nets:
        first, last = int(net.network_address), int(net.broadcast_address)
        candidates += [first, last, max(first - 1, 0), min(last + 1, 2**32 - 1)]
    for value in candidates:
        address = ipaddress.IPv4Address(value)
        assert (address in ranges) == any(address in net for net in nets)


def _write(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text, encoding="utf-8")


def test_deny_lists_first_match_in_config_order(tmp_path: Path) -> None:
    (tmp_path / "lists").mkdir()
    _write(tmp_path / "lists", "tor.txt", "185.220.101.0/24\n")
    _write(tmp_path / "lists", "abuse.txt", "185.220.0.0/16\n2001:db8::/32\n")
    lists = DenyLists.load({"tor": "lists/tor.txt", "abuse": "lists/abuse.txt"}, base_dir=tmp_path)
    assert lists.configured
    assert lists.names == ("tor", "abuse")
    assert lists.match(ip_address("185.220.101.9")) == "tor"
    assert lists.match(ip_address("185.220.7.9")) == "abuse"
    assert lists.match(ip_address("2001:db8::7")) == "abuse"
    assert lists.match(ip_address("8.8.8.8")) is None

    reordered = DenyLists.load(
        {"abuse": "lists/abuse.txt", "tor": "lists/tor.txt"}, base_dir=tmp_path
    )
    assert reordered.match(ip_address("185.220.101.9")) == "abuse"


def test_no_deny_lists_configured(tmp_path: Path) -> None:
    lists = DenyLists.load({}, base_dir=tmp_path)
    assert not lists.configured
    assert lists.match(ip_address("185.220.101.9")) is None


def test_an_empty_list_still_counts_as_configured(tmp_path: Path) -> None:
    _write(tmp_path, "empty.txt", "# nothing yet\n")
    lists = DenyLists.load({"empty": "empty.txt"}, base_dir=tmp_path)
    assert lists.configured
    assert lists.match(ip_address("185.220.101.9")) is None


def test_deny_lists_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.txt: error: cannot read IP list"):
        DenyLists.load({"tor": "nope.txt"}, base_dir=tmp_path)
