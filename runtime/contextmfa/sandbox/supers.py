"""``super()`` in the Action's own classes, with no way into a host class's internals.

The policy rewrites ``super()`` in a method to ``_super_(__class__, self)`` (``self`` being the
method's first parameter), ``super(C, obj)`` to ``_super_(C, obj)``, and ``super().__init__``
to ``_superinit_(...)``. :func:`super_of` accepts only a class the Action defined and an
object of it; the proxy it returns resolves a name along the object's bases after that class:

- a name an Action class defines is the Action's own (its function, property, value);
- a name a host base defines goes through the same guards as on any object of that host type:
  the guarded methods of methods.py (``super().update(...)`` on a ``dict`` subclass is the
  bounded ``update``), then the type's attribute allowlist (attributes.py), else ``forbidden``;
- ``__init__`` of a host base is called through a guard: ``list``, ``dict`` and ``set`` build
  from their arguments under the size limits, ``object`` and the host classes an Action can
  name (exceptions, IP address classes, ``property``) run their own ``__init__``.

Nothing hands out ``super`` itself, a host class's ``__dict__``, its bases or its ``mro``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from contextmfa.sandbox.attributes import instance_attributes, known_classes
from contextmfa.sandbox.callables import BoundGuard, renamed
from contextmfa.sandbox.methods import GUARDED_BASES, tables_for
from contextmfa.sandbox.safe_builtins import safe_type

if TYPE_CHECKING:
    from contextmfa.sandbox.guards import Guards


class SuperProxy:
    """What ``super()`` is in an Action: the class it starts after, and the object."""

    __slots__ = ("_cls", "_obj")

    def __init__(self, cls: type, obj: Any) -> None:
        self._cls = cls
        self._obj = obj

    def __repr__(self) -> str:
        return f"<super: <class {self._cls.__name__!r}>, <{type(self._obj).__name__} object>>"


SuperProxy.__name__ = SuperProxy.__qualname__ = "super"


def _after(cls: type, obj: Any) -> tuple[type, ...]:
    owner = obj if isinstance(obj, type) else type(obj)
    mro = owner.__mro__
    return mro[mro.index(cls) + 1 :]


def super_of(g: Guards, cls: Any, obj: Any) -> SuperProxy:
    """``super(cls, obj)``: ``cls`` must be the Action's class, ``obj`` an object or subclass."""
    if type(cls) is not type or cls not in g._classes:
        g.forbid("super() reaches only the Action's own classes")
    owner = obj if isinstance(obj, type) else type(obj)
    if cls not in owner.__mro__:
        raise TypeError("super(type, obj): obj must be an instance or subtype of type")
    return SuperProxy(cls, obj)


def super_attribute(g: Guards, proxy: SuperProxy, name: str) -> Any:
    """``super().name`` (the attribute guard's handler for :class:`SuperProxy`)."""
    cls, obj = proxy._cls, proxy._obj
    for base in _after(cls, obj):
        if name not in base.__dict__:
            continue
        if base in g._classes:
            return getattr(super(cls, obj), name)
        if isinstance(obj, type):
            from contextmfa.sandbox.lookup import class_attribute  # lookup.py dispatches here

            return class_attribute(g, base, name)
        if issubclass(base, GUARDED_BASES):
            instance, classwide = tables_for(base)
            fn = instance.get(name)
            if fn is not None:
                return BoundGuard(fn, g, obj)
            fn = classwide.get(name)
            if fn is not None:
                return BoundGuard(fn, g, base)
        allowed = instance_attributes(base)
        if allowed is None or name not in allowed:
            g.forbid(f"{base.__name__}.{name} is not available in Actions")
        return getattr(super(cls, obj), name)
    raise AttributeError(f"'super' object has no attribute {name!r}")


# -- __init__ of a host base ---------------------------------------------------------------------


def _list_init(g: Guards, obj: list[Any], iterable: Any = ()) -> None:
    list.__init__(obj, g.materialize(iterable))


def _dict_init(g: Guards, obj: dict[Any, Any], *args: Any, **kwargs: Any) -> None:
    built = safe_type(g, "dict")(*args, **kwargs)
    g.meter.check_seq(len(obj) + len(built))
    dict.update(obj, built)


def _set_init(g: Guards, obj: set[Any], iterable: Any = ()) -> None:
    set.__init__(obj, g.hashable(g.materialize(iterable)))


_GUARDED_INITS: dict[type, Callable[..., None]] = {
    list: renamed(_list_init, "__init__"),
    dict: renamed(_dict_init, "__init__"),
    set: renamed(_set_init, "__init__"),
}


@cache
def _host_init(base: type) -> Callable[..., None]:
    def init(g: Guards, obj: Any, *args: Any, **kwargs: Any) -> None:
        base.__init__(obj, *args, **kwargs)

    return renamed(init, "__init__")


def super_init(g: Guards, cls: Any, obj: Any) -> Any:
    """``super().__init__``: the next ``__init__`` after ``cls``, bound to ``obj``."""
    super_of(g, cls, obj)
    if isinstance(obj, type):
        g.forbid("super().__init__ is available in a method of an instance")
    for base in _after(cls, obj):
        if "__init__" not in base.__dict__:
            continue
        if base in g._classes:
            return super(cls, obj).__init__
        guarded = _GUARDED_INITS.get(base)
        if guarded is not None:
            return BoundGuard(guarded, g, obj)
        if base is object or base in known_classes():
            return BoundGuard(_host_init(base), g, obj)
        break
    g.forbid("super().__init__ of this base class is not available in Actions")
