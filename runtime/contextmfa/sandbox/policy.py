"""Compile-time policy: RestrictedPython's transformer, tightened and instrumented for Actions.

Deny by default, as RestrictedPython's ``generic_visit``: a node type without a visitor is an
error. On top of RestrictedPython's rules (no ``_`` names or attributes, no frame/generator
internals, no ``exec``/``eval``, guarded attribute/item/iteration access) this policy

- allows ``import`` of ``math``, ``re``, ``json``, ``datetime`` and ``ipaddress`` only, and
  ``from m import x`` only for names the sandbox exposes;
- refuses the builtins an Action cannot have (``getattr``, ``open``, ``globals``, ...)
  with a clear message instead of a NameError at run time;
- brings the constructs RestrictedPython refuses for want of a hook (augmented assignment of
  items and attributes, ``nonlocal``, ``super()``, ``type(x)``, ``match``) under the guards of
  their plain forms (rewrites.py);
- requires a top-level ``def on_execute_post_login(event, api)``;
- injects the run-time hooks: a step at the top of every loop body, comprehension clause,
  exception handler and ``finally``; call-depth accounting around every function body; guarded
  ``+ - * % ** << | & ^``, ``*args``/``**kwargs``, slice assignment, f-strings and their fields,
  and comprehension results.

Every problem is reported with its line and column; ``compile_action`` collects them all.
"""

from __future__ import annotations

import ast
import re
import warnings
from typing import Any

from RestrictedPython.transformer import copy_locations

from contextmfa.sandbox.fuse import fuse_chains
from contextmfa.sandbox.modules import MODULES
from contextmfa.sandbox.name_checks import undefined_names
from contextmfa.sandbox.refusals import (
    FORBIDDEN_BUILTINS,
    REPLACED,
    forbidden_builtin,
    reword,
    translate,
)
from contextmfa.sandbox.rewrites import ConstructRewrites, hook_call
from contextmfa.sandbox.source_checks import (
    Located,
    column,
    locate_complexity,
    source_problems,
    strip_annotations,
    tree_problems,
)
from contextmfa.sandbox.suggest import did_you_mean
from contextmfa.sandbox.surface_checks import surface_problems

ENTRY_POINT = "on_execute_post_login"

STEP, STEP_TRUE, ENTER, LEAVE = "_step_", "_stepc_", "_enter_", "_leave_"
STAR, DSTAR, FMT, SEQ, TEXT = "_star_", "_dstar_", "_fmt_", "_seq_", "_text_"
HSTAR = "_hstar_"
BINARY_HOOKS: dict[type[ast.operator], str] = {
    ast.Add: "_add_",
    ast.Sub: "_sub_",
    ast.BitOr: "_or_",
    ast.BitAnd: "_and_",
    ast.BitXor: "_xor_",
    ast.Mult: "_mul_",
    ast.Mod: "_mod_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
}
FORBIDDEN_NAMES = frozenset(FORBIDDEN_BUILTINS)
"""Builtins an Action cannot have; naming one (unless the Action binds that name) is an error."""


def bound_names(tree: ast.AST) -> set[str]:
    """Every name the module binds anywhere (assignments, defs, args, imports, handlers)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
    return names


def _is_generator(fn: ast.FunctionDef) -> bool:
    pending: list[ast.AST] = list(fn.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            pending.extend(ast.iter_child_nodes(node))
    return False


def _hook(name: str, where: Any) -> ast.Expr:
    node = ast.Expr(hook_call(name, [], where))
    copy_locations(node, where)
    return node


def _prepend(body: list[ast.stmt], name: str, owner: Any) -> None:
    """Put hook ``name`` first in ``body``, located at its first statement; a body whose only
    statements were refused (and dropped) is located at ``owner`` instead."""
    body.insert(0, _hook(name, body[0] if body else owner))


class ActionPolicy(ConstructRewrites):
    """RestrictedPython's transformer plus the Action rules and hooks (module docstring)."""

    def __init__(self, bound: set[str], lines: list[str]) -> None:
        super().__init__(bound)
        self.lines = lines
        self.problems: list[tuple[int, int, str]] = []

    def error(self, node: ast.AST, info: str) -> None:
        line = getattr(node, "lineno", 0) or 0
        col = column(self.lines, line, getattr(node, "col_offset", 0) or 0) if line else 0
        self.problems.append((line, col, info))

    # -- names and imports ----------------------------------------------------------------------

    def visit_Name(self, node: ast.Name) -> Any:
        if (
            isinstance(node.ctx, ast.Load)
            and node.id in FORBIDDEN_NAMES
            and node.id not in self.bound
        ):
            self.error(node, forbidden_builtin(node.id))
        return super().visit_Name(node)

    def visit_Import(self, node: ast.Import) -> Any:
        for alias in node.names:
            if alias.name not in MODULES:
                self.error(node, _unavailable_module(repr(alias.name)))
        return super().visit_Import(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> Any:
        if node.level:
            self.error(node, _unavailable_module("relative imports"))
        elif node.module not in MODULES:
            self.error(node, _unavailable_module(repr(node.module)))
        else:
            spec = MODULES[node.module]
            for alias in node.names:
                if alias.name == "*":
                    self.error(
                        node,
                        f"from {node.module} import * is not available in Actions; write "
                        f"from {node.module} import name, other instead",
                    )
                elif alias.name not in spec.names:
                    self.error(node, _unavailable_name(node.module, alias.name, spec.names))
        return super().visit_ImportFrom(node)

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        if node.attr == "mro":
            self.error(
                node, '"mro" is not available in Actions; write isinstance(x, T) or type(x) instead'
            )
        return super().visit_Attribute(node)

    # -- steps and call depth -------------------------------------------------------------------

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        node = super().visit_FunctionDef(node)
        if _is_generator(node):
            node.body.insert(0, _hook(STEP, node))
            return node
        guarded = ast.Try(body=node.body, handlers=[], orelse=[], finalbody=[_hook(LEAVE, node)])
        copy_locations(guarded, node)
        node.body = [_hook(ENTER, node), guarded]
        return node

    def visit_Lambda(self, node: ast.Lambda) -> Any:
        node = super().visit_Lambda(node)
        node.body = ast.BoolOp(op=ast.Or(), values=[hook_call(STEP, [], node.body), node.body])
        copy_locations(node.body, node)
        return node

    def visit_For(self, node: ast.For) -> Any:
        node = super().visit_For(node)
        _prepend(node.body, STEP, node)
        return node

    def visit_While(self, node: ast.While) -> Any:
        node = super().visit_While(node)
        _prepend(node.body, STEP, node)
        return node

    def visit_comprehension(self, node: ast.comprehension) -> Any:
        node = super().visit_comprehension(node)
        node.ifs.insert(0, hook_call(STEP_TRUE, [], node.iter))
        return node

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> Any:
        """A handler re-raises a tripped budget first; a bare ``except:`` catches ``Exception``
        only, never the host's ``KeyboardInterrupt`` or ``SystemExit``."""
        node = super().visit_ExceptHandler(node)
        if node.type is None:
            node.type = ast.Name("Exception", ast.Load())
            copy_locations(node.type, node)
        _prepend(node.body, STEP, node)
        return node

    def visit_Try(self, node: ast.Try) -> Any:
        node = super().visit_Try(node)
        if node.finalbody:
            _prepend(node.finalbody, STEP, node)
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> Any:
        """``x: T = v`` is ``x = v`` (annotations are not evaluated); ``x: T`` alone is nothing."""
        if node.value is None:
            empty = ast.Pass()
            copy_locations(empty, node)
            return empty
        plain = ast.Assign(targets=[node.target], value=node.value)
        copy_locations(plain, node)
        return self.visit_Assign(plain)

    # -- values that can grow -------------------------------------------------------------------

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = super().visit_BinOp(node)
        hook = BINARY_HOOKS.get(type(node.op))
        return node if hook is None else hook_call(hook, [node.left, node.right], node)

    def visit_Starred(self, node: ast.Starred) -> Any:
        node = super().visit_Starred(node)
        if isinstance(node.ctx, ast.Load):
            node.value = hook_call(STAR, [node.value], node.value)
        return node

    def visit_Set(self, node: ast.Set) -> Any:
        node = super().visit_Set(node)
        for elt in node.elts:
            if isinstance(elt, ast.Starred) and isinstance(elt.value, ast.Call):
                elt.value.func = ast.Name(HSTAR, ast.Load())
                copy_locations(elt.value.func, elt)
        return node

    def visit_Dict(self, node: ast.Dict) -> Any:
        node = super().visit_Dict(node)
        node.values = [
            hook_call(DSTAR, [value], value) if key is None else value
            for key, value in zip(node.keys, node.values, strict=True)
        ]
        return node

    def visit_keyword(self, node: ast.keyword) -> Any:
        node = super().visit_keyword(node)
        if node.arg is None:
            node.value = hook_call(DSTAR, [node.value], node.value)
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> Any:
        return hook_call(TEXT, [super().visit_JoinedStr(node)], node)

    def visit_Assign(self, node: ast.Assign) -> Any:
        slices = [
            t
            for t in node.targets
            if isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Slice)
        ]
        if slices and len(node.targets) > 1:
            self.error(
                node,
                "slice assignment with several targets is not available in Actions; write "
                "x[i:j] = value on its own line instead",
            )
        result = super().visit_Assign(node)
        if slices and result is node:
            node.value = hook_call(STAR, [node.value], node.value)
        return result

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        node = super().visit_FormattedValue(node)
        spec = node.format_spec if node.format_spec is not None else ast.Constant(None)
        args = [node.value, ast.Constant(node.conversion), spec]
        for arg in args[1:]:
            copy_locations(arg, node)
        field = ast.FormattedValue(
            value=hook_call(FMT, args, node), conversion=-1, format_spec=None
        )
        copy_locations(field, node)
        return field

    def visit_ListComp(self, node: ast.ListComp) -> Any:
        return hook_call(SEQ, [super().visit_ListComp(node)], node)

    def visit_SetComp(self, node: ast.SetComp) -> Any:
        return hook_call(SEQ, [super().visit_SetComp(node)], node)

    def visit_DictComp(self, node: ast.DictComp) -> Any:
        return hook_call(SEQ, [super().visit_DictComp(node)], node)


_NETWORK_MODULES = frozenset(
    {"requests", "urllib", "urllib3", "http", "httpx", "aiohttp", "socket", "ssl", "urllib2"}
)


def _unavailable_module(what: str) -> str:
    allowed = sorted(MODULES)
    listed = ", ".join(allowed[:-1]) + " or " + allowed[-1]
    name = what if what == "relative imports" else f"import of {what}"
    verb = "are" if what == "relative imports" else "is"
    if what.strip("'\"").split(".")[0] in _NETWORK_MODULES:
        return (
            f"{name} {verb} not available in Actions; call services with the fetch(url, ...) "
            "helper (no import needed; the tenant's [sandbox] egress lists where it may go)"
        )
    return f"{name} {verb} not available in Actions; write import {listed} instead"


def _unavailable_name(module: str, name: str, names: frozenset[str]) -> str:
    hint = did_you_mean(name, names)
    if not hint:
        public = sorted(n for n in names if not n[:1].isupper())[:8]
        hint = f"; write one of its names instead, such as {', '.join(public)}"
    return f"{module}.{name} is not available in Actions{hint}"


def entry_point_problems(tree: ast.Module) -> list[tuple[int, int, str]]:
    """Problems with ``def on_execute_post_login(event, api)`` (missing, or the wrong shape)."""
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == ENTRY_POINT]
    if not defs:
        if any(isinstance(n, ast.AsyncFunctionDef) and n.name == ENTRY_POINT for n in tree.body):
            return []  # "drop async" says it all
        return [(1, 1, f"missing top-level function: def {ENTRY_POINT}(event, api)" + _near(tree))]
    fn = defs[-1]
    args = fn.args
    plain = len(args.posonlyargs) + len(args.args)
    if (
        plain != 2
        or args.vararg
        or args.kwarg
        or args.kwonlyargs
        or args.defaults
        or fn.decorator_list
    ):
        return [
            (
                fn.lineno,
                fn.col_offset + 1,
                f"{ENTRY_POINT} must be a plain function of two arguments: (event, api)",
            )
        ]
    if _is_generator(fn):
        return [
            (
                fn.lineno,
                fn.col_offset + 1,
                f"{ENTRY_POINT} must not be a generator; write api calls (and return) instead "
                "of yield",
            )
        ]
    return []


def _near(tree: ast.Module) -> str:
    """A hint when the entry point is there under another spelling (Auth0's camelCase)."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Assign)):
            name = node.name if not isinstance(node, ast.Assign) else ast.unparse(node.targets[0])
            if name.replace("_", "").lower().endswith("onexecutepostlogin"):
                return f" ({name} found at line {node.lineno}: Actions use snake_case names)"
    return ""


_JAVASCRIPT = re.compile(
    r"exports\.\w+\s*=|=>\s*\{|^\s*(const|let|var)\s+\w+\s*=|^\s*(async\s+)?function\b", re.M
)


def _syntax_problem(source: str, exc: SyntaxError) -> Located:
    """A syntax error; one in an Auth0 JavaScript Action says to port it, at its first line."""
    found = _JAVASCRIPT.search(source)
    if found is None:
        return (exc.lineno or 0, exc.offset or 0, f"syntax error: {exc.msg}")
    line = source.count("\n", 0, found.start()) + 1
    return (
        line,
        1,
        "syntax error: this is JavaScript (an Auth0 Action?); write Python: "
        f"def {ENTRY_POINT}(event, api): and drop async: Actions are synchronous",
    )


def compiler_problems(tree: ast.Module, path: str, lines: list[str]) -> list[Located]:
    """What CPython's compiler refuses in the tree as written (a ``nonlocal`` with no binding,
    a name used before its ``global``, a ``match`` case that makes the rest unreachable),
    located; the instrumented tree would report it without its place."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the instrumented tree's compile shows them once
            compile(tree, path, "exec", dont_inherit=True)
    except SyntaxError as exc:
        line = exc.lineno or 0
        return [(line, column(lines, line, (exc.offset or 1) - 1), f"syntax error: {exc.msg}")]
    except (ValueError, RecursionError, MemoryError):
        return []  # reported with its own words when the instrumented tree is compiled
    return []


def _restates(message: str) -> bool:
    """RestrictedPython's generic words for a construct source_checks.py already refused."""
    return (
        message.endswith(" statements are not allowed.")
        or "metaclass" in message
        or translate(message) != message
    )


def transform(source: str, path: str) -> tuple[ast.Module | None, list[Located]]:
    """Parse, check and instrument ``source``; the tree is None when it did not parse.

    The checks of source_checks.py run first, on their own; RestrictedPython's transformer runs
    only on a tree they found shallow enough, and where both refuse the same construct, the
    message of source_checks.py (which names the alternative) is kept. Undefined names and
    unknown names along ``event``/``api`` chains are checked on the untransformed tree.
    """
    problems = source_problems(source)
    if problems:
        return None, problems
    try:
        tree = ast.parse(source, filename=path, mode="exec")
    except SyntaxError as exc:
        return None, [_syntax_problem(source, exc)]
    except (ValueError, RecursionError, MemoryError):
        line, col = locate_complexity(source)
        return None, [(line, col, "code too deeply nested or too complex to compile")]
    lines = source.splitlines()
    own = tree_problems(tree, lines)
    if any(message.startswith("code nested too deeply") for _, _, message in own):
        return None, sorted(own)
    if not own:
        own = compiler_problems(tree, path, lines)
    names = undefined_names(source, tree, lines, path) + surface_problems(tree, lines)
    strip_annotations(tree)
    problems = entry_point_problems(tree)
    policy = ActionPolicy(bound_names(tree), lines)
    try:
        tree = policy.visit(tree)
    except RecursionError:
        line, col = locate_complexity(source)
        return None, [(line, col, "code too deeply nested or too complex to compile")]
    tree = fuse_chains(tree)
    own_lines = {line for line, _, _ in own}
    refused = [
        (line, col, reword(translate(message)))
        for line, col, message in policy.problems
        if not (line in own_lines and _restates(message)) and message not in REPLACED
    ]
    return tree, sorted(set(problems + refused + own + names))
