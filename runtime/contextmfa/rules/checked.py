"""The checked rule tree: names resolved, literals parsed, types known.

The checker turns syntax (``nodes``) into these; the compiler turns these into closures. Nothing
here can be ill-typed: a ``Compare`` of an IP with a number never reaches the compiler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contextmfa.directives import Directive
from contextmfa.enrich.iplists import IPRangeSet
from contextmfa.rules.fields import Field
from contextmfa.rules.nodes import CompareOp, Pos, TextOp


@dataclass(frozen=True, slots=True)
class Const:
    """A literal: its type (``values``), its run-time value and its text as written."""

    type: str
    value: Any
    text: str
    pos: Pos
    ranges: IPRangeSet | None = None  # for an IP address: itself as a one-address set


@dataclass(frozen=True, slots=True)
class FieldRef:
    field: Field
    pos: Pos


@dataclass(frozen=True, slots=True)
class ListValue:
    """A constant list: a literal, a named list, a file or a single CIDR.

    ``elem`` is the element type (None for an empty list); IP lists hold ``ranges``, every
    other list ``members``. ``items`` keeps the elements (with positions when written in a rule
    file) for value checks such as "'hgh' is not a confidence level".
    """

    elem: str | None
    members: frozenset[Any]
    ranges: IPRangeSet | None
    items: tuple[Const, ...]
    name: str | None = None
    file: str | None = None  # the list file it was read from, as messages name it


Value = Const | FieldRef
Collection = ListValue | FieldRef


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    operand: Condition


@dataclass(frozen=True, slots=True)
class Compare:
    """``left <op> right``; ``type`` is the type both sides are compared as."""

    op: CompareOp
    left: Value
    right: Value
    type: str


@dataclass(frozen=True, slots=True)
class In:
    item: Value
    collection: Collection
    negated: bool


@dataclass(frozen=True, slots=True)
class Between:
    operand: Value
    low: Const
    high: Const


@dataclass(frozen=True, slots=True)
class TextTest:
    op: TextOp
    operand: Value
    pattern: str


@dataclass(frozen=True, slots=True)
class Within:
    km: float
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Presence:
    field: FieldRef
    present: bool


Condition = And | Or | Not | Compare | In | Between | TextTest | Within | Presence


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule ready to compile: ``order`` is its place among all files (config order)."""

    name: str
    priority: int
    condition: Condition
    directive: Directive
    path: str
    line: int
    order: int
