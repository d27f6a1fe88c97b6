"""Checked conditions to Python closures: ``test(ctx) -> True | False | None`` (None = unknown).

Closures are built once per compiled config and specialised here, because at a few hundred
rules per login every Python call counts (about 0.1 µs each):

- the operator is chosen at build time, never looked up per login;
- ``not`` is pushed down to the predicates (De Morgan holds in Kleene logic), so it costs no call;
- ``and``/``or`` operands run cheapest first (they commute: evaluation is pure), two-operand
  forms avoid a loop;
- typed fields skip run-time coercion; ``ip`` is read directly;
- lists are ``frozenset`` / ``IPRangeSet`` lookups (never scans), and an IP list that several
  rules test is looked up once per login (``RuleContext.cache``).

Three-valued logic (Kleene, as SQL's NULL): a predicate over a missing value, or over values of
incompatible run-time types, is None; ``not None`` is None; ``False and None`` is False;
``True or None`` is True.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from math import cos, pi, radians, sin
from typing import Any

from contextmfa.enrich.risk import EARTH_RADIUS_KM
from contextmfa.rules import checked as c
from contextmfa.rules.context import RuleContext
from contextmfa.rules.fields import FIELDS
from contextmfa.rules.matching import dynamic_equal, dynamic_order, element_test, text_test
from contextmfa.rules.values import ANY, IP, LIST, STRING, TIME, WEEKDAY, coercer

__all__ = ["Test", "compile_condition", "compile_conditions"]

Test = Callable[[RuleContext], bool | None]
Getter = Callable[[RuleContext], Any]

_ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_COMPARE = {"==": operator.eq, "!=": operator.ne, **_ORDER}
_FLIPPED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _getter(side: c.Value, kind: str) -> Getter:
    """Read ``side`` as ``kind``: constants are closed over, untyped fields coerced."""
    if isinstance(side, c.Const):
        value = side.value
        return lambda ctx: value
    get = side.field.get
    if side.field.type == ANY and kind != ANY:
        coerce = coercer(kind)
        return lambda ctx: coerce(get(ctx))
    return get


def _is_ip_field(side: object) -> bool:
    return isinstance(side, c.FieldRef) and side.field.name == "ip"


# -- cost model for ordering and/or operands ---------------------------------------------------


def _cost(node: c.Condition) -> int:
    """A rough relative cost (1 = one field read and compare), for cheapest-first ordering."""
    if isinstance(node, (c.And, c.Or)):
        return sum(_cost(part) for part in node.operands)
    if isinstance(node, c.Not):
        return _cost(node.operand)
    if isinstance(node, c.Presence):
        return 1
    if isinstance(node, (c.Within, c.TextTest)):
        return 4 if isinstance(node, c.Within) or node.op == "matches" else 2
    if isinstance(node, c.In):
        collection = node.collection
        if isinstance(collection, c.ListValue):
            return 4 if collection.elem == IP else 2
        return 3
    return 2


# -- boolean structure -------------------------------------------------------------------------


def _all(parts: list[Test]) -> Test:
    """Kleene AND."""
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        first, second = parts

        def both(ctx: RuleContext) -> bool | None:
            a = first(ctx)
            if a is False:
                return False
            b = second(ctx)
            if b is False:
                return False
            return None if a is None or b is None else True

        return both

    def every(ctx: RuleContext) -> bool | None:
        unknown = False
        for part in parts:
            result = part(ctx)
            if result is False:
                return False
            if result is None:
                unknown = True
        return None if unknown else True

    return every


def _any(parts: list[Test]) -> Test:
    """Kleene OR."""
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        first, second = parts

        def either(ctx: RuleContext) -> bool | None:
            a = first(ctx)
            if a is True:
                return True
            b = second(ctx)
            if b is True:
                return True
            return None if a is None or b is None else False

        return either

    def some(ctx: RuleContext) -> bool | None:
        unknown = False
        for part in parts:
            result = part(ctx)
            if result is True:
                return True
            if result is None:
                unknown = True
        return None if unknown else False

    return some


def _flip(test: Callable[[Any], bool | None], negated: bool) -> Callable[[Any], bool | None]:
    if not negated:
        return test
    return lambda value: None if (r := test(value)) is None else not r


class _Compiler:
    """Builds closures; ``shared`` holds the IP lists that more than one predicate tests."""

    def __init__(self, shared: dict[int, object]) -> None:
        self.shared = shared  # id of the list -> its key in RuleContext.cache

    def build(self, node: c.Condition, negated: bool = False) -> Test:
        if isinstance(node, (c.And, c.Or)):
            parts = sorted(node.operands, key=_cost)
            tests = [self.build(part, negated) for part in parts]
            conjunction = isinstance(node, c.And) is not negated  # De Morgan
            return _all(tests) if conjunction else _any(tests)
        if isinstance(node, c.Not):
            return self.build(node.operand, not negated)
        if isinstance(node, c.Compare):
            return self._compare(node, negated)
        if isinstance(node, c.In):
            return self._in(node, negated ^ node.negated)
        if isinstance(node, c.Between):
            return self._between(node, negated)
        if isinstance(node, c.TextTest):
            return self._text(node, negated)
        if isinstance(node, c.Within):
            return self._within(node, negated)
        return self._presence(node, negated)

    # -- comparisons ----------------------------------------------------------------------------

    def _compare(self, node: c.Compare, negated: bool) -> Test:
        left, right, op, kind = node.left, node.right, node.op, node.type
        if isinstance(left, c.Const) and isinstance(right, c.FieldRef):
            left, right, op = right, left, _FLIPPED[op]
        if isinstance(left, c.FieldRef) and isinstance(right, c.Const):
            return self._compare_constant(left, op, right, kind, negated)
        get_left, get_right = _getter(left, kind), _getter(right, kind)
        if kind == ANY:
            base = dynamic_equal if op in ("==", "!=") else dynamic_order(_ORDER[op])
            flip = negated is not (op == "!=")

            def dynamic(ctx: RuleContext) -> bool | None:
                result = base(get_left(ctx), get_right(ctx))
                return None if result is None else result is not flip

            return dynamic
        if kind == IP:
            get_left, get_right = _normalised(get_left), _normalised(get_right)
        compare = _COMPARE[op]

        def both_sides(ctx: RuleContext) -> bool | None:
            a = get_left(ctx)
            if a is None:
                return None
            b = get_right(ctx)
            return None if b is None else compare(a, b) is not negated

        return both_sides

    def _compare_constant(
        self, left: c.FieldRef, op: str, const: c.Const, kind: str, negated: bool
    ) -> Test:
        """``field <op> literal``, the common case: one read, one operator."""
        if kind == IP:
            ranges = const.ranges
            assert ranges is not None
            wanted = (op == "==") is not negated
            if _is_ip_field(left):
                return lambda ctx: (ctx.ip in ranges) is wanted
            get_address = _getter(left, kind)
            return lambda ctx: None if (v := get_address(ctx)) is None else (v in ranges) is wanted
        get = _getter(left, kind)
        value = const.value
        if op in ("==", "!=") and kind != ANY:
            equal = (op == "==") is not negated
            return lambda ctx: None if (v := get(ctx)) is None else (v == value) is equal
        compare = _COMPARE[op]
        return lambda ctx: None if (v := get(ctx)) is None else compare(v, value) is not negated

    # -- membership -----------------------------------------------------------------------------

    def _in(self, node: c.In, negated: bool) -> Test:
        collection = node.collection
        if isinstance(collection, c.ListValue):
            return self._in_constant(node.item, collection, negated)
        if collection.field.type == LIST:
            kind = collection.field.elem or ANY
        else:
            kind = node.item.field.type if isinstance(node.item, c.FieldRef) else node.item.type
        return _in_field(_getter(node.item, kind), collection, kind, negated)

    def _in_constant(self, item: c.Value, values: c.ListValue, negated: bool) -> Test:
        get = _getter(item, values.elem or ANY)
        if values.elem is None:  # an empty list: a present value is simply not in it
            return lambda ctx: None if get(ctx) is None else negated
        if values.elem == IP:
            assert values.ranges is not None
            ranges = values.ranges
            if _is_ip_field(item):
                key = self.shared.get(id(values))
                if key is not None:
                    return _shared_address_test(ranges, key, negated)
                return lambda ctx: (ctx.ip in ranges) is not negated
            return lambda ctx: None if (v := get(ctx)) is None else (v in ranges) is not negated
        members = values.members
        return lambda ctx: None if (v := get(ctx)) is None else (v in members) is not negated

    # -- the other predicates -------------------------------------------------------------------

    def _between(self, node: c.Between, negated: bool) -> Test:
        kind = node.low.type
        get = _getter(node.operand, kind)
        low, high = node.low.value, node.high.value
        if kind in (TIME, WEEKDAY) and low > high:  # 22:00 and 06:00 wraps over midnight

            def wrapped(ctx: RuleContext) -> bool | None:
                value = get(ctx)
                return None if value is None else (value >= low or value <= high) is not negated

            return wrapped
        return lambda ctx: None if (v := get(ctx)) is None else (low <= v <= high) is not negated

    def _text(self, node: c.TextTest, negated: bool) -> Test:
        get = _getter(node.operand, STRING)
        test = _flip(text_test(node.op, node.pattern), negated)
        return lambda ctx: None if (v := get(ctx)) is None else test(v)

    def _within(self, node: c.Within, negated: bool) -> Test:
        """Haversine (as the risk assessment's) against a bound computed once.

        d <= km  <=>  hav(d / R) <= hav(km / R): no ``asin``/``sqrt`` per login, and the
        centre's radians and cosine are computed here.
        """
        get_lat, get_lon = FIELDS["geo.latitude"].get, FIELDS["geo.longitude"].get
        phi1, lambda1 = radians(node.lat), radians(node.lon)
        cos1 = cos(phi1)
        bound = sin(min(node.km / EARTH_RADIUS_KM, pi) / 2) ** 2

        def within(ctx: RuleContext) -> bool | None:
            lat, lon = get_lat(ctx), get_lon(ctx)
            if lat is None or lon is None:
                return None
            phi2 = radians(lat)
            half_dphi, half_dlambda = (phi2 - phi1) / 2, (radians(lon) - lambda1) / 2
            a = sin(half_dphi) ** 2 + cos1 * cos(phi2) * sin(half_dlambda) ** 2
            return (a <= bound) is not negated

        return within

    def _presence(self, node: c.Presence, negated: bool) -> Test:
        get = node.field.field.get
        if node.present is not negated:
            return lambda ctx: get(ctx) is not None
        return lambda ctx: get(ctx) is None


def _normalised(get: Getter) -> Getter:
    """IPv4-mapped IPv6 (``::ffff:a.b.c.d``) compares as the IPv4 address it carries."""

    def normal(ctx: RuleContext) -> Any:
        value = get(ctx)
        mapped = getattr(value, "ipv4_mapped", None)
        return value if mapped is None else mapped

    return normal


def _shared_address_test(ranges: Any, key: object, negated: bool) -> Test:
    """``ip in <list>`` for a list several rules test: looked up once per login."""

    def shared(ctx: RuleContext) -> bool | None:
        cache = ctx.cache
        hit = cache.get(key)
        if hit is None:
            hit = cache[key] = ctx.ip in ranges
        return hit is not negated

    return shared


def _in_field(get: Getter, collection: c.FieldRef, kind: str, negated: bool) -> Test:
    get_list = collection.field.get
    if collection.field.type == LIST:  # a typed list of strings: no element is ever unknown

        def member(ctx: RuleContext) -> bool | None:
            value = get(ctx)
            if value is None:
                return None
            items = get_list(ctx)
            return None if items is None else (value in items) is not negated

        return member
    equal = element_test(kind)

    def dynamic_member(ctx: RuleContext) -> bool | None:
        items = get_list(ctx)
        value = get(ctx)
        if type(items) is not list or value is None:
            return None
        unknown = False
        for item in items:
            result = equal(value, item)
            if result is True:
                return not negated
            if result is None:
                unknown = True
        return None if unknown else negated

    return dynamic_member


def _lists(node: c.Condition) -> Iterator[int]:
    """ids of the IP lists ``ip`` is tested against in ``node``."""
    if isinstance(node, (c.And, c.Or)):
        for part in node.operands:
            yield from _lists(part)
    elif isinstance(node, c.Not):
        yield from _lists(node.operand)
    elif (
        isinstance(node, c.In)
        and isinstance(node.collection, c.ListValue)
        and node.collection.elem == IP
        and _is_ip_field(node.item)
    ):
        yield id(node.collection)


def compile_conditions(conditions: Sequence[c.Condition]) -> list[Test]:
    """Closures for a rule set's conditions (lists shared between them are looked up once)."""
    uses = Counter(key for node in conditions for key in _lists(node))
    # A fresh object per list: unique in RuleContext.cache even across rule sets.
    compiler = _Compiler({key: object() for key, count in uses.items() if count > 1})
    return [compiler.build(node) for node in conditions]


def compile_condition(node: c.Condition) -> Test:
    """The closure for one checked condition."""
    return compile_conditions([node])[0]
