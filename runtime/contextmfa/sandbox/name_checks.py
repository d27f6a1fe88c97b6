"""Undefined names: a bare name no scope binds and the sandbox does not provide is an error.

Python resolves a name it cannot find in the function, its enclosing functions or the module at
run time, from the builtins; in an Action that ends the login with a ``NameError`` under
``on_error``. Scopes come from the compiler's own analysis (:mod:`symtable`), so comprehensions,
class bodies, lambdas, ``global`` and closures resolve exactly as they will run. What the sandbox
provides is read from the run-time globals themselves (:func:`provided_names`), so ``check`` and
a run agree on every name.
"""

from __future__ import annotations

import ast
import symtable
from collections.abc import Iterator
from functools import cache

from contextmfa.sandbox.refusals import FORBIDDEN_BUILTINS, JAVASCRIPT_NAMES
from contextmfa.sandbox.source_checks import Located, column
from contextmfa.sandbox.suggest import did_you_mean

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = {
    ast.ListComp: "listcomp",
    ast.SetComp: "setcomp",
    ast.DictComp: "dictcomp",
    ast.GeneratorExp: "genexpr",
}


@cache
def provided_names() -> frozenset[str]:
    """Every name an Action may read without binding it: the run's builtins and globals."""
    from contextmfa.sandbox.runtime_names import PORT_HELPERS, RUN_HELPERS, STATIC_GLOBALS
    from contextmfa.sandbox.safe_builtins import RUN_BUILTIN_NAMES, STATIC_BUILTINS

    names = set(STATIC_BUILTINS) | RUN_BUILTIN_NAMES | set(STATIC_GLOBALS) | set(RUN_HELPERS)
    names |= PORT_HELPERS
    names.add("print")
    return frozenset(n for n in names if not n.startswith("_"))


def _tables(table: symtable.SymbolTable) -> Iterator[symtable.SymbolTable]:
    yield table
    for child in table.get_children():
        yield from _tables(child)


def _module_names(top: symtable.SymbolTable) -> set[str]:
    names = {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported()}
    for table in _tables(top):
        names.update(
            s.get_name() for s in table.get_symbols() if s.is_declared_global() and s.is_assigned()
        )
    return names


def _annotation(node: ast.AST) -> ast.AST | None:
    if isinstance(node, (ast.arg, ast.AnnAssign)):
        return node.annotation
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return node.returns
    return None


def _key(node: ast.AST) -> tuple[str, int]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name, node.lineno
    if isinstance(node, ast.Lambda):
        return "lambda", node.lineno
    return _COMPREHENSIONS[type(node)], node.lineno  # type: ignore[index]


class _Resolver:
    """Which bare names, read where they are read, resolve to nothing."""

    def __init__(self, top: symtable.SymbolTable, lines: list[str]) -> None:
        self.lines = lines
        self.known = _module_names(top) | provided_names()
        self.by_key: dict[tuple[str, int], list[symtable.SymbolTable]] = {}
        for table in _tables(top):
            if table is not top:
                self.by_key.setdefault((table.get_name(), table.get_lineno()), []).append(table)
        self.top = top
        self.problems: list[Located] = []

    def undefined(self, name: str, scopes: list[list[symtable.SymbolTable]]) -> bool:
        """True when every candidate innermost scope sends ``name`` to the module, unbound."""
        if name in self.known:
            return False
        for candidates in reversed(scopes):
            verdicts = set()
            for table in candidates:
                try:
                    symbol = table.lookup(name)
                except KeyError:
                    continue
                verdicts.add(symbol.is_global() and not symbol.is_local())
            if verdicts:
                return verdicts == {True}
        return True

    def walk(self, node: ast.AST, scopes: list[list[symtable.SymbolTable]]) -> None:
        skipped = _annotation(node)
        for child in ast.iter_child_nodes(node):
            if child is skipped:
                continue  # annotations are never evaluated in Actions
            loaded = isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load)
            if loaded and self.undefined(child.id, scopes):
                self.report(child, scopes)
            inner = scopes
            if isinstance(child, _SCOPES) or type(child) in _COMPREHENSIONS:
                tables = self.by_key.get(_key(child), [])
                inner = [*scopes, tables] if tables else scopes
            self.walk(child, inner)

    def report(self, node: ast.Name, scopes: list[list[symtable.SymbolTable]]) -> None:
        name = node.id
        if name in FORBIDDEN_BUILTINS or name.startswith("_"):
            return  # refused by the policy, with its own message
        if name in JAVASCRIPT_NAMES:
            message = f"name {name!r} is not defined: write {JAVASCRIPT_NAMES[name]}"
        else:
            nearby = set(self.known)
            for candidates in scopes:
                for table in candidates:
                    nearby.update(s.get_name() for s in table.get_symbols() if s.is_local())
            hint = did_you_mean(name, {n for n in nearby if not n.startswith("_")})
            message = f"name {name!r} is not defined{hint}"
        line = node.lineno
        self.problems.append((line, column(self.lines, line, node.col_offset), message))


def undefined_names(source: str, tree: ast.Module, lines: list[str], path: str) -> list[Located]:
    """Every read of a name that nothing binds (module docstring), located."""
    try:
        top = symtable.symtable(source, path, "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []  # compiling reports it
    resolver = _Resolver(top, lines)
    resolver.walk(tree, [[top]])
    return resolver.problems
