"""Value types of the rule language, literal parsing, and run-time coercion of untyped values.

Run-time representations (chosen so that comparisons are plain Python operators):

=========  =========================================  ===========================================
type       literal                                    value at run time
=========  =========================================  ===========================================
string     ``"text"``, a factor name (``otp``)        ``str``
number     ``42``, ``-3.5``                           ``int`` or ``float`` (never ``bool``)
bool       ``true``, ``false``                        ``bool``
ip         ``192.0.2.1``, ``2001:db8::1``             ``IPv4Address`` / ``IPv6Address``
cidr       ``10.0.0.0/8`` (only after ``in``)         an ``IPRangeSet``
time       ``08:30``                                  minutes since midnight (``int``)
weekday    ``mon`` .. ``sun``                         0 (Monday) .. 6 (Sunday)
list       ``[...]`` (elements of one type)           ``frozenset`` or ``IPRangeSet``
any        (metadata fields)                          whatever the JSON holds
=========  =========================================  ===========================================

A missing value is ``None``. A value of the wrong type (metadata holding a number where a rule
expects a string) coerces to ``None`` as well, which makes the comparison *unknown*: three-valued
logic absorbs it and evaluation never raises.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from typing import Any

from contextmfa.enrich.iplists import IPRangeSet

__all__ = [
    "ANY",
    "BOOL",
    "CIDR",
    "IP",
    "LIST",
    "NUMBER",
    "STRING",
    "TIME",
    "WEEKDAY",
    "WEEKDAYS",
    "coercer",
    "describe",
    "parse_address",
    "parse_number",
    "parse_time",
    "plural",
]

STRING = "string"
NUMBER = "number"
BOOL = "bool"
IP = "ip"
CIDR = "cidr"
TIME = "time"
WEEKDAY = "weekday"
LIST = "list"
ANY = "any"

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_ARTICLE = {
    STRING: "a string",
    NUMBER: "a number",
    BOOL: "a boolean",
    IP: "an IP address",
    CIDR: "a CIDR",
    TIME: "a time of day",
    WEEKDAY: "a weekday",
    LIST: "a list",
    ANY: "a value",
}

_PLURAL = {
    STRING: "strings",
    NUMBER: "numbers",
    BOOL: "booleans",
    IP: "IP addresses",
    CIDR: "CIDRs",
    TIME: "times of day",
    WEEKDAY: "weekdays",
    LIST: "lists",
    ANY: "values",
}

MAX_NUMBER_DIGITS = 30
"""Longer numerals are refused at compile time (Python refuses to parse very long ints)."""


def describe(kind: str) -> str:
    """``"a string"``, ``"an IP address"``: a type as an error message names it."""
    return _ARTICLE.get(kind, kind)


def plural(kind: str) -> str:
    """``"strings"``, ``"IP addresses"``: what a list of ``kind`` holds."""
    return _PLURAL.get(kind, kind + "s")


def parse_number(text: str) -> int | float:
    """A numeral as written (``-3``, ``52.37``); ValueError when too long to be meaningful."""
    if len(text.lstrip("-").replace(".", "")) > MAX_NUMBER_DIGITS:
        raise ValueError(f"{text[:20]}... has more than {MAX_NUMBER_DIGITS} digits")
    return float(text) if "." in text else int(text)


def parse_time(text: str) -> int:
    """``HH:MM`` (24-hour clock) to minutes since midnight; ValueError names the problem."""
    hours, _, minutes = text.partition(":")
    if len(hours) != 2 or len(minutes) != 2:
        raise ValueError(f"{text} is not a time of day: write HH:MM with two digits each")
    h, m = int(hours), int(minutes)
    if h > 23 or m > 59:
        raise ValueError(f"{text} is not a time of day (00:00 to 23:59)")
    return h * 60 + m


_CLOCK_WITH_SECONDS = re.compile(r"[0-9]{1,2}:[0-9]{2}:[0-9]{2}")


def parse_address(text: str) -> tuple[IPv4Address | IPv6Address | None, IPRangeSet]:
    """An address or CIDR literal: ``(address or None for a CIDR, its range set)``.

    Stricter than deny-list files: a CIDR with host bits set (``10.1.2.3/8``) is refused, with
    the network it probably meant, because in a hand-written rule it is almost always a typo.
    """
    address_text, slash, _ = text.partition("/")
    if _CLOCK_WITH_SECONDS.fullmatch(text):
        raise ValueError(f"{text} is not an IP address (times of day are written HH:MM)")
    try:
        ranges = IPRangeSet.from_entries([text])
    except ValueError:
        raise ValueError(f"{text} is not an IP address or CIDR") from None
    if not slash:
        return ip_address(address_text), ranges
    network = ip_network(text, strict=False)
    if network.network_address != ip_address(address_text):
        raise ValueError(f"{text} has host bits set; did you mean {network}?")
    return None, ranges


# -- run-time coercion of untyped (metadata) values --------------------------------------------


def _as_string(value: Any) -> str | None:
    return value if type(value) is str else None


def _as_number(value: Any) -> int | float | None:
    kind = type(value)
    return value if kind is int or kind is float else None


def _as_bool(value: Any) -> bool | None:
    return value if type(value) is bool else None


@lru_cache(maxsize=4096)
def _ip_from_text(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(text)
    except ValueError:
        return None


def _as_ip(value: Any) -> IPv4Address | IPv6Address | None:
    kind = type(value)
    if kind is IPv4Address or kind is IPv6Address:
        return value
    if kind is str and len(value) <= 64:
        return _ip_from_text(value)
    return None


_TIME_TEXT = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


def _as_time(value: Any) -> int | None:
    if type(value) is not str:
        return None
    match = _TIME_TEXT.fullmatch(value)
    return int(match[1]) * 60 + int(match[2]) if match else None


_WEEKDAY_INDEX = {day: index for index, day in enumerate(WEEKDAYS)}


def _as_weekday(value: Any) -> int | None:
    return _WEEKDAY_INDEX.get(value) if type(value) is str else None


def _as_list(value: Any) -> list | None:
    return value if type(value) is list else None


def _as_any(value: Any) -> Any:
    return value


_COERCERS: dict[str, Callable[[Any], Any]] = {
    STRING: _as_string,
    NUMBER: _as_number,
    BOOL: _as_bool,
    IP: _as_ip,
    TIME: _as_time,
    WEEKDAY: _as_weekday,
    LIST: _as_list,
    ANY: _as_any,
}


def coercer(kind: str) -> Callable[[Any], Any]:
    """The function that turns a JSON value into ``kind``'s run-time form, or None."""
    return _COERCERS[kind]
