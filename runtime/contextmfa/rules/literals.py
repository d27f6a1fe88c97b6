"""Literals and literal lists: parsed, validated and reported at their own position."""

from __future__ import annotations

from contextmfa.directives import FACTORS
from contextmfa.enrich.iplists import IPRangeSet
from contextmfa.rules import nodes as n
from contextmfa.rules.checked import Const, ListValue
from contextmfa.rules.diagnostics import Report, did_you_mean, quoted
from contextmfa.rules.fields import lookup
from contextmfa.rules.values import (
    BOOL,
    CIDR,
    IP,
    NUMBER,
    STRING,
    TIME,
    WEEKDAY,
    WEEKDAYS,
    describe,
    parse_address,
    parse_number,
    parse_time,
    plural,
)

__all__ = ["BARE_WORDS", "build_list", "literal", "make_list", "name_literal", "single_cidr"]

BARE_WORDS: tuple[str, ...] = (*WEEKDAYS, *FACTORS, "true", "false")
"""Names that are values, not fields: weekdays, factor names (strings) and booleans."""


def name_literal(name: n.Name) -> Const | None:
    """The value a bare name stands for (``mon``, ``otp``, ``true``), or None."""
    text = name.text
    if text in WEEKDAYS:
        return Const(WEEKDAY, WEEKDAYS.index(text), text, name.pos)
    if text in FACTORS:
        return Const(STRING, text, text, name.pos)
    if text in ("true", "false"):
        return Const(BOOL, text == "true", text, name.pos)
    return None


def literal(operand: n.Operand, report: Report) -> Const | None:
    """Parse a literal operand; None after reporting why it is not a valid one.

    Names are handled by the caller (they may be fields or lists), except those that are
    values (``name_literal``).
    """
    if isinstance(operand, n.StringLit):
        return Const(STRING, operand.value, operand.value, operand.pos)
    if isinstance(operand, n.NumberLit):
        try:
            return Const(NUMBER, parse_number(operand.text), operand.text, operand.pos)
        except ValueError as exc:
            report.error(operand.pos, f"bad number: {exc}", "bad_number")
            return None
    if isinstance(operand, n.TimeLit):
        try:
            return Const(TIME, parse_time(operand.text), operand.text, operand.pos)
        except ValueError as exc:
            report.error(operand.pos, f"bad time: {exc}", "bad_time")
            return None
    if isinstance(operand, n.AddressLit):
        try:
            address, ranges = parse_address(operand.text)
        except ValueError as exc:
            report.error(operand.pos, f"bad address: {exc}", "bad_address")
            return None
        kind = CIDR if address is None else IP
        return Const(kind, address, operand.text, operand.pos, ranges)
    if isinstance(operand, n.Name):
        return name_literal(operand)
    return None


def _element(item: n.Operand, report: Report) -> Const | None:
    if isinstance(item, n.ListLit):
        report.error(item.pos, "a list cannot hold another list", "type")
        return None
    if isinstance(item, n.Name):
        value = name_literal(item)
        if value is not None:
            return value
        if lookup(item.text) is not None:
            report.error(item.pos, f"a list holds values, not fields such as {item.text}", "type")
        else:
            hint = did_you_mean(item.text, BARE_WORDS) or (
                f'; strings are written in double quotes: "{item.text}"'
            )
            report.error(item.pos, f"unknown name {quoted(item.text)} in list{hint}", "unknown")
        return None
    return literal(item, report)


def _family(kind: str) -> str:
    """CIDRs and addresses mix freely in one list: both are IP entries."""
    return IP if kind == CIDR else kind


def build_list(node: n.ListLit, report: Report, name: str | None = None) -> ListValue | None:
    """A literal list of one element type; None after reporting its problems."""
    mark = len(report.problems)
    items: list[Const] = []
    elem: str | None = None
    for item in node.items:
        value = _element(item, report)
        if value is None:
            continue
        family = _family(value.type)
        if elem is None:
            elem = family
        elif family != elem:
            report.error(
                value.pos,
                f"a list holds one type: this one holds {plural(elem)}, "
                f"but {quoted(value.text)} is {describe(family)}",
                "type",
            )
            continue
        items.append(value)
    if report.errors_since(mark):
        return None
    return make_list(elem, tuple(items), name)


def make_list(elem: str | None, items: tuple[Const, ...], name: str | None) -> ListValue:
    """The lookup structure for checked elements: ranges for IP lists, a set otherwise."""
    if elem == IP:
        ranges = IPRangeSet.from_entries(item.text for item in items)
        return ListValue(IP, frozenset(), ranges, items, name)
    return ListValue(elem, frozenset(item.value for item in items), None, items, name)


def single_cidr(value: Const) -> ListValue:
    """``ip in 10.0.0.0/8``: a CIDR literal used as a one-entry list."""
    return ListValue(IP, frozenset(), value.ranges, (value,), None)
