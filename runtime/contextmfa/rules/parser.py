"""Parse rule-file text into ``nodes`` with lark's LALR parser over ``grammar/rules.lark``.

The grammar ships inside the wheel at ``contextmfa/_bundled/grammar/rules.lark`` (pyproject's
force-include); in a source checkout or an editable install it is ``<repo>/grammar/rules.lark``.
The parser is built once per process: building it costs tens of milliseconds, parsing a rule file
well under one.

``parse`` never raises for bad input: it returns the syntax tree or one located ``Problem`` (the
first syntax error; what follows it in the file cannot be trusted).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path

from lark import Lark, Token, Transformer, Tree, UnexpectedInput, v_args
from lark.tree import Meta

from contextmfa.errors import Problem
from contextmfa.rules import nodes as n
from contextmfa.rules.syntax import describe_syntax_error

__all__ = ["MAX_DEPTH", "grammar_text", "parse", "parser"]

MAX_DEPTH = 64
"""Deepest nesting of parentheses / ``not`` accepted; deeper is an error, not a RecursionError."""

_CHECKOUT_GRAMMAR = Path(__file__).resolve().parents[3] / "grammar" / "rules.lark"


def grammar_text() -> str:
    """The grammar, from the installed package data or else from the source checkout."""
    try:
        bundled = resources.files("contextmfa") / "_bundled" / "grammar" / "rules.lark"
        if bundled.is_file():
            return bundled.read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):
        pass
    return _CHECKOUT_GRAMMAR.read_text(encoding="utf-8")


@cache
def parser() -> Lark:
    """The process-wide LALR parser (positions on, contextual lexer)."""
    return Lark(grammar_text(), parser="lalr", propagate_positions=True, maybe_placeholders=False)


_ESCAPE = re.compile(r"\\(.)")


def unquote(token: str) -> str:
    r"""``"a\"b"`` -> ``a"b``: only ``\"`` and ``\\`` are escapes, other backslashes stay."""
    return _ESCAPE.sub(lambda m: m[1] if m[1] in '"\\' else m[0], token[1:-1])


def _pos(item: Token | Meta) -> n.Pos:
    return n.Pos(item.line or 0, item.column or 0)


def _string(token: Token) -> n.StringLit:
    return n.StringLit(unquote(str(token)), _pos(token))


def _factors(items: list[Token]) -> tuple[n.FactorRef, ...]:
    refs = []
    for token in items:
        name = unquote(str(token)) if token.type == "STRING" else str(token)
        refs.append(n.FactorRef(name, _pos(token)))
    return tuple(refs)


@v_args(meta=True)
class _ToNodes(Transformer):
    """One method per grammar rule (or alias); each returns a ``nodes`` dataclass."""

    # -- file structure -----------------------------------------------------------------------

    def start(self, meta: Meta, items: list) -> n.RuleFile:
        lists = tuple(i for i in items if isinstance(i, n.ListDecl))
        rules = tuple(i for i in items if isinstance(i, n.Rule))
        return n.RuleFile(lists, rules)

    def list_decl(self, meta: Meta, items: list) -> n.ListDecl:
        name, value = items
        return n.ListDecl(str(name), value, _pos(meta), _pos(name))

    def file_ref(self, meta: Meta, items: list) -> n.FileRef:
        return n.FileRef(_string(items[0]), _pos(meta))

    def rule(self, meta: Meta, items: list) -> n.Rule:
        name, *rest = items
        priority = rest.pop(0) if isinstance(rest[0], n.NumberLit) else None
        condition, outcome = rest
        return n.Rule(_string(name), priority, condition, outcome, _pos(meta))

    def priority(self, meta: Meta, items: list) -> n.NumberLit:
        return n.NumberLit(str(items[0]), _pos(items[0]))

    # -- outcomes -----------------------------------------------------------------------------

    def deny(self, meta: Meta, items: list) -> n.DenyOutcome:
        return n.DenyOutcome(_string(items[0]), _pos(meta))

    def require(self, meta: Meta, items: list) -> n.RequireOutcome:
        factors, factors_pos, remember = None, None, False
        for item in items:
            if isinstance(item, bool):
                remember = item
            elif item is not None:
                factors, factors_pos = item
        return n.RequireOutcome(factors, remember, _pos(meta), factors_pos)

    def enroll(self, meta: Meta, items: list) -> n.EnrollOutcome:
        factors, factors_pos = items[0]
        return n.EnrollOutcome(factors, _pos(meta), factors_pos)

    def skip(self, meta: Meta, items: list) -> n.SkipOutcome:
        return n.SkipOutcome(_pos(meta))

    def factor_choice(self, meta: Meta, items: list) -> tuple[tuple[n.FactorRef, ...], n.Pos]:
        return items[0]

    def any_factor(self, meta: Meta, items: list) -> None:
        return None

    def remember(self, meta: Meta, items: list) -> bool:
        return str(items[0]) == "yes"

    def factor_list(self, meta: Meta, items: list) -> tuple[tuple[n.FactorRef, ...], n.Pos]:
        bracket, *names = items
        return _factors([t for t in names if t is not None]), _pos(bracket)

    # -- conditions ---------------------------------------------------------------------------

    def or_(self, meta: Meta, items: list) -> n.Or:
        return n.Or(tuple(items), _pos(meta))

    def and_(self, meta: Meta, items: list) -> n.And:
        return n.And(tuple(items), _pos(meta))

    def not_(self, meta: Meta, items: list) -> n.Not:
        return n.Not(items[0], _pos(meta))

    def compare(self, meta: Meta, items: list) -> n.Compare:
        left, op, right = items
        return n.Compare(str(op), left, right, _pos(meta), _pos(op))  # type: ignore[arg-type]

    def in_(self, meta: Meta, items: list) -> n.In:
        return n.In(items[0], items[1], False, _pos(meta))

    def not_in(self, meta: Meta, items: list) -> n.In:
        return n.In(items[0], items[1], True, _pos(meta))

    def between(self, meta: Meta, items: list) -> n.Between:
        return n.Between(items[0], items[1], items[2], _pos(meta))

    def _text(self, op: n.TextOp, meta: Meta, items: list) -> n.TextTest:
        return n.TextTest(op, items[0], _string(items[1]), _pos(meta))

    def matches(self, meta: Meta, items: list) -> n.TextTest:
        return self._text("matches", meta, items)

    def startswith(self, meta: Meta, items: list) -> n.TextTest:
        return self._text("startswith", meta, items)

    def endswith(self, meta: Meta, items: list) -> n.TextTest:
        return self._text("endswith", meta, items)

    def contains(self, meta: Meta, items: list) -> n.TextTest:
        return self._text("contains", meta, items)

    def within(self, meta: Meta, items: list) -> n.Within:
        km, lat, lon = (n.NumberLit(str(t), _pos(t)) for t in items)
        return n.Within(km, lat, lon, _pos(meta))

    def missing(self, meta: Meta, items: list) -> n.Presence:
        return n.Presence(n.Name(str(items[0]), _pos(items[0])), False, _pos(meta))

    def present(self, meta: Meta, items: list) -> n.Presence:
        return n.Presence(n.Name(str(items[0]), _pos(items[0])), True, _pos(meta))

    # -- operands -----------------------------------------------------------------------------

    def name(self, meta: Meta, items: list) -> n.Name:
        return n.Name(str(items[0]), _pos(items[0]))

    def string(self, meta: Meta, items: list) -> n.StringLit:
        return _string(items[0])

    def number(self, meta: Meta, items: list) -> n.NumberLit:
        return n.NumberLit(str(items[0]), _pos(items[0]))

    def address(self, meta: Meta, items: list) -> n.AddressLit:
        return n.AddressLit(str(items[0]), _pos(items[0]))

    def time_of_day(self, meta: Meta, items: list) -> n.TimeLit:
        return n.TimeLit(str(items[0]), _pos(items[0]))

    def list_literal(self, meta: Meta, items: list) -> n.ListLit:
        bracket, *elements = items
        return n.ListLit(tuple(e for e in elements if e is not None), _pos(bracket))


_TO_NODES = _ToNodes()


def _too_deep(tree: Tree) -> Problem | None:
    """The first subtree nested deeper than MAX_DEPTH, found without recursion."""
    stack: list[tuple[Tree, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            line = getattr(node.meta, "line", 0)
            col = getattr(node.meta, "column", 0)
            return Problem("", line, col, f"condition is nested more than {MAX_DEPTH} deep")
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))
    return None


def parse(text: str, path: str) -> n.RuleFile | Problem:
    """The file's syntax tree, or its first syntax error located in ``path``."""
    try:
        tree = parser().parse(text)
    except UnexpectedInput as exc:
        line, col, message = describe_syntax_error(exc, text, parser().parse)
        return Problem(path, line, col, message, code="syntax")
    deep = _too_deep(tree)
    if deep is not None:
        return Problem(path, deep.line, deep.col, deep.message, code="syntax")
    return _TO_NODES.transform(tree)
