"""Attribute chains read through one guard call: ``event.request.geoip.country_code``.

RestrictedPython turns that read into three nested ``_getattr_`` calls, each building a view of
an object only for the next read to take apart. After the policy has run, every chain of two or
more reads of literal names becomes ``_getpath_(event, ("request", "geoip", "country_code"))``
(Guards.getpath): the same checks, name by name, in the same order, with nothing between them
that Action code could observe, and one call instead of three. Names were already checked by
the policy; a chain holding a name that starts with ``_`` is left as it is all the same.
"""

from __future__ import annotations

import ast
from typing import Any

GETATTR, GETPATH = "_getattr_", "_getpath_"


def _literal_read(node: ast.AST, hook: str) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == hook
        and len(node.args) == 2
        and not node.keywords
    )


def _names(node: ast.Call) -> tuple[str, ...] | None:
    """The literal names read by a ``_getattr_`` or ``_getpath_`` call, else None."""
    key = node.args[1]
    if not isinstance(key, ast.Constant):
        return None
    value = key.value
    if isinstance(value, str):
        names: tuple[Any, ...] = (value,)
    elif isinstance(value, tuple):
        names = value
    else:
        return None
    if all(isinstance(n, str) and n and not n.startswith("_") for n in names):
        return names
    return None


class ChainFuser(ast.NodeTransformer):
    """Folds ``_getattr_(_getattr_(x, "a"), "b")`` into ``_getpath_(x, ("a", "b"))``."""

    def visit_Call(self, node: ast.Call) -> Any:
        self.generic_visit(node)
        if not _literal_read(node, GETATTR):
            return node
        inner = node.args[0]
        outer_names = _names(node)
        if outer_names is None or not (
            _literal_read(inner, GETATTR) or _literal_read(inner, GETPATH)
        ):
            return node
        assert isinstance(inner, ast.Call)
        inner_names = _names(inner)
        if inner_names is None:
            return node
        fused = ast.Call(
            func=ast.Name(GETPATH, ast.Load()),
            args=[inner.args[0], ast.Constant(inner_names + outer_names)],
            keywords=[],
        )
        return ast.copy_location(fused, node)


def fuse_chains(tree: ast.Module) -> ast.Module:
    return ChainFuser().visit(tree)  # type: ignore[no-any-return]
