"""How the attribute guard resolves ``obj.name`` once the name itself is allowed.

By the object's exact type first (a registry, STYLE.md #4): event views, modules, regex patterns
and matches, classes, and the built-in types whose methods have guarded versions (methods.py).
Objects of the Action's own classes come next: what the Action defined on them is theirs to
read, anything else is looked up on their first host base under that base's allowlist. Every
other host object goes through the allowlists of attributes.py, deny by default. Guarded
methods are handed out bound to the run (callables.py), never as the host's bound methods.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contextmfa.sandbox import regexes
from contextmfa.sandbox.attributes import class_attributes, instance_attributes
from contextmfa.sandbox.callables import BoundGuard, UnboundGuard, renamed
from contextmfa.sandbox.event_view import (
    EventView,
    ListView,
    ReadOnlyError,
    RecordView,
    SecretsView,
    plain_copy,
    unwrap,
    view_attribute,
)
from contextmfa.sandbox.methods import (
    ARGUMENT_SIZED,
    GUARDED_BASES,
    INSTANCE_METHODS,
    SMALL_TEXT,
    tables_for,
)
from contextmfa.sandbox.modules import BoundModule
from contextmfa.sandbox.safe_builtins import SafeType, real_type
from contextmfa.sandbox.supers import SuperProxy, super_attribute
from contextmfa.sandbox.typeof import OpaqueType, TypeOf

if TYPE_CHECKING:
    from contextmfa.sandbox.guards import Guards

SEALED_CLASSES = (regexes.Pattern, regexes.Match)
"""Classes whose instances have an allowlist: their unbound methods would bypass it."""


# -- attribute handlers, by the object's exact type ----------------------------------------------


def _copy_view(g: Guards, view: Any) -> Any:
    return plain_copy(unwrap(view), g.meter.made_items)


renamed(_copy_view, "copy")


def _view(g: Guards, view: Any, name: str) -> Any:
    if name == "copy":  # a deep copy the Action owns, paid for by its size
        return BoundGuard(_copy_view, g, view)
    try:
        return view_attribute(view, name)
    except ReadOnlyError as exc:
        g.forbid(str(exc))
    except AttributeError:
        from contextmfa.sandbox.surface import run_time_message  # only on this error path

        kind = type(view)
        message = run_time_message(
            unwrap(view), name, root=kind is EventView, secrets=kind is SecretsView
        )
        raise AttributeError(message) from None


def _method_attribute(g: Guards, obj: Any, name: str) -> Any:
    instance, classwide = tables_for(type(obj))
    fn = instance.get(name)
    if fn is not None:
        return BoundGuard(fn, g, obj)
    fn = classwide.get(name)
    if fn is not None:
        return BoundGuard(fn, g, type(obj))
    return getattr(obj, name)


def _text_attribute(g: Guards, text: str | bytes, name: str) -> Any:
    if len(text) <= SMALL_TEXT and name not in ARGUMENT_SIZED:
        return getattr(text, name)  # the common case: "NL".lower(), email.split("@")
    return _method_attribute(g, text, name)


def host_attribute(g: Guards, obj: Any, kind: type, name: str) -> Any:
    """Any other host object: guarded methods of its base, then its type's allowlist."""
    allowed = instance_attributes(kind)
    if allowed is None:
        if isinstance(obj, GUARDED_BASES):  # bool, and other host subclasses of guarded types
            allowed = instance_attributes(_guarded_base(kind))
        if allowed is None:
            g.forbid(f"attributes of {kind.__name__!r} objects are not available in Actions")
    if name not in allowed:
        if hasattr(kind, name) or name in getattr(obj, "__dict__", ()):
            g.forbid(f"{kind.__name__}.{name} is not available in Actions")
        raise AttributeError(f"{kind.__name__!r} object has no attribute {name!r}")
    if isinstance(obj, GUARDED_BASES):
        return _method_attribute(g, obj, name)
    return getattr(obj, name)


def _guarded_base(cls: type) -> type:
    return next(base for base in cls.__mro__ if base in INSTANCE_METHODS)


# -- the Action's own classes and their instances ------------------------------------------------


def _defined_by_action(g: Guards, cls: type, name: str) -> type | None:
    """None when an Action class along ``cls``'s bases defines ``name``; else the first host
    base, whose allowlist applies."""
    for base in cls.__mro__:
        if base not in g._classes:
            return base
        if name in base.__dict__:
            return None
    return object


def own_attribute(g: Guards, obj: Any, name: str) -> Any:
    """An attribute of an instance of the Action's class: what the Action set or defined, else
    what its host base allows."""
    cls = type(obj)
    if name in getattr(obj, "__dict__", ()):
        return getattr(obj, name)
    base = _defined_by_action(g, cls, name)
    if base is None:
        return getattr(obj, name)
    if base is object:
        raise AttributeError(f"{cls.__name__!r} object has no attribute {name!r}")
    return host_attribute(g, obj, base, name)


def class_attribute(g: Guards, cls: type, name: str) -> Any:
    base = cls
    if cls in g._classes:
        base = _defined_by_action(g, cls, name)
        if base is None:
            return getattr(cls, name)
        if base is object:
            raise AttributeError(f"type object {cls.__name__!r} has no attribute {name!r}")
    if issubclass(base, SEALED_CLASSES):
        g.forbid(f"{base.__name__}.{name} is not available in Actions (use an instance)")
    allowed = class_attributes(base)
    if allowed is None:
        g.forbid(f"attributes of class {base.__name__!r} are not available in Actions")
    if issubclass(cls, GUARDED_BASES):
        instance, classwide = tables_for(cls)
        fn = classwide.get(name)
        if fn is not None:
            return BoundGuard(fn, g, cls)
        fn = instance.get(name)
        if fn is not None:
            return UnboundGuard(fn, g, _guarded_base(cls), name)
    if name not in allowed:
        if hasattr(base, name):
            g.forbid(f"{base.__name__}.{name} is not available in Actions")
        raise AttributeError(f"type object {base.__name__!r} has no attribute {name!r}")
    return getattr(cls, name)


def _safe_type(g: Guards, safe: SafeType, name: str) -> Any:
    return class_attribute(g, real_type(safe), name)


def _stand_in(g: Guards, cls: OpaqueType | TypeOf, name: str) -> Any:
    shown = "type" if isinstance(cls, TypeOf) else cls._name
    g.forbid(f"{shown}.{name} is not available in Actions")


def _module(g: Guards, module: BoundModule, name: str) -> Any:
    return getattr(module, name)


HANDLERS: dict[type, Callable[[Guards, Any, str], Any]] = {
    RecordView: _view,
    EventView: _view,
    SecretsView: _view,
    ListView: _view,
    type: class_attribute,
    SafeType: _safe_type,
    OpaqueType: _stand_in,
    TypeOf: _stand_in,
    SuperProxy: super_attribute,
    BoundModule: _module,
    regexes.Pattern: regexes.pattern_attribute,
    regexes.Match: regexes.match_attribute,
}
HANDLERS.update({cls: _method_attribute for cls in GUARDED_BASES})
HANDLERS.update({str: _text_attribute, bytes: _text_attribute})
