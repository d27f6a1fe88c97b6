"""Run-time tests on values whose type is only known at run time, and the text operators.

Metadata is the tenant's free-form JSON, so ``user.app_metadata.level > 3`` may meet a string, and
``geo.country in user.app_metadata.countries`` a list holding a null. Such comparisons are
*unknown* (None), never an exception and never a guess: ``"3" == 3`` is unknown, not false.

``matches`` runs on hostile input (a user agent is whatever the client sends), and a pattern
such as ``(a+)+$`` backtracks for minutes on a crafted string. Patterns run on the ``regex``
engine (``re`` syntax, its ``VERSION0`` mode) under a deadline of ``REGEX_TIMEOUT_S``; a match
that runs out of time is unknown. Results are cached per pattern (user agents repeat from login
to login), which also keeps the deadline's clock reads off the hot path.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import regex

from contextmfa.enrich.iplists import IPRangeSet
from contextmfa.rules.values import ANY, IP, coercer

__all__ = [
    "REGEX_TIMEOUT_S",
    "dynamic_equal",
    "dynamic_order",
    "element_test",
    "text_test",
]

REGEX_TIMEOUT_S = 0.02
"""Longest one ``matches`` may run on one value; then it is unknown."""

_CACHE_SIZE = 4096


def _family(value: Any) -> type | None:
    kind = type(value)
    if kind is int or kind is float:
        return float
    return kind


def dynamic_equal(a: Any, b: Any) -> bool | None:
    """``a == b`` for two JSON values: None when either is missing or their types differ."""
    if a is None or b is None:
        return None
    if _family(a) is not _family(b):
        return None
    return a == b


def dynamic_order(order: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool | None]:
    """``order(a, b)`` when both are numbers or both strings; otherwise unknown."""

    def test(a: Any, b: Any) -> bool | None:
        family = _family(a)
        if family is not _family(b) or family not in (float, str):
            return None
        return order(a, b)

    return test


@lru_cache(maxsize=_CACHE_SIZE)
def _entry_ranges(text: str) -> IPRangeSet | None:
    try:
        return IPRangeSet.from_entries([text])
    except ValueError:
        return None


def _address_in_entry(address: Any, entry: Any) -> bool | None:
    """An address against one metadata entry: an IP or CIDR string (containment)."""
    if type(entry) is not str or len(entry) > 64:
        return None
    ranges = _entry_ranges(entry)
    return None if ranges is None else address in ranges


def element_test(kind: str) -> Callable[[Any, Any], bool | None]:
    """How a value of ``kind`` is compared with one element of an untyped (metadata) list."""
    if kind == ANY:
        return dynamic_equal
    if kind == IP:
        return _address_in_entry
    coerce = coercer(kind)

    def equal(value: Any, item: Any) -> bool | None:
        item = coerce(item)
        return None if item is None else value == item

    return equal


# -- startswith, endswith, contains, matches --------------------------------------------------


def _matcher(pattern: str) -> Callable[[str], bool | None]:
    compiled = regex.compile(pattern, regex.VERSION0)
    seen: dict[str, bool | None] = {}

    def matches(value: str) -> bool | None:
        try:
            return seen[value]
        except KeyError:
            pass
        try:
            result: bool | None = compiled.fullmatch(value, timeout=REGEX_TIMEOUT_S) is not None
        except TimeoutError:
            result = None
        if len(seen) >= _CACHE_SIZE:
            seen.clear()
        seen[value] = result
        return result

    return matches


def text_test(op: str, pattern: str) -> Callable[[str], bool | None]:
    """The test ``value <op> pattern`` for a string value."""
    if op == "startswith":
        return lambda value: value.startswith(pattern)
    if op == "endswith":
        return lambda value: value.endswith(pattern)
    if op == "contains":
        return lambda value: pattern in value
    return _matcher(pattern)
