"""``ip_in_range`` on cached integer ranges answers exactly as the loop over ``ipaddress`` did."""

from __future__ import annotations

import ipaddress
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contextmfa.sandbox.event_view import ListView
from contextmfa.sandbox.helpers import ip_in_range
from contextmfa.sandbox.ip_ranges import _Cache, ranges_for

# -- the implementation before the cache, kept as the oracle ----------------------------------


def _old_cidrs(values: tuple[Any, ...]) -> list[str]:
    found: list[str] = []
    for value in values:
        if isinstance(value, str):
            found.append(str(value))
        elif isinstance(value, (list, tuple, ListView)):
            found.extend(_old_cidrs(tuple(value)))
        else:
            raise TypeError(f"ip_in_range(): a CIDR must be a string, not {type(value).__name__}")
    return found


def old_ip_in_range(ip: str, *cidrs: Any) -> bool:
    if not isinstance(ip, str):
        raise TypeError(f"ip_in_range(): ip must be a string, not {type(ip).__name__}")
    address = ipaddress.ip_address(str.strip(ip))
    mapped = getattr(address, "ipv4_mapped", None)
    for cidr in _old_cidrs(cidrs):
        network = ipaddress.ip_network(cidr.strip(), strict=False)
        if address.version == network.version and address in network:
            return True
        if mapped is not None and network.version == 4 and mapped in network:
            return True
    return False


def outcome(fn: Any, ip: Any, cidrs: tuple[Any, ...]) -> tuple[Any, ...]:
    try:
        return ("answer", fn(ip, *cidrs))
    except Exception as exc:
        return ("error", type(exc), str(exc))


# -- inputs: near and far from each other, valid and not --------------------------------------

V4 = st.integers(0, 2**32 - 1)
MAPPED = st.integers(0, 2**32 - 1).map(lambda v: (0xFFFF << 32) | v)
V6 = st.one_of(st.integers(0, 2**128 - 1), MAPPED, st.integers(0, 2**40))


def _v4(value: int) -> str:
    return str(ipaddress.IPv4Address(value))


def _v6(value: int) -> str:
    return str(ipaddress.IPv6Address(value))


def _mapped_text(value: int) -> str:
    return f"::ffff:{ipaddress.IPv4Address(value & 0xFFFFFFFF)}"


ADDRESS_TEXT = st.one_of(V4.map(_v4), V6.map(_v6), MAPPED.map(_mapped_text))
JUNK = st.sampled_from(
    [
        "",
        " ",
        "garbage",
        "10.0.0/33",
        "10.0.0.0/33",
        "::1/129",
        "1.2.3.04",
        "10.0.0.0/-1",
        "10.0.0.0/255.0.0.0",
        "10.0.0.0/0.255.255.255",
        "10.0.0.0/08",
        "fe80::1%eth0",
        "1.2.3.4/",
    ]
)
PADDED = st.tuples(st.sampled_from(["", " ", "\t"]), ADDRESS_TEXT, st.sampled_from(["", " "]))
IP = st.one_of(PADDED.map("".join), JUNK, st.integers(), st.none())


def _cidr(pair: tuple[str, int]) -> str:
    text, prefix = pair
    return f"{text}/{prefix}"


CIDR_TEXT = st.one_of(
    st.tuples(V4.map(_v4), st.integers(0, 33)).map(_cidr),
    st.tuples(V6.map(_v6), st.integers(0, 129)).map(_cidr),
    st.tuples(MAPPED.map(_mapped_text), st.integers(96, 128)).map(_cidr),
    ADDRESS_TEXT,
    JUNK,
)
CIDR = st.one_of(CIDR_TEXT, CIDR_TEXT.map(lambda c: f" {c} "), st.integers(), st.none())
CIDRS = st.lists(
    st.one_of(CIDR, st.lists(CIDR, max_size=4), st.lists(CIDR, max_size=3).map(tuple)),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(IP, CIDRS)
def test_same_answers_and_errors_as_the_loop(ip, cidrs):
    args = tuple(cidrs)
    assert outcome(ip_in_range, ip, args) == outcome(old_ip_in_range, ip, args)
    assert outcome(ip_in_range, ip, args) == outcome(old_ip_in_range, ip, args)  # from the cache


@settings(max_examples=100, deadline=None)
@given(st.lists(V4, min_size=1, max_size=8), MAPPED)
def test_an_address_near_the_ranges_answers_as_the_loop(starts, mapped):
    cidrs = [f"{_v4(s)}/{8 + i * 3}" for i, s in enumerate(starts)]
    cidrs += [f"::ffff:{_v4(starts[0])}/{100 + len(starts)}"]
    near = [*(s + 1 for s in starts if s < 2**32 - 1), *(s - 1 for s in starts if s)]
    for value in [*starts, *near]:
        for ip in (_v4(value), _mapped_text(value), _v6(mapped)):
            assert ip_in_range(ip, cidrs) == old_ip_in_range(ip, cidrs), (ip, cidrs)


def test_examples_where_the_versions_meet():
    assert ip_in_range("::ffff:10.0.0.1", "::ffff:10.0.0.0/104") is True
    assert ip_in_range("10.0.0.1", "::ffff:10.0.0.0/104") is False
    assert ip_in_range("::ffff:10.0.0.1", "::/0") is True
    assert ip_in_range("10.0.0.1", "::/0") is False
    assert ip_in_range("::ffff:10.0.0.1", "10.0.0.0/8") is True


def test_a_malformed_cidr_after_a_match_is_not_reached():
    assert ip_in_range("10.0.0.1", "10.0.0.0/8", "garbage") is True
    for _ in range(2):
        try:
            ip_in_range("11.0.0.1", "10.0.0.0/8", "garbage")
        except ValueError as exc:
            assert str(exc) == "'garbage' does not appear to be an IPv4 or IPv6 network"
        else:
            raise AssertionError("a malformed CIDR must raise")


def test_a_list_view_from_the_event_is_read_like_a_list():
    view = ListView(["10.0.0.0/8", ["192.168.0.0/16"]])
    assert ip_in_range("192.168.1.1", view) is True
    assert ip_in_range("192.168.1.1", view) == old_ip_in_range("192.168.1.1", view)


def test_the_same_list_is_parsed_once():
    cidrs = ("10.0.0.0/8", "2001:db8::/32")
    assert ranges_for(cidrs) is ranges_for(tuple(list(cidrs)))


def test_the_cache_is_bounded_in_lists_and_in_characters():
    cache = _Cache(max_lists=8, max_chars=400)
    for n in range(50):
        cache.get((f"10.{n}.0.0/16",))
    assert len(cache) == 8
    big = tuple(f"10.0.{n}.0/24" for n in range(20))  # over a quarter of the budget
    first = cache.get(big)
    assert cache.get(big) is not first and len(cache) == 8
    for n in range(30):
        cache.get(tuple(f"172.16.{n}.{m}/32" for m in range(3)))
    assert cache.chars <= 400
