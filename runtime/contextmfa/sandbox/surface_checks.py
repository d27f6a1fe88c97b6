"""Check time: every attribute read along ``event``/``api`` chains names something that exists.

Inside ``on_execute_post_login(event, api)`` the two parameters have fixed shapes (surface.py),
so ``api.multifactor.enabled`` or ``event.request.geoip.countryCode`` is a located error here
rather than an ``AttributeError`` that denies every login under ``on_error``. A chain is
followed through attributes, ``[...]`` on lists of objects and string keys of fixed objects, and
through local names bound exactly once in the function (``geoip = event.request.geoip``,
``for factor in event.user.enrolled_factors``): a name bound twice, or a parameter rebound, is
not followed. Metadata objects, ``secrets`` and anything read with ``.get()`` are open, so
nothing read from them is checked.
"""

from __future__ import annotations

import ast
from collections import Counter

from contextmfa.sandbox.source_checks import Located, column
from contextmfa.sandbox.surface import (
    WRITES,
    Shape,
    allowed,
    api_shape,
    event_shape,
    missing_message,
    read_only_message,
)

ENTRY_POINT = "on_execute_post_login"


def _bindings(function: ast.FunctionDef) -> Counter[str]:
    """How many times each name is bound anywhere inside ``function`` (nested scopes too)."""
    counts: Counter[str] = Counter()
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            counts[node.id] += 1
        elif isinstance(node, ast.arg):
            counts[node.arg] += 1
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node is not function:
                counts[node.name] += 1
        elif isinstance(node, ast.alias):
            counts[(node.asname or node.name).split(".")[0]] += 1
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            counts[node.name] += 1
        elif isinstance(node, ast.MatchMapping) and node.rest:
            counts[node.rest] += 1
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            counts.update({name: 2 for name in node.names})
    return counts


class _Chains:
    """The shapes of names and expressions inside the entry point."""

    def __init__(self, function: ast.FunctionDef, lines: list[str]) -> None:
        self.lines = lines
        self.counts = _bindings(function)
        self.names: dict[str, Shape] = {}
        params = [a.arg for a in function.args.posonlyargs + function.args.args]
        for name, shape in zip(params, (event_shape(), api_shape()), strict=False):
            if self.counts[name] == 1:
                self.names[name] = shape
        self.problems: list[Located] = []
        self.warnings: list[Located] = []

    def shape(self, node: ast.expr) -> Shape | None:
        """The shape of ``node`` when it is a known chain and every step of it exists."""
        if isinstance(node, ast.Name):
            return self.names.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.shape(node.value)
            if base is None or not allowed(base, node.attr):
                return None
            return base.child(node.attr)
        if isinstance(node, ast.Subscript):
            base = self.shape(node.value)
            if base is None:
                return None
            if base.kind == "list" and not isinstance(node.slice, ast.Slice):
                return base.item
            key = node.slice
            if base.kind == "record" and isinstance(key, ast.Constant):
                return base.child(key.value) if isinstance(key.value, str) else None
        return None

    def alias(self, target: ast.expr, shape: Shape | None) -> None:
        if shape is not None and isinstance(target, ast.Name) and self.counts[target.id] == 1:
            self.names[target.id] = shape

    def learn(self, node: ast.AST) -> None:
        """Record ``name = chain`` and ``for name in list_chain`` (bound once) as aliases."""
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            self.alias(node.targets[0], self.shape(node.value))
        elif isinstance(node, ast.NamedExpr):
            self.alias(node.target, self.shape(node.value))
        elif isinstance(node, (ast.For, ast.comprehension)):
            iterated = self.shape(node.iter)
            if iterated is not None and iterated.kind == "list":
                self.alias(node.target, iterated.item)

    def check(self, node: ast.AST) -> None:
        if isinstance(node, ast.Attribute) and not node.attr.startswith("_"):
            base = self.shape(node.value)
            if base is None or base.kind in ("open", "value"):
                return
            if not allowed(base, node.attr):
                self.problems.append(self.at(node, missing_message(base, node.attr)))
            elif node.attr in WRITES and node.attr not in base.fields:
                self.warnings.append(self.at(node, read_only_message(base, node.attr)))
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            base = self.shape(node.value)
            key = node.slice.value
            record = base is not None and base.kind == "record"
            if record and isinstance(key, str) and key not in base.fields:  # type: ignore[union-attr]
                self.problems.append(self.at(node.slice, missing_message(base, key)))

    def at(self, node: ast.expr, message: str) -> Located:
        line = getattr(node, "end_lineno", None) or node.lineno
        if isinstance(node, ast.Attribute):
            col = column(self.lines, line, node.end_col_offset or 0) - len(node.attr)
        else:
            col = column(self.lines, node.lineno, node.col_offset)
            line = node.lineno
        return (line, col, message)


def _entry(tree: ast.Module) -> ast.FunctionDef | None:
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == ENTRY_POINT]
    return defs[-1] if defs else None


def surface_problems(tree: ast.Module, lines: list[str]) -> list[Located]:
    """Every unknown name read on a chain rooted at ``event`` or ``api`` (module docstring)."""
    return surface_findings(tree, lines)[0]


def surface_findings(tree: ast.Module, lines: list[str]) -> tuple[list[Located], list[Located]]:
    """(errors, warnings): unknown names, and writes the run will refuse (``event`` is
    read-only), along chains rooted at ``event`` or ``api``."""
    function = _entry(tree)
    if function is None:
        return [], []
    chains = _Chains(function, lines)
    nodes = list(ast.walk(function))
    nodes.sort(key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))
    for _ in range(3):  # an alias may be read (in a comprehension) before its line
        known = len(chains.names)
        for node in nodes:
            chains.learn(node)
        if len(chains.names) == known:
            break
    for node in nodes:
        chains.check(node)
    return chains.problems, chains.warnings
