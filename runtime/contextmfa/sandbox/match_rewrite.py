"""Compile-time side of ``match``: each statement becomes a run of ``if`` statements.

CPython's own ``match`` reads attributes of the subject natively (class patterns, and the
dotted names of value patterns), where no guard sees them. So the policy rewrites

.. code-block:: python

    match command:
        case ["go", direction] if direction in EXITS: ...
        case Point(x=0) | {"x": 0}: ...
        case _: ...

into a subject held once in a fresh name and one ``if`` per case, tried in order until one
matched (a flag, not nested ``elif``: a long ``match`` nests no deeper than a short one), in which
every value, key and class expression goes through the policy's own visit (so through
``_getattr_`` and the other guards), and the structural tests call matching.py. The names a
pattern captures are gathered in fresh names while it is tried, and bound to the Action's names
only once it matched, before the guard runs, which is CPython's order. What CPython refuses in
a ``match`` (a capture that makes later cases unreachable, alternatives binding different
names) is refused before this rewrite, by compiling the Action as written (policy.py).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

SEQUENCE, MAPPING, CLASS = "_mseq_", "_mmap_", "_mcls_"

Visit = Callable[[ast.AST], Any]


class MatchRewriter:
    """Rewrites one ``match`` statement; ``fresh`` hands out names no Action can write."""

    def __init__(
        self,
        visit: Visit,
        block: Callable[[list[ast.stmt]], list[ast.stmt]],
        fresh: Callable[[], str],
    ) -> None:
        self.visit = visit
        self.block = block
        self.fresh = fresh

    def rewrite(self, node: ast.Match) -> list[ast.stmt]:
        subject = self.fresh()
        hold = ast.Assign(targets=[_store(subject)], value=self.visit(node.subject))
        branches: list[tuple[ast.expr, list[ast.stmt]]] = []
        for case in node.cases:
            captures: dict[str, str] = {}
            parts = [self.pattern(case.pattern, _load(subject), captures)]
            parts += [_bind(name, temp) for name, temp in captures.items()]
            if case.guard is not None:
                parts.append(self.visit(case.guard))
            condition = _all(parts)
            _locate(condition, case.pattern)
            branches.append((condition, self.block(case.body)))
        statements: list[ast.stmt] = [hold]
        done = self.fresh()
        if len(branches) > 1:
            statements.append(ast.Assign(targets=[_store(done)], value=ast.Constant(False)))
        for index, (condition, body) in enumerate(branches):
            if len(branches) > 1:
                if index:
                    condition = ast.BoolOp(
                        ast.And(), [ast.UnaryOp(ast.Not(), _load(done)), condition]
                    )
                body = [ast.Assign(targets=[_store(done)], value=ast.Constant(True)), *body]
            statements.append(ast.If(test=condition, body=body, orelse=[]))
        for statement in statements:
            _locate(statement, node)
        return statements

    def pattern(self, node: ast.pattern, subject: ast.expr, captures: dict[str, str]) -> ast.expr:
        """A condition that is true when ``node`` matches ``subject`` (captures gathered)."""
        if isinstance(node, ast.MatchValue):
            return ast.Compare(subject, [ast.Eq()], [self.visit(node.value)])
        if isinstance(node, ast.MatchSingleton):
            return ast.Compare(subject, [ast.Is()], [ast.Constant(node.value)])
        if isinstance(node, ast.MatchAs):
            parts = [] if node.pattern is None else [self.pattern(node.pattern, subject, captures)]
            if node.name is not None:
                parts.append(_capture(node.name, subject, captures, self.fresh))
            return _all(parts)
        if isinstance(node, ast.MatchOr):
            return ast.BoolOp(ast.Or(), [self.pattern(p, subject, captures) for p in node.patterns])
        if isinstance(node, ast.MatchSequence):
            return self.sequence(node, subject, captures)
        if isinstance(node, ast.MatchMapping):
            keys = ast.Tuple([self.visit(key) for key in node.keys], ast.Load())
            rest = ast.Constant(node.rest is not None)
            parts = self.structure(MAPPING, [subject, keys, rest], node.patterns, captures)
            if node.rest is not None:
                item = _item(parts[0], len(node.keys))
                parts.append(_capture(node.rest, item, captures, self.fresh))
            return _all(parts)
        if isinstance(node, ast.MatchClass):
            names = ast.Tuple([ast.Constant(name) for name in node.kwd_attrs], ast.Load())
            arguments = [subject, self.visit(node.cls), ast.Constant(len(node.patterns)), names]
            patterns = [*node.patterns, *node.kwd_patterns]
            return _all(self.structure(CLASS, arguments, patterns, captures))
        raise TypeError(f"unexpected pattern {type(node).__name__}")  # pragma: no cover

    def sequence(
        self, node: ast.MatchSequence, subject: ast.expr, captures: dict[str, str]
    ) -> ast.expr:
        star = next((i for i, p in enumerate(node.patterns) if isinstance(p, ast.MatchStar)), None)
        count = ast.Constant(len(node.patterns))
        held = self.fresh()
        parts: list[ast.expr] = [
            _not_none(held, _call(SEQUENCE, [subject, count, ast.Constant(star)]))
        ]
        for index, sub in enumerate(node.patterns):
            item = ast.Subscript(_load(held), ast.Constant(index), ast.Load())
            if isinstance(sub, ast.MatchStar):
                if sub.name is not None:
                    parts.append(_capture(sub.name, item, captures, self.fresh))
            else:
                parts.append(self.pattern(sub, item, captures))
        return _all(parts)

    def structure(
        self,
        hook: str,
        arguments: list[ast.expr],
        patterns: list[ast.pattern],
        captures: dict[str, str],
    ) -> list[ast.expr]:
        """``(held := hook(...)) is not None`` and each sub-pattern on ``held[i]``."""
        held = self.fresh()
        parts: list[ast.expr] = [_not_none(held, _call(hook, arguments))]
        for index, sub in enumerate(patterns):
            item = ast.Subscript(_load(held), ast.Constant(index), ast.Load())
            parts.append(self.pattern(sub, item, captures))
        return parts


def _load(name: str) -> ast.Name:
    return ast.Name(name, ast.Load())


def _store(name: str) -> ast.Name:
    return ast.Name(name, ast.Store())


def _call(hook: str, arguments: list[ast.expr]) -> ast.Call:
    return ast.Call(func=_load(hook), args=arguments, keywords=[])


def _not_none(name: str, value: ast.expr) -> ast.expr:
    return ast.Compare(ast.NamedExpr(_store(name), value), [ast.IsNot()], [ast.Constant(None)])


def _item(held_test: ast.expr, index: int) -> ast.expr:
    """``held[index]`` for the name a ``_not_none`` test holds its result in."""
    assert isinstance(held_test, ast.Compare) and isinstance(held_test.left, ast.NamedExpr)
    held = held_test.left.target.id
    return ast.Subscript(_load(held), ast.Constant(index), ast.Load())


def _capture(
    name: str, value: ast.expr, captures: dict[str, str], fresh: Callable[[], str]
) -> ast.expr:
    """Hold ``value`` for capture ``name`` (always true): ``(temp := value) is temp``."""
    temp = captures.setdefault(name, fresh())
    return ast.Compare(ast.NamedExpr(_store(temp), value), [ast.Is()], [_load(temp)])


def _bind(name: str, temp: str) -> ast.expr:
    """Bind the Action's ``name`` to what the pattern captured (always true)."""
    return ast.Compare(ast.NamedExpr(_store(name), _load(temp)), [ast.Is()], [_load(name)])


def _all(parts: list[ast.expr]) -> ast.expr:
    """``parts`` joined with ``and``, leaving out the always-true (wildcard) ones."""
    kept = [p for p in parts if not (isinstance(p, ast.Constant) and p.value is True)]
    if not kept:
        return ast.Constant(True)
    return kept[0] if len(kept) == 1 else ast.BoolOp(ast.And(), kept)


def _locate(tree: ast.AST, where: ast.AST) -> None:
    """Give every generated node without a place the place of ``where``."""
    for node in ast.walk(tree):
        if "lineno" in node._attributes and not hasattr(node, "lineno"):
            ast.copy_location(node, where)
