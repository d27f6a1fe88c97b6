"""What an Action computes from hashes must not change between processes: ``hash`` and set order.

CPython salts the hash of every ``str`` and ``bytes`` per process (``PYTHONHASHSEED``), so a
50% roll-out written as ``hash(user_id) % 2`` and the order of a set of strings differ from one
process to the next: three replays of one login gave three decisions. Inside an Action:

- ``hash(x)`` is a keyed BLAKE2b of a canonical encoding of ``x``, keyed by the tenant id: the
  same for the same value in every process, on every machine, in every Python version, and
  unrelated between tenants. Values that are equal hash equal (``hash(1) == hash(1.0) ==
  hash(True)``). It takes None, bools, numbers, str, bytes, dates and times, IP addresses and
  networks, and tuples and frozensets of those; anything else is a ``TypeError`` that says so
  (the Action's own objects hash by identity, which differs every run).
- iterating a set or frozenset (``for``, comprehensions, ``list()``, ``sorted``, ``join``,
  ``*args``, unpacking, ``min``/``max``/``sum``/``any``/``all``...) walks its items in canonical
  order: sorted by kind, then value (strings by code point). Items that have no canonical order
  (objects of the Action's classes) keep CPython's order. What stays in CPython's order is how a
  set *shows*: ``print(s)``, ``str(s)``, ``repr(s)`` and f-strings, and which item ``s.pop()``
  removes; ``check`` warns where it sees those on a set.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import math
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

ADDRESS_TYPES = (
    ipaddress.IPv4Address,
    ipaddress.IPv6Address,
    ipaddress.IPv4Network,
    ipaddress.IPv6Network,
    ipaddress.IPv4Interface,
    ipaddress.IPv6Interface,
)
"""The ipaddress types an Action can hold (the sandbox's attribute allowlist names them too)."""
_MAX_DEPTH = 32
_DECIMAL_BITS = 14_000
"""Ints up to this many bits (about 4,200 digits) are encoded in decimal, within str()'s limit."""


class TooDeep(ValueError):
    """A value nested deeper than ``hash()`` follows (a limit, not the Action's bug)."""


def _number(value: float | int | complex) -> bytes:
    if isinstance(value, complex):
        if value.imag:
            return b"c" + _number(value.real) + _number(value.imag)
        value = value.real
    if isinstance(value, float):
        if math.isnan(value):
            return b"fnan"
        if math.isfinite(value) and value.is_integer():
            value = int(value)
        else:
            return b"f" + value.hex().encode()
    number = int(value)
    if number.bit_length() <= _DECIMAL_BITS:
        return b"i" + str(number).encode()
    return b"x" + format(number, "x").encode()  # past str()'s digit limit; hex has none


def _aware_time_micros(value: datetime.time) -> int:
    """What equality compares for a time with an offset: its microseconds less the offset
    (CPython does not wrap past midnight, so neither does this)."""
    offset = value.utcoffset() // datetime.timedelta(microseconds=1)  # type: ignore[operator]
    seconds = (value.hour * 60 + value.minute) * 60 + value.second
    return seconds * 10**6 + value.microsecond - offset


def _framed(tag: bytes, data: bytes) -> bytes:
    return tag + len(data).to_bytes(8, "big") + data


def canonical(value: Any, depth: int = 0) -> bytes:
    """A byte string equal for equal values, whatever the process (module docstring)."""
    if depth > _MAX_DEPTH:
        raise TooDeep("hash(): value nested too deeply")
    kind = type(value)
    if value is None:
        return b"N"
    if kind in (bool, int, float, complex):
        return _number(value)
    if kind is str:
        return _framed(b"s", value.encode("utf-8", "surrogatepass"))
    if kind is bytes:
        return _framed(b"b", value)
    if kind is tuple:
        return _framed(b"t", b"".join(canonical(item, depth + 1) for item in value))
    if kind is frozenset:
        items = sorted(canonical(item, depth + 1) for item in value)
        return _framed(b"F", b"".join(items))
    if kind is datetime.datetime:
        if value.utcoffset() is not None:
            value = value.astimezone(datetime.UTC).replace(tzinfo=None)
            return _framed(b"A", value.isoformat().encode())
        return _framed(b"D", value.isoformat().encode())
    if kind is datetime.time and value.utcoffset() is not None:
        return _framed(b"a", str(_aware_time_micros(value)).encode())
    if kind in (datetime.date, datetime.time):
        return _framed(kind.__name__.encode(), value.isoformat().encode())
    if kind is datetime.timedelta:
        return _framed(b"T", str(value // datetime.timedelta(microseconds=1)).encode())
    if kind in ADDRESS_TYPES:
        return _framed(kind.__name__.encode(), str(value).encode())
    if getattr(kind, "__hash__", None) is None:
        raise TypeError(f"unhashable type: {kind.__name__!r}")
    for base in (int, float, str, bytes, tuple, frozenset):
        if isinstance(value, base):  # a subclass: hashed as the value it holds
            return canonical(base(value), depth + 1)
    raise TypeError(
        f"hash() of a {kind.__name__!r} object differs between runs in Actions; "
        "hash a str, a number or a tuple of them"
    )


@lru_cache(maxsize=1024)
def _key(tenant: str) -> bytes:
    return hashlib.blake2b(tenant.encode("utf-8", "surrogatepass"), digest_size=32).digest()


def stable_hash(value: Any, tenant: str) -> int:
    """``hash(value)`` inside an Action of ``tenant``: a signed 64-bit int, never -1."""
    digest = hashlib.blake2b(canonical(value), key=_key(tenant), digest_size=8).digest()
    result = int.from_bytes(digest, "big", signed=True)
    return -2 if result == -1 else result


def _order_key(value: Any) -> tuple[Any, ...]:
    if value is None:
        return (0,)
    if type(value) in (bool, int, float):
        return (1, value)
    if type(value) is str:
        return (2, value)
    if type(value) is bytes:
        return (3, value)
    if type(value) is tuple:
        return (4, tuple(_order_key(item) for item in value))
    return (5, canonical(value))


def canonical_order(items: set[Any] | frozenset[Any]) -> list[Any]:
    """The items of a set in an order every process agrees on (module docstring)."""
    kinds = {type(item) for item in items}
    if len(kinds) == 1 and kinds <= {str, int, bytes}:
        return sorted(items)
    try:
        return sorted(items, key=_order_key)
    except (TypeError, ValueError, RecursionError):
        return list(items)


UNORDERED = (set, frozenset)


def ordered_iter(iterable: Iterable[Any]) -> Iterator[Any]:
    """``iter()`` for Action code's loops and comprehensions: sets in canonical order."""
    if type(iterable) in UNORDERED:
        return iter(canonical_order(iterable))  # type: ignore[arg-type]
    return iter(iterable)
