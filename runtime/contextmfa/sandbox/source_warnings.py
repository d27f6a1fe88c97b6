"""Warnings: code that compiles and runs, but not the way its author most likely meant.

- a write to ``event`` (``event.authorization.roles.append(...)``): ``event`` is read-only, so
  the run ends as ``forbidden`` and the login follows ``on_error``;
- a set shown as text (``print(s)``, ``str(s)``, an f-string, ``%``) or ``s.pop()``: which order
  a set shows its items in, and which item ``pop`` takes, differ between processes (stable.py
  makes iteration canonical, not these), so logs, claims or decisions built that way change
  from one replay to the next.

Sets are recognised where the code makes them plainly: displays, comprehensions, ``set()`` and
``frozenset()`` calls, set operators and methods on those, and names bound only to them.
"""

from __future__ import annotations

import ast

from contextmfa.sandbox.source_checks import Located, column
from contextmfa.sandbox.surface_checks import surface_findings

_SET_OPERATORS = (ast.BitOr, ast.BitAnd, ast.Sub, ast.BitXor)
_SET_METHODS = frozenset({"union", "intersection", "difference", "symmetric_difference", "copy"})
_SHOWN_BY = frozenset({"print", "str", "repr", "ascii", "format"})
SHOWN = "a set shows its items in an order that differs between processes: show sorted(...) instead"
POPPED = (
    "set.pop() takes an item that differs between processes: take min(...) or sorted(...)[0] "
    "and remove it"
)


class _Sets:
    def __init__(self, tree: ast.Module) -> None:
        self.names: set[str] = set()
        self.tree = tree
        for _ in range(4):  # names bound to names bound to sets
            found = self._set_names()
            if found == self.names:
                break
            self.names = found

    def is_set(self, node: ast.AST) -> bool:
        if isinstance(node, (ast.Set, ast.SetComp)):
            return True
        if isinstance(node, ast.Name):
            return node.id in self.names
        if isinstance(node, ast.BinOp) and isinstance(node.op, _SET_OPERATORS):
            return self.is_set(node.left) or self.is_set(node.right)
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                return func.id in ("set", "frozenset")
            if isinstance(func, ast.Attribute) and func.attr in _SET_METHODS:
                return self.is_set(func.value)
        return False

    def _set_names(self) -> set[str]:
        set_bound: set[str] = set()
        other: set[str] = set()
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Assign):
                simple = [t for t in node.targets if isinstance(t, ast.Name)]
                (set_bound if self.is_set(node.value) else other).update(t.id for t in simple)
                for target in node.targets:
                    if not isinstance(target, ast.Name):
                        other.update(_stored(target))
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                if not isinstance(node.op, _SET_OPERATORS):
                    other.add(node.target.id)
            elif isinstance(node, (ast.For, ast.comprehension, ast.With, ast.NamedExpr)):
                targets = [node.target] if not isinstance(node, ast.With) else []
                for item in getattr(node, "items", []):
                    if item.optional_vars is not None:
                        targets.append(item.optional_vars)
                for target in targets:
                    other.update(_stored(target))
            elif isinstance(node, ast.arg):
                other.add(node.arg)
        return set_bound - other


def _stored(target: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def _is_pop(func: ast.expr, call: ast.Call) -> bool:
    return isinstance(func, ast.Attribute) and func.attr == "pop" and not call.args


def _is_percent_format(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Mod)
        and isinstance(node.left, ast.Constant)
        and isinstance(node.left.value, str)
    )


def _set_order_warnings(tree: ast.Module, lines: list[str]) -> list[Located]:
    sets = _Sets(tree)
    found: list[Located] = []

    def at(node: ast.AST, message: str) -> None:
        line = node.lineno  # type: ignore[attr-defined]
        found.append((line, column(lines, line, node.col_offset), message))  # type: ignore[attr-defined]

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in _SHOWN_BY:
                shown = node.args if func.id == "print" else node.args[:1]
                for arg in shown:
                    if sets.is_set(arg):
                        at(arg, SHOWN)
            elif _is_pop(func, node) and sets.is_set(func.value):  # type: ignore[union-attr]
                at(node, POPPED)
        elif isinstance(node, ast.FormattedValue) and sets.is_set(node.value):
            at(node.value, SHOWN)
        elif _is_percent_format(node):
            right = node.right  # type: ignore[attr-defined]
            for value in right.elts if isinstance(right, ast.Tuple) else [right]:
                if sets.is_set(value):
                    at(value, SHOWN)
    return found


def action_warnings(source: str, path: str) -> list[Located]:
    """Every warning for an Action that compiles (module docstring), in source order."""
    try:
        tree = ast.parse(source, filename=path, mode="exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    lines = source.splitlines()
    _, writes = surface_findings(tree, lines)
    return sorted(set(writes + _set_order_warnings(tree, lines)))
