"""The callables the sandbox hands to Action code in place of host functions and methods.

They bind a guard function to the run's :class:`~contextmfa.sandbox.guards.Guards` and keep both
in ``_``-prefixed slots, which no Action can name, so holding one gives an Action nothing to
walk: never ``functools.partial`` (its ``func``/``args`` are public) and never a bound method of
a host object whose other methods could be called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contextmfa.sandbox.guards import Guards


class GuardedCall:
    """A sandbox builtin or module function: ``fn(guards, *args, **kwargs)``."""

    __slots__ = ("_fn", "_g", "_name")

    def __init__(self, fn: Callable[..., Any], g: Guards, name: str) -> None:
        self._fn = fn
        self._g = g
        self._name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._fn(self._g, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<built-in function {self._name}>"


class BoundGuard:
    """A guarded method bound to its object: ``fn(guards, obj, *args, **kwargs)``."""

    __slots__ = ("_fn", "_g", "_obj")

    def __init__(self, fn: Callable[..., Any], g: Guards, obj: Any) -> None:
        self._fn = fn
        self._g = g
        self._obj = obj

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._fn(self._g, self._obj, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<built-in method {self._fn.__name__}>"


class UnboundGuard:
    """A guarded method taken from its class (``str.join``): checks the object it is given."""

    __slots__ = ("_cls", "_fn", "_g")

    def __init__(self, fn: Callable[..., Any], g: Guards, cls: type) -> None:
        self._fn = fn
        self._g = g
        self._cls = cls

    def __call__(self, obj: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(obj, self._cls):
            raise TypeError(
                f"{self._fn.__name__}() needs a {self._cls.__name__!r} object, "
                f"not {type(obj).__name__!r}"
            )
        return self._fn(self._g, obj, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<method {self._fn.__name__!r} of {self._cls.__name__!r} objects>"
