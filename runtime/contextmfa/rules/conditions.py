"""Type checking of conditions: names resolved against the field vocabulary and the file's lists.

Each predicate is checked on its own and every problem is reported at the position of the part
at fault; a predicate with an error yields None and its rule is not compiled, but checking goes
on so that one run reports everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import regex

from contextmfa.rules import checked as c
from contextmfa.rules import nodes as n
from contextmfa.rules.diagnostics import Report, did_you_mean, quoted
from contextmfa.rules.fields import FIELDS, METADATA_ROOTS, Field, lookup, suggest
from contextmfa.rules.literals import BARE_WORDS, build_list, literal, name_literal, single_cidr
from contextmfa.rules.value_checks import ValueChecks
from contextmfa.rules.values import (
    ANY,
    CIDR,
    IP,
    LIST,
    NUMBER,
    STRING,
    TIME,
    WEEKDAY,
    describe,
    parse_number,
    plural,
)

__all__ = ["ConditionChecker", "DeclaredList", "RuleScope"]

_ORDERED = (NUMBER, TIME, STRING, ANY)
_RANGED = (NUMBER, TIME, WEEKDAY, STRING)


@dataclass(frozen=True, slots=True)
class DeclaredList:
    value: c.ListValue | None  # None when the declaration itself had errors
    pos: n.Pos  # the declaration's position


@dataclass
class RuleScope:
    """What one rule's condition tests, for the unguarded-negation warning."""

    guarded: set[str] = field(default_factory=set)
    negations: list[tuple[Field, n.Pos, str]] = field(default_factory=list)


def _text(side: c.Const | c.FieldRef | c.ListValue) -> str:
    if isinstance(side, c.FieldRef):
        return side.field.name
    if isinstance(side, c.Const):
        return quoted(side.text) if side.type == STRING else side.text
    return side.name or "the list"


def _compatible(a: str, b: str | None) -> bool:
    return b is None or ANY in (a, b) or a == b


class ConditionChecker:
    """Checks the conditions of one file; ``lists`` are the file's declarations by name."""

    def __init__(
        self, report: Report, lists: dict[str, DeclaredList], *, asn_database: bool = True
    ) -> None:
        self.report = report
        self.lists = lists
        self.asn_database = asn_database
        self.used: set[str] = set()
        self.values = ValueChecks(report)

    # -- entry point --------------------------------------------------------------------------

    def check(self, node: n.Condition, scope: RuleScope) -> c.Condition | None:
        if isinstance(node, (n.And, n.Or)):
            parts = [self.check(part, scope) for part in node.operands]
            if any(part is None for part in parts):
                return None
            kind = c.And if isinstance(node, n.And) else c.Or
            return kind(tuple(parts))  # type: ignore[arg-type]
        if isinstance(node, n.Not):
            inner = self.check(node.operand, scope)
            return None if inner is None else c.Not(inner)
        method = getattr(self, f"_{type(node).__name__.lower()}")
        return method(node, scope)

    # -- names and operands -------------------------------------------------------------------

    def _list(self, name: n.Name) -> c.ListValue | bool | None:
        """The declared list ``name`` (None if it had errors); False when there is none."""
        declared = self.lists.get(name.text)
        if declared is None:
            return False
        if (declared.pos.line, declared.pos.col) > (name.pos.line, name.pos.col):
            self.report.error(
                name.pos,
                f"list {name.text} is used before its declaration on line {declared.pos.line}",
                "unknown_list",
            )
            return None
        self.used.add(name.text)
        return declared.value

    def _unknown(self, name: n.Name, collection: bool) -> None:
        text = name.text
        if text in METADATA_ROOTS:
            message = f"{text} is an object: name a key, as in {text}.<key>"
            self.report.error(name.pos, message, "unknown_field")
            return
        if collection and "." not in text:
            list_fields = [f.name for f in FIELDS.values() if f.type == LIST]
            hint = did_you_mean(text, [*self.lists, *list_fields])
            self.report.error(name.pos, f"unknown list {quoted(text)}{hint}", "unknown_list")
            return
        if "." in text:
            guess = suggest(text)
            hint = f"; did you mean {quoted(guess)}?" if guess else ""
            self.report.error(name.pos, f"unknown field {quoted(text)}{hint}", "unknown_field")
            return
        hint = did_you_mean(text, ["ip", *BARE_WORDS, *self.lists]) or (
            f'; strings are written in double quotes: "{text}"'
        )
        self.report.error(name.pos, f"unknown name {quoted(text)}{hint}", "unknown_field")

    def _readable(self, fld: Field, pos: n.Pos) -> None:
        """Warn about a field the tenant's data can never fill (asn.* without an ASN database)."""
        if not self.asn_database and fld.name.startswith("asn."):
            message = f"{fld.name} is always missing: the tenant has no ASN database "
            message += "(set [geoip] asn_database)"
            self.report.warning(pos, message, "no_asn_database")

    def _operand(
        self, op: n.Operand, collection: bool = False
    ) -> c.Const | c.FieldRef | c.ListValue | None:
        if isinstance(op, n.ListLit):
            return build_list(op, self.report)
        if not isinstance(op, n.Name):
            return literal(op, self.report)
        found = lookup(op.text)
        if found is not None:
            self._readable(found, op.pos)
            return c.FieldRef(found, op.pos)
        value = name_literal(op)
        if value is not None:
            return value
        declared = self._list(op)
        if declared is not False:
            return declared  # type: ignore[return-value]
        self._unknown(op, collection)
        return None

    def _value(self, op: n.Operand) -> c.Const | c.FieldRef | None:
        """An operand that must be a single value (not a list, not a CIDR)."""
        side = self._operand(op)
        if side is None:
            return None
        pos = op.pos
        if isinstance(side, c.ListValue):
            self.report.error(pos, f"{_text(side)} is a list: test membership with `in`", "type")
            return None
        if isinstance(side, c.FieldRef) and side.field.type == LIST:
            name = side.field.name
            message = f'{name} is a list: test an element with `in`, as in "x" in {name}'
            self.report.error(pos, message, "type")
            return None
        if isinstance(side, c.Const) and side.type == CIDR:
            message = f"{side.text} is a CIDR: test an address against it with `ip in {side.text}`"
            self.report.error(pos, message, "type")
            return None
        return side

    def _collection(self, op: n.Operand) -> c.ListValue | c.FieldRef | None:
        side = self._operand(op, collection=True)
        if side is None or isinstance(side, c.ListValue):
            return side
        if isinstance(side, c.FieldRef):
            if side.field.type in (LIST, ANY):
                return side
            self.report.error(op.pos, f"{side.field.name} is not a list", "type")
            return None
        if side.type == CIDR:
            return single_cidr(side)
        if side.type == IP:
            message = f"{side.text} is an address, not a list: compare with `==` or use a CIDR"
        else:
            message = f"{_text(side)} is not a list"
        self.report.error(op.pos, message, "type")
        return None

    # -- predicates -----------------------------------------------------------------------------

    def _mismatch(self, pos: n.Pos, left: object, right: object) -> None:
        self.report.error(pos, f"type mismatch: {_side(left)} but {_side(right)}", "type")

    def _compare(self, node: n.Compare, scope: RuleScope) -> c.Compare | None:
        left, right = self._value(node.left), self._value(node.right)
        if left is None or right is None:
            return None
        lk, rk = _kind(left), _kind(right)
        if not _compatible(lk, rk):
            if not (
                self.values.unquoted(left, right, node.op_pos)
                or self.values.unquoted(right, left, node.op_pos)
            ):
                self._mismatch(node.op_pos, left, right)
            return None
        kind = rk if lk == ANY else lk
        if node.op not in ("==", "!=") and kind not in _ORDERED:
            message = f"{node.op} compares numbers, times of day and strings, not {plural(kind)}"
            if kind == WEEKDAY:
                message += " (use `between mon and fri` or `in [sat, sun]`)"
            self.report.error(node.op_pos, message, "type")
            return None
        if not self._check_pair(left, right):
            return None
        if node.op == "!=":
            self._negation(scope, node.op_pos, "!=", left, right)
        return c.Compare(node.op, left, right, kind)

    def _check_pair(self, left: c.Value, right: c.Value) -> bool:
        if isinstance(left, c.FieldRef) and isinstance(right, c.Const):
            return self.values.constant(left.field, right)
        if isinstance(right, c.FieldRef) and isinstance(left, c.Const):
            return self.values.constant(right.field, left)
        return True

    def _negation(self, scope: RuleScope, pos: n.Pos, op: str, *sides: object) -> None:
        for side in sides:
            if isinstance(side, c.FieldRef) and side.field.optional:
                scope.negations.append((side.field, pos, op))

    def _in(self, node: n.In, scope: RuleScope) -> c.In | None:
        item, collection = self._value(node.item), self._collection(node.collection)
        if item is None or collection is None:
            return None
        if (  # a list file of text, read as the weekdays or times of day the field holds
            isinstance(item, c.FieldRef)
            and item.field.type in (WEEKDAY, TIME)
            and isinstance(collection, c.ListValue)
            and collection.file is not None
            and collection.elem == STRING
        ):
            collection = self.values.typed_file_list(item.field, collection)
            if collection is None:
                return None
        if isinstance(collection, c.ListValue):
            elem = collection.elem
        else:
            elem = collection.field.elem if collection.field.type == LIST else ANY
        if not _compatible(_kind(item), elem):
            if not self.values.unquoted(item, collection, node.pos):
                self._mismatch(node.pos, item, collection)
            return None
        ok = True
        if isinstance(item, c.FieldRef) and isinstance(collection, c.ListValue):
            ok = self.values.members(item.field, collection)
        elif isinstance(item, c.Const) and isinstance(collection, c.FieldRef):
            ok = self.values.constant(collection.field, item)
        if not ok:
            return None
        if node.negated:
            self._negation(scope, node.pos, "not in", item, collection)
        return c.In(item, collection, node.negated)

    def _between(self, node: n.Between, scope: RuleScope) -> c.Between | None:
        operand = self._value(node.operand)
        bounds = [self._value(bound) for bound in (node.low, node.high)]
        if operand is None or None in bounds:
            return None
        low, high = bounds
        if not isinstance(low, c.Const) or not isinstance(high, c.Const):
            message = "the bounds of between are values, such as 08:00 and 18:00 or 1 and 10"
            self.report.error(node.pos, message, "type")
            return None
        if low.type != high.type:
            self._mismatch(high.pos, low, high)
            return None
        if not _compatible(_kind(operand), low.type):
            if not self.values.unquoted(operand, low, node.pos):
                self._mismatch(node.pos, operand, low)
            return None
        if low.type not in _RANGED:
            kinds = "numbers, times of day, weekdays or strings"
            message = f"between takes {kinds}, not {plural(low.type)}"
            self.report.error(node.pos, message, "type")
            return None
        if low.type in (NUMBER, STRING) and low.value > high.value:
            message = f"the bounds are reversed: write `between {high.text} and {low.text}`"
            self.report.error(low.pos, message, "type")
            return None
        if not (self.values.bound(operand, low) and self.values.bound(operand, high)):
            return None
        return c.Between(operand, low, high)

    def _texttest(self, node: n.TextTest, scope: RuleScope) -> c.TextTest | None:
        operand = self._value(node.operand)
        if operand is None:
            return None
        if _kind(operand) not in (STRING, ANY):
            message = f"{node.op} tests strings, but {_text(operand)} is {describe(_kind(operand))}"
            self.report.error(node.pos, message, "type")
            return None
        pattern = node.pattern.value
        if node.op == "matches":
            try:
                re.compile(pattern)
                regex.compile(pattern, regex.VERSION0)
            except (re.error, regex.error) as exc:
                where = f" at position {exc.pos}" if getattr(exc, "pos", None) is not None else ""
                message = f"bad regular expression: {exc.msg}{where}"  # type: ignore[union-attr]
                self.report.error(node.pattern.pos, message, "bad_regex")
                return None
            except (RecursionError, OverflowError, ValueError) as exc:
                self.report.error(node.pattern.pos, f"bad regular expression: {exc}", "bad_regex")
                return None
        return c.TextTest(node.op, operand, pattern)

    def _within(self, node: n.Within, scope: RuleScope) -> c.Within | None:
        numbers = []
        for lit, low, high, what in (
            (node.km, 0.0, 40_100.0, "the distance in km"),
            (node.lat, -90.0, 90.0, "the latitude"),
            (node.lon, -180.0, 180.0, "the longitude"),
        ):
            try:
                value = float(parse_number(lit.text))
            except ValueError as exc:
                self.report.error(lit.pos, f"bad number: {exc}", "bad_number")
                continue
            if not low <= value <= high or (lit is node.km and value <= 0):
                bounds = "above 0" if lit is node.km else f"between {low:g} and {high:g}"
                self.report.error(lit.pos, f"{what} must be {bounds}, not {lit.text}", "range")
                continue
            numbers.append(value)
        if len(numbers) != 3:
            return None
        return c.Within(*numbers)

    def _presence(self, node: n.Presence, scope: RuleScope) -> c.Presence | None:
        found = lookup(node.field.text)
        if found is None:
            self._unknown(node.field, collection=False)
            return None
        self._readable(found, node.field.pos)
        scope.guarded.add(found.name)
        return c.Presence(c.FieldRef(found, node.field.pos), node.present)


def _kind(side: c.Const | c.FieldRef) -> str:
    return side.field.type if isinstance(side, c.FieldRef) else side.type


def _side(side: object) -> str:
    """``geo.country is a string``, ``embargoed holds strings``: one side of a mismatch."""
    if isinstance(side, c.ListValue):
        return f"{_text(side)} holds {plural(side.elem or ANY)}"
    if isinstance(side, c.FieldRef) and side.field.type == LIST:
        return f"{side.field.name} holds {plural(side.field.elem or ANY)}"
    assert isinstance(side, (c.Const, c.FieldRef))
    return f"{_text(side)} is {describe(_kind(side))}"
