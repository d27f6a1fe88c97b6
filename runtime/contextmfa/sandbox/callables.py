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


def renamed(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    """``fn`` with the name Python's own messages use (its code's) set to ``name``: a wrong call
    reads "loads() got an unexpected keyword argument", not the guard's internal name."""
    code = getattr(fn, "__code__", None)
    if code is not None:
        fn.__code__ = code.replace(co_name=name, co_qualname=name)
        fn.__name__ = fn.__qualname__ = name
    return fn


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

    __slots__ = ("_cls", "_fn", "_g", "_name")

    def __init__(self, fn: Callable[..., Any], g: Guards, cls: type, name: str) -> None:
        self._fn = fn
        self._g = g
        self._cls = cls
        self._name = name

    def __call__(self, obj: Any, *args: Any, **kwargs: Any) -> Any:
        # The real type: an event view passes isinstance(v, dict) but holds no dict itself.
        if not issubclass(type(obj), self._cls):
            raise TypeError(f"{self._cls.__name__}.{self._name}() needs a {self._cls.__name__!r}")
        return self._fn(self._g, obj, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<method {self._name!r} of {self._cls.__name__!r} objects>"
