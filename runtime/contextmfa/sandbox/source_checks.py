"""Checks on an Action's source and untransformed tree that do not rely on RestrictedPython.

RestrictedPython's transformer is a layer, not the boundary: its name checks have missed binding
sites before (positional-only parameters, CVE-2026-55830) and still accept ``global`` of any
name. So before its transformer runs, this module checks the parsed tree on its own, deny by
default, and every refusal is located:

- bounds: the source is at most :data:`MAX_SOURCE_BYTES` and no construct nests deeper than
  :data:`MAX_DEPTH`, so a pathological file gets a located error instead of a
  ``RecursionError``, a ``MemoryError`` or a minute of compiling;
- constructs: node types outside :data:`ALLOWED_NODES` are refused (``async``/``await``,
  ``except*``, and whatever a later Python adds); a class takes no keywords (no metaclass, no
  ``**kwargs``) and does not derive from ``type``;
- names: no name bound anywhere (assignment, augmented, ``del``, ``for``, comprehension,
  ``with`` and ``except`` targets, walrus, every kind of parameter including positional-only,
  ``global``, ``nonlocal``, imports, ``def``, ``class``, keyword arguments, ``match``
  captures) and no name or attribute read may start with ``_`` (a class pattern's attribute
  names included), so no guard hook (``_getattr_``, ``_write_``, ...) can be shadowed; the
  exceptions are the comparison and ``__init__`` methods of :data:`SPECIAL_METHODS` and a
  ``__match_args__`` tuple of names, defined directly in a class body, and
  ``super().__init__`` and ``type(x).__name__``, which the policy rewrites (rewrites.py);
- annotations are checked like code (a string annotation is parsed and checked as an
  expression), then :func:`strip_annotations` removes them all: nothing evaluates or stores them.
"""

from __future__ import annotations

import ast
import io
import tokenize

from RestrictedPython.transformer import INSPECT_ATTRIBUTES

from contextmfa.sandbox.refusals import restricted_attribute, special_method, underscore

MAX_SOURCE_BYTES = 128 * 1024
"""About 4,000 lines; compiling that much takes about a second, once per config version."""
MAX_DEPTH = 100
"""Nesting of statements and expressions, counted in syntax-tree levels."""
SPECIAL_METHODS = frozenset(
    ["__init__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__contains__"]
)
ALLOWED_NODES: frozenset[type[ast.AST]] = frozenset(
    [
        ast.Module,
        # statements
        ast.FunctionDef,
        ast.ClassDef,
        ast.Return,
        ast.Delete,
        ast.Assign,
        ast.AugAssign,
        ast.AnnAssign,
        ast.For,
        ast.While,
        ast.If,
        ast.With,
        ast.Raise,
        ast.Try,
        ast.Assert,
        ast.Import,
        ast.ImportFrom,
        ast.Global,
        ast.Nonlocal,
        ast.Expr,
        ast.Pass,
        ast.Break,
        ast.Continue,
        # expressions
        ast.BoolOp,
        ast.NamedExpr,
        ast.BinOp,
        ast.UnaryOp,
        ast.Lambda,
        ast.IfExp,
        ast.Dict,
        ast.Set,
        ast.ListComp,
        ast.SetComp,
        ast.DictComp,
        ast.GeneratorExp,
        ast.Yield,
        ast.YieldFrom,
        ast.Compare,
        ast.Call,
        ast.FormattedValue,
        ast.JoinedStr,
        ast.Constant,
        ast.Attribute,
        ast.Subscript,
        ast.Starred,
        ast.Name,
        ast.List,
        ast.Tuple,
        ast.Slice,
        # parts
        ast.Load,
        ast.Store,
        ast.Del,
        ast.comprehension,
        ast.ExceptHandler,
        ast.arguments,
        ast.arg,
        ast.keyword,
        ast.alias,
        ast.withitem,
        # match statements (rewritten by match_rewrite.py)
        ast.Match,
        ast.match_case,
        ast.MatchValue,
        ast.MatchSingleton,
        ast.MatchSequence,
        ast.MatchMapping,
        ast.MatchClass,
        ast.MatchStar,
        ast.MatchAs,
        ast.MatchOr,
    ]
)
"""Every node type an Action may contain; operators are allowed separately (all of them)."""
_OPERATORS = (ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
_SYNCHRONOUS = "Actions are synchronous and api calls return their result directly"


def _synchronous(what: str, instead: str) -> str:
    return f"{what} is not available in Actions; write {instead} instead: {_SYNCHRONOUS}"


_REFUSED = {
    ast.AsyncFunctionDef: _synchronous("async def", "def"),
    ast.Await: _synchronous("await", "the call alone"),
    ast.AsyncFor: _synchronous("async for", "for"),
    ast.AsyncWith: _synchronous("async with", "with"),
    ast.TryStar: "except* is not available in Actions; write except (ValueError, TypeError): "
    "instead",
}
_SEE_INSIDE = (ast.AsyncFunctionDef, ast.AsyncFor, ast.AsyncWith)
"""Refused, but their bodies are checked too: every ``await`` of a ported Action is reported."""

Located = tuple[int, int, str]
"""A problem as (line, 1-based column, message)."""


def column(source_lines: list[str], line: int, offset: int) -> int:
    """1-based character column of an AST byte offset."""
    if 0 < line <= len(source_lines):
        return len(source_lines[line - 1].encode("utf-8")[:offset].decode("utf-8", "ignore")) + 1
    return offset + 1


# -- before parsing ---------------------------------------------------------------------------


def source_problems(source: str) -> list[Located]:
    """Refuse a source too big to compile quickly, or with NUL bytes (which ``ast`` rejects
    without a location)."""
    raw = source.encode("utf-8", "surrogatepass")
    if len(raw) > MAX_SOURCE_BYTES:
        line = raw[:MAX_SOURCE_BYTES].count(b"\n") + 1
        return [(line, 1, f"Action source too large (over {MAX_SOURCE_BYTES // 1024} KiB)")]
    if "\0" in source:
        before = source[: source.index("\0")]
        return [(before.count("\n") + 1, len(before) - before.rfind("\n"), "NUL byte in source")]
    return []


def locate_complexity(source: str) -> tuple[int, int]:
    """Where a file the parser gave up on (too deep or too complex) most likely went wrong: the
    start of the logical line with the most tokens."""
    best, where, count, start = -1, (1, 1), 0, None
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if start is None:
                start = token.start
            count += 1
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                if count > best:
                    best, where = count, (start[0], start[1] + 1)
                count, start = 0, None
    except (tokenize.TokenError, SyntaxError, IndentationError):
        if start is not None and count > best:
            where = (start[0], start[1] + 1)
    return where


# -- on the parsed tree ------------------------------------------------------------------------


class _Checker:
    """One walk over the untransformed tree (iterative: a deep tree must not recurse here)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.problems: list[Located] = []
        self.match_args: set[int] = set()
        """``__match_args__`` targets directly in class bodies (their values are checked apart)."""

    def at(self, node: ast.AST, message: str) -> None:
        line = getattr(node, "lineno", 0) or 0
        col = column(self.lines, line, getattr(node, "col_offset", 0) or 0) if line else 0
        self.problems.append((line, col, message))

    def run(self, tree: ast.Module) -> list[Located]:
        pending: list[tuple[ast.AST, int, ast.AST | None, ast.AST]] = [(tree, 0, None, tree)]
        too_deep = False
        while pending:
            node, depth, parent, located = pending.pop()
            if hasattr(node, "lineno"):
                located = node
            if depth > MAX_DEPTH:
                if not too_deep:
                    self.at(located, f"code nested too deeply (over {MAX_DEPTH} levels)")
                too_deep = True
                continue
            if not self.check(node, parent):
                continue
            for child in ast.iter_child_nodes(node):
                pending.append((child, depth + 1, node, located))
        return self.problems

    def refuse(self, node: ast.AST, message: str) -> bool:
        self.at(node, message)
        return False

    def name(self, node: ast.AST, name: str | None, what: str = "name") -> None:
        if name and name.startswith("_") and name != "_":
            self.at(node, underscore(name, what))

    def check(self, node: ast.AST, parent: ast.AST | None) -> bool:
        """Check one node; False stops the walk below it (the problem is reported once)."""
        kind = type(node)
        if kind not in ALLOWED_NODES:
            if isinstance(node, _OPERATORS):
                return True
            message = _REFUSED.get(
                kind,
                f"{kind.__name__} is not available in Actions; write it with the statements "
                "the README's Actions section lists instead",
            )
            if isinstance(node, ast.AsyncFunctionDef) and node.name == "on_execute_post_login":
                message += " (write def on_execute_post_login(event, api):)"
            self.refuse(node, message)
            return isinstance(node, _SEE_INSIDE)
        checker = _CHECKS.get(kind)
        if checker is not None:
            checker(self, node, parent)
        return True

    def annotation(self, node: ast.expr | None) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                parsed = ast.parse(node.value, mode="eval")
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                self.at(
                    node,
                    "string annotation is not a valid expression; write a type such as 'int' "
                    "or 'dict', or no annotation, instead",
                )
                return
            for inner in ast.walk(parsed.body):
                if isinstance(inner, ast.Name):
                    self.name(node, inner.id, "a name in a string annotation")
                elif isinstance(inner, ast.Attribute):
                    self.name(node, inner.attr, "an attribute in a string annotation")
                elif type(inner) not in ALLOWED_NODES and not isinstance(inner, _OPERATORS):
                    self.at(
                        node,
                        "string annotation uses a construct that is not available in Actions; "
                        "write a type such as 'int' or 'dict' instead",
                    )


def _check_name(c: _Checker, node: ast.Name, parent: ast.AST | None) -> None:
    if node.id == "__match_args__" and id(node) in c.match_args:
        return
    c.name(node, node.id)


def _match_args(c: _Checker, node: ast.ClassDef) -> None:
    """``__match_args__ = ("x", "y")`` directly in a class body: positional class patterns."""
    for statement in node.body:
        if not isinstance(statement, ast.Assign):
            continue
        for target in statement.targets:
            if isinstance(target, ast.Name) and target.id == "__match_args__":
                c.match_args.add(id(target))  # the name is fine here; the value is checked
                value = statement.value
                if not isinstance(value, ast.Tuple) or not all(
                    isinstance(item, ast.Constant)
                    and isinstance(item.value, str)
                    and not item.value.startswith("_")
                    for item in value.elts
                ):
                    c.at(
                        statement,
                        "__match_args__ other than a tuple of attribute names is not available "
                        'in Actions; write __match_args__ = ("x", "y") instead',
                    )


def is_type_call(node: ast.AST) -> bool:
    """``type(x)``: one positional argument, nothing else."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "type"
        and len(node.args) == 1
        and not isinstance(node.args[0], ast.Starred)
        and not node.keywords
    )


def is_super_call(node: ast.AST) -> bool:
    """``super(...)``, with whatever arguments (the policy checks them)."""
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"
    )


def _check_attribute(c: _Checker, node: ast.Attribute, parent: ast.AST | None) -> None:
    if node.attr == "__name__" and isinstance(node.ctx, ast.Load) and is_type_call(node.value):
        return  # type(x).__name__: the policy rewrites it (typeof.py)
    if node.attr == "__init__" and isinstance(node.ctx, ast.Load) and is_super_call(node.value):
        return  # super().__init__: the policy rewrites it (supers.py)
    c.name(node, node.attr, "attribute")


def _check_function(c: _Checker, node: ast.FunctionDef, parent: ast.AST | None) -> None:
    in_class = isinstance(parent, ast.ClassDef) and node in parent.body
    special = node.name.startswith("__") and node.name.endswith("__")
    if in_class and special and node.name not in SPECIAL_METHODS:
        c.at(node, special_method(node.name))
    elif not (in_class and node.name in SPECIAL_METHODS):
        c.name(node, node.name, "function name")
    c.annotation(node.returns)


def _check_class(c: _Checker, node: ast.ClassDef, parent: ast.AST | None) -> None:
    c.name(node, node.name, "class name")
    _match_args(c, node)
    if node.keywords:
        c.at(
            node,
            "class keywords (metaclass=, **kwargs) are not available in Actions; "
            "write class C(Base): instead",
        )
    if any(isinstance(base, ast.Name) and base.id == "type" for base in node.bases):
        c.at(
            node,
            "a class deriving from type is not available in Actions (there are no "
            "metaclasses); write a plain class instead",
        )


def _check_arg(c: _Checker, node: ast.arg, parent: ast.AST | None) -> None:
    c.name(node, node.arg, "parameter")
    c.annotation(node.annotation)


def _check_annassign(c: _Checker, node: ast.AnnAssign, parent: ast.AST | None) -> None:
    c.annotation(node.annotation)


def _check_alias(c: _Checker, node: ast.alias, parent: ast.AST | None) -> None:
    for part in node.name.split("."):
        c.name(parent or node, part, "imported name")
    c.name(parent or node, node.asname, "import alias")


def _check_handler(c: _Checker, node: ast.ExceptHandler, parent: ast.AST | None) -> None:
    c.name(node, node.name, "exception name")


def _check_global(c: _Checker, node: ast.Global | ast.Nonlocal, parent: ast.AST | None) -> None:
    what = "global name" if isinstance(node, ast.Global) else "nonlocal name"
    for name in node.names:
        c.name(node, name, what)


def _check_capture(c: _Checker, node: ast.MatchAs | ast.MatchStar, parent: ast.AST | None) -> None:
    c.name(node, node.name, "name")


def _check_match_mapping(c: _Checker, node: ast.MatchMapping, parent: ast.AST | None) -> None:
    c.name(node, node.rest, "name")


def _check_match_class(c: _Checker, node: ast.MatchClass, parent: ast.AST | None) -> None:
    """A class pattern's attribute names are attribute reads: the same names are refused."""
    for name in node.kwd_attrs:
        if name == "mro":
            c.at(
                node, '"mro" is not available in Actions; write isinstance(x, T) or type(x) instead'
            )
        elif name in INSPECT_ATTRIBUTES:
            c.at(node, restricted_attribute(name))
        else:
            c.name(node, name, "attribute")


def _check_keyword(c: _Checker, node: ast.keyword, parent: ast.AST | None) -> None:
    c.name(parent or node, node.arg, "keyword argument")


def _check_comprehension(c: _Checker, node: ast.comprehension, parent: ast.AST | None) -> None:
    if node.is_async:
        c.at(
            node.target,
            "async comprehensions are not available in Actions; write a plain comprehension "
            f"instead: {_SYNCHRONOUS}",
        )


_CHECKS = {
    ast.Name: _check_name,
    ast.Attribute: _check_attribute,
    ast.FunctionDef: _check_function,
    ast.ClassDef: _check_class,
    ast.arg: _check_arg,
    ast.AnnAssign: _check_annassign,
    ast.alias: _check_alias,
    ast.ExceptHandler: _check_handler,
    ast.Global: _check_global,
    ast.Nonlocal: _check_global,
    ast.keyword: _check_keyword,
    ast.comprehension: _check_comprehension,
    ast.MatchAs: _check_capture,
    ast.MatchStar: _check_capture,
    ast.MatchMapping: _check_match_mapping,
    ast.MatchClass: _check_match_class,
}


def tree_problems(tree: ast.Module, lines: list[str]) -> list[Located]:
    """Every problem of the untransformed tree (module docstring), in walk order."""
    return _Checker(lines).run(tree)


def strip_annotations(tree: ast.Module) -> None:
    """Remove every annotation: Actions never evaluate or store them (``x: T = v`` stays an
    assignment, handled by the policy)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            node.annotation = None
        elif isinstance(node, ast.FunctionDef):
            node.returns = None
