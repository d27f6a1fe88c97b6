"""Compile-time rewrites of the ordinary Python RestrictedPython's transformer refuses.

RestrictedPython refuses these constructs because its transformer has no hook for them, not
because they are unsafe; the policy (policy.py) inherits these rewrites, which bring each under
the guards of the plain forms:

- ``a[k] op= v`` and ``a.b op= v`` become ``_augset_(_augitem_(a, k), "op=", v)`` and
  ``_augset_(_augattr_(a, "b"), "op=", v)`` (augmented.py); the target is read through the
  same visit as a plain read, so every name check applies;
- ``nonlocal`` stays as written (its names were checked by source_checks.py);
- ``super()`` in a method becomes ``_super_(__class__, self)``, ``super(C, obj)`` becomes
  ``_super_(C, obj)`` and ``super().__init__`` ``_superinit_(...)`` (supers.py); naming
  ``__class__`` makes Python give the method its class cell, as naming ``super`` would;
- ``type(x).__name__`` becomes ``_typename_(x)`` and a ``type()`` call of any other shape is
  refused (typeof.py);
- ``match`` becomes a run of ``if`` statements over guarded tests (match_rewrite.py).
"""

from __future__ import annotations

import ast
from typing import Any

from RestrictedPython.transformer import (
    IOPERATOR_TO_STR,
    RestrictingNodeTransformer,
    copy_locations,
)

from contextmfa.sandbox.match_rewrite import MatchRewriter
from contextmfa.sandbox.source_checks import is_super_call, is_type_call

AUG_ITEM, AUG_ATTRIBUTE, AUG_STORE = "_augitem_", "_augattr_", "_augset_"
TYPE_NAME = "_typename_"
SUPER, SUPER_INIT = "_super_", "_superinit_"


def hook_call(name: str, args: list[ast.expr], where: Any) -> ast.Call:
    """A call of run-time hook ``name``, located at ``where``."""
    node = ast.Call(func=ast.Name(name, ast.Load()), args=args, keywords=[])
    copy_locations(node, where)
    return node


def has_star(args: list[ast.expr]) -> bool:
    return any(isinstance(arg, ast.Starred) for arg in args)


class ConstructRewrites(RestrictingNodeTransformer):
    """The rewrites of the module docstring; ``error`` is the policy's (located problems)."""

    def __init__(self, bound: set[str]) -> None:
        super().__init__()
        self.bound = bound
        """Every name the Action binds: such a name is the Action's, not a builtin."""
        self.scopes: list[ast.AST] = []
        """The classes, functions and lambdas around the node being visited, innermost last."""
        self.temporaries = 0
        self.match_args: set[int] = set()
        """``__match_args__ = (...)`` targets in class bodies (source_checks.py checked them)."""

    def check_name(
        self, node: ast.AST, name: str | None, allow_magic_methods: bool = False
    ) -> None:
        if name == "__match_args__" and id(node) in self.match_args:
            return
        super().check_name(node, name, allow_magic_methods)

    def fresh(self) -> str:
        """A name for a value the instrumented code holds: no Action can name it (``_``)."""
        self.temporaries += 1
        return f"_match_{self.temporaries}_"

    def visit_block(self, statements: list[ast.stmt]) -> list[ast.stmt]:
        """Visit a block as ``generic_visit`` does (a statement may become several, or none)."""
        result: list[ast.stmt] = []
        for statement in statements:
            new = self.visit(statement)
            if isinstance(new, list):
                result.extend(new)
            elif new is not None:
                result.append(new)
        if not result and statements:
            result.append(ast.Pass())
            copy_locations(result[0], statements[0])
        return result

    def visit_Match(self, node: ast.Match) -> Any:
        """``match`` as a run of ``if`` statements over guarded tests (match_rewrite.py)."""
        return MatchRewriter(self.visit, self.visit_block, self.fresh).rewrite(node)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> Any:
        """Closures that count are ordinary Python; the names were checked (source_checks.py)."""
        return node

    def visit_Call(self, node: ast.Call) -> Any:
        func = node.func
        builtin = func.id if isinstance(func, ast.Name) and func.id not in self.bound else None
        if builtin == "type" and not is_type_call(node):
            self.error(
                node,
                "type() with other than one argument is not available in Actions; write type(x), "
                "or a class statement to make a class, instead",
            )
        if builtin == "super":
            return self._super(node, SUPER)
        return super().visit_Call(node)

    def _super(self, node: ast.Call, hook: str) -> ast.expr:
        """``super()`` in a method is ``_super_(__class__, self)``; ``super(C, obj)`` is
        ``_super_(C, obj)``; with ``SUPER_INIT``, the same for ``super().__init__`` (supers.py).
        Naming ``__class__`` makes Python give the method its class cell, as ``super`` would."""
        args: list[ast.expr]
        if not node.args and not node.keywords:
            first = self._method_self()
            if first is None:
                self.error(
                    node,
                    "super() without arguments is not available in Actions outside a method "
                    "defined in a class body; write it in such a method, or super(Class, obj), "
                    "instead",
                )
                return node
            args = [ast.Name("__class__", ast.Load()), ast.Name(first, ast.Load())]
            for arg in args:
                copy_locations(arg, node)
        elif len(node.args) == 2 and not node.keywords and not has_star(node.args):
            args = [self.visit(arg) for arg in node.args]
        else:
            self.error(
                node,
                "super() with these arguments is not available in Actions; write super() in a "
                "method, or super(Class, obj) instead",
            )
            return node
        return hook_call(hook, args, node)

    def _method_self(self) -> str | None:
        """The first parameter of the method being visited, if it is defined in a class body."""
        if len(self.scopes) < 2:
            return None
        function, owner = self.scopes[-1], self.scopes[-2]
        if not (
            isinstance(function, ast.FunctionDef)
            and isinstance(owner, ast.ClassDef)
            and any(statement is function for statement in owner.body)
        ):
            return None
        parameters = function.args.posonlyargs + function.args.args
        return parameters[0].arg if parameters else None

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        """``type(x).__name__`` and ``super().__init__`` (module docstring)."""
        if (
            node.attr == "__name__"
            and isinstance(node.ctx, ast.Load)
            and is_type_call(node.value)
            and "type" not in self.bound
        ):
            assert isinstance(node.value, ast.Call)
            return hook_call(TYPE_NAME, [self.visit(node.value.args[0])], node)
        if (
            node.attr == "__init__"
            and isinstance(node.ctx, ast.Load)
            and is_super_call(node.value)
            and "super" not in self.bound
        ):
            assert isinstance(node.value, ast.Call)
            return self._super(node.value, SUPER_INIT)
        return super().visit_Attribute(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> Any:
        self.match_args.update(
            id(target)
            for statement in node.body
            if isinstance(statement, ast.Assign)
            for target in statement.targets
            if isinstance(target, ast.Name) and target.id == "__match_args__"
        )
        self.scopes.append(node)
        try:
            return super().visit_ClassDef(node)
        finally:
            self.scopes.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        self.scopes.append(node)
        try:
            return super().visit_FunctionDef(node)
        finally:
            self.scopes.pop()

    def visit_Lambda(self, node: ast.Lambda) -> Any:
        self.scopes.append(node)
        try:
            return super().visit_Lambda(node)
        finally:
            self.scopes.pop()

    def visit_AugAssign(self, node: ast.AugAssign) -> Any:
        """``a[k] op= v`` and ``a.b op= v`` become ``_augset_(_augitem_(a, k), "op=", v)`` and
        ``_augset_(_augattr_(a, "b"), "op=", v)`` (augmented.py): the target is read through
        the same visit as a plain read, so every name check applies; ``name op= v`` stays
        RestrictedPython's ``_inplacevar_``."""
        target = node.target
        if isinstance(target, ast.Attribute):
            load: ast.expr = ast.Attribute(value=target.value, attr=target.attr, ctx=ast.Load())
            hook = AUG_ATTRIBUTE
        elif isinstance(target, ast.Subscript):
            load = ast.Subscript(value=target.value, slice=target.slice, ctx=ast.Load())
            hook = AUG_ITEM
        else:
            return super().visit_AugAssign(node)
        copy_locations(load, target)
        read = self.visit(load)
        operator = ast.Constant(IOPERATOR_TO_STR[type(node.op)])
        copy_locations(operator, node)
        value = self.visit(node.value)
        guarded = ("_getattr_", "_getitem_")
        if not (isinstance(read, ast.Call) and getattr(read.func, "id", None) in guarded):
            self.error(
                node,
                "augmented assignment of this target is not available in Actions; "
                "write target = target op value instead",
            )
            return None
        read.func = ast.Name(hook, ast.Load())
        copy_locations(read.func, target)
        statement = ast.Expr(hook_call(AUG_STORE, [read, operator, value], node))
        copy_locations(statement, node)
        return statement
