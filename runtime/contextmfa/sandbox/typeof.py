"""``type(x)`` for Actions: a class to compare and to print, never the metaclass machinery.

``type(x) is dict``, ``type(x) in (int, float)``, ``print(type(x))`` and ``type(x).__name__``
(rewritten by the policy to ``_typename_(x)``) work as in Python; ``type(name, bases, dict)``
does not exist (a class statement makes a class). What ``type(x)`` hands back is something the
Action could already name, so it opens no new way in:

- for values of the sandbox's guarded types, event views included, the run's own ``list``,
  ``dict``, ``str``, ... (safe_builtins.py): calling it is the guarded constructor, never the
  host type;
- the Action's own classes, and the host classes an Action can name anyway (``float``,
  ``bool``, exceptions, ``datetime``, the IP address classes), whose attributes the class
  allowlists guard;
- for any class, the run's ``type`` itself (this builtin);
- for every other host object (functions, generators, modules, iterators, ``api`` objects,
  ...), an :class:`OpaqueType`: it prints like the class (``<class 'generator'>``), compares by
  identity, answers ``isinstance``, and has no attribute and no constructor.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

from contextmfa.sandbox.attributes import known_classes
from contextmfa.sandbox.callables import BoundGuard, GuardedCall, UnboundGuard
from contextmfa.sandbox.event_view import EventView, ListView, RecordView, SecretsView
from contextmfa.sandbox.modules import BoundModule
from contextmfa.sandbox.safe_builtins import (
    STAND_INS,
    TYPE_NAMES,
    SafeType,
    real_type,
    safe_type,
)

if TYPE_CHECKING:
    from contextmfa.sandbox.guards import Guards

_SAFE_NAMES: dict[type, str] = {
    **{getattr(builtins, name): name for name in TYPE_NAMES},
    RecordView: "dict",
    EventView: "dict",
    SecretsView: "dict",
    ListView: "list",
}
"""Types whose ``type(x)`` is the run's guarded constructor of that name."""

_SHOWN_AS: dict[type, str] = {
    GuardedCall: "builtin_function_or_method",
    BoundGuard: "builtin_function_or_method",
    UnboundGuard: "method_descriptor",
    BoundModule: "module",
}
"""How the sandbox's stand-ins for host functions and modules print, as Python's would."""


class OpaqueType:
    """``type(x)`` of a host object the Action may hold but whose class it may not use."""

    __slots__ = ("_name", "_type")

    def __init__(self, real: type, name: str) -> None:
        self._type = real
        self._name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"cannot create {self._name!r} objects in Actions")

    def __instancecheck__(self, obj: Any) -> bool:
        return type(obj) is self._type

    def __subclasscheck__(self, cls: Any) -> bool:
        return cls is self or cls is self._type

    def __repr__(self) -> str:
        return f"<class {self._name!r}>"


_OPAQUE: dict[type, OpaqueType] = {}
"""One stand-in per host class, shared by every run: it holds nothing that a run could change."""


def _opaque(kind: type) -> OpaqueType:
    found = _OPAQUE.get(kind)
    if found is None:
        found = _OPAQUE[kind] = OpaqueType(kind, _SHOWN_AS.get(kind, kind.__name__))
    return found


class TypeOf:
    """The ``type`` builtin of one run: one argument only."""

    __slots__ = ("_g",)
    _type = type

    def __init__(self, g: Guards) -> None:
        self._g = g

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if len(args) != 1 or kwargs:
            raise TypeError(
                "type() takes exactly one argument in Actions: type(x); "
                "to make a class, write a class statement instead"
            )
        return type_of(self._g, args[0])

    def __instancecheck__(self, obj: Any) -> bool:
        return isinstance(obj, _CLASS_LIKE)

    def __subclasscheck__(self, cls: Any) -> bool:
        if type(cls) in STAND_INS:
            cls = cls._type
        return isinstance(cls, type) and issubclass(cls, type)

    def __repr__(self) -> str:
        return "<class 'type'>"


def type_builtin(g: Guards) -> TypeOf:
    """The run's ``type``: one object per run, so ``type(int) is type`` holds."""
    found = g.types.get("type")
    if found is None:
        found = g.types["type"] = TypeOf(g)
    return found  # type: ignore[no-any-return]


_CLASS_LIKE = (type, SafeType, OpaqueType, TypeOf)


def type_of(g: Guards, obj: Any) -> Any:
    """What ``type(obj)`` is in the Action (module docstring)."""
    kind = type(obj)
    name = _SAFE_NAMES.get(kind)
    if name is not None:
        return safe_type(g, name)
    if kind in g._classes or (kind in known_classes() and kind is not type):
        return kind
    if isinstance(obj, _CLASS_LIKE):
        return type_builtin(g)
    return _opaque(kind)


def type_name(g: Guards, obj: Any) -> str:
    """``type(obj).__name__``."""
    shown = type_of(g, obj)
    if isinstance(shown, SafeType):
        return real_type(shown).__name__
    if isinstance(shown, OpaqueType):
        return shown._name
    if isinstance(shown, TypeOf):
        return "type"
    return str(shown.__name__)


STAND_INS.update((OpaqueType, TypeOf))
