"""The rule language's syntax tree: frozen dataclasses, each with the position it came from.

The parser builds these and nothing else decides anything at that stage: a ``Name`` may turn out
to be a field, a list, a weekday, a factor or a boolean, and a literal's text is kept as written.
The checker (``checker.py``) resolves names and parses literals so that every mistake is reported
at its own ``line:col``; the compiler only sees what the checker accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Pos:
    """1-based line and column of the first character of a construct."""

    line: int
    col: int


# -- operands ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Name:
    """A bare or dotted name: ``ip``, ``geo.country``, ``corp_networks``, ``mon``, ``otp``."""

    text: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class StringLit:
    value: str  # unescaped
    pos: Pos


@dataclass(frozen=True, slots=True)
class NumberLit:
    text: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class AddressLit:
    """An IPv4/IPv6 address or a CIDR, as written."""

    text: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class TimeLit:
    """A time of day ``HH:MM``, as written."""

    text: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class ListLit:
    items: tuple[Operand, ...]
    pos: Pos


Operand = Name | StringLit | NumberLit | AddressLit | TimeLit | ListLit


# -- conditions --------------------------------------------------------------------------------

CompareOp = Literal["==", "!=", "<", "<=", ">", ">="]
TextOp = Literal["matches", "startswith", "endswith", "contains"]


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Condition, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Condition, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Not:
    operand: Condition
    pos: Pos


@dataclass(frozen=True, slots=True)
class Compare:
    op: CompareOp
    left: Operand
    right: Operand
    pos: Pos
    op_pos: Pos


@dataclass(frozen=True, slots=True)
class In:
    """``item in collection``; ``negated`` for ``not in``."""

    item: Operand
    collection: Operand
    negated: bool
    pos: Pos


@dataclass(frozen=True, slots=True)
class Between:
    operand: Operand
    low: Operand
    high: Operand
    pos: Pos


@dataclass(frozen=True, slots=True)
class TextTest:
    op: TextOp
    operand: Operand
    pattern: StringLit
    pos: Pos


@dataclass(frozen=True, slots=True)
class Within:
    """``within <km> km of (<lat>, <lon>)`` around the login's GeoIP coordinates."""

    km: NumberLit
    lat: NumberLit
    lon: NumberLit
    pos: Pos


@dataclass(frozen=True, slots=True)
class Presence:
    """``<field> is missing`` (``present`` False) or ``<field> is present``."""

    field: Name
    present: bool
    pos: Pos


Condition = And | Or | Not | Compare | In | Between | TextTest | Within | Presence


# -- outcomes, rules, lists, files -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FactorRef:
    """A factor named in an outcome, bare (``otp``) or quoted (``"otp"``)."""

    name: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class DenyOutcome:
    reason: StringLit
    pos: Pos


@dataclass(frozen=True, slots=True)
class RequireOutcome:
    """``require mfa``; ``factors`` None is ``with any`` (or no ``with``)."""

    factors: tuple[FactorRef, ...] | None
    remember: bool
    pos: Pos
    factors_pos: Pos | None = None


@dataclass(frozen=True, slots=True)
class EnrollOutcome:
    factors: tuple[FactorRef, ...]
    pos: Pos
    factors_pos: Pos | None = None


@dataclass(frozen=True, slots=True)
class SkipOutcome:
    pos: Pos


Outcome = DenyOutcome | RequireOutcome | EnrollOutcome | SkipOutcome


@dataclass(frozen=True, slots=True)
class FileRef:
    """``file "<path>"``: a list read from a text file next to the rule file."""

    path: StringLit
    pos: Pos


@dataclass(frozen=True, slots=True)
class ListDecl:
    name: str
    value: ListLit | FileRef
    pos: Pos
    name_pos: Pos


@dataclass(frozen=True, slots=True)
class Rule:
    name: StringLit
    priority: NumberLit | None
    condition: Condition
    outcome: Outcome
    pos: Pos


@dataclass(frozen=True, slots=True)
class RuleFile:
    """One parsed file: its list declarations and rules, in file order."""

    lists: tuple[ListDecl, ...]
    rules: tuple[Rule, ...]
