"""The run-time side of ``match``: the structural tests, through the guards.

The policy (match_rewrite.py) turns every ``case`` into a plain condition. Literal, value,
singleton, capture, wildcard, OR and guard parts are ordinary Python there (``==``, ``is``,
assignment); the three structural patterns call these functions, which answer ``None`` for
"no match" or the list of the parts that the sub-patterns then test, as CPython does:

- a sequence pattern matches a list, tuple or range (an event list too), never text; its
  items are read like ``list(x)``: bounded and paid for;
- a mapping pattern matches a dict (an event object too); values are read with its ``get``
  through the attribute guard, and ``**rest`` is a new dict, paid for by its size;
- a class pattern takes the Action's own classes and the classes an Action can name (the
  guarded ``int``, ``str``, ``dict``... and ``float``, ``bool``, exceptions, ``datetime``, ...);
  every attribute it tests is read through the attribute guard, so a host object gives only
  what its allowlist gives, and positional sub-patterns follow ``__match_args__`` of the
  Action's classes only (a host class's is never read). ``int(x)``, ``str(x)`` and the other
  built-in types match the subject itself, as in Python.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contextmfa.sandbox.event_view import RecordView
from contextmfa.sandbox.safe_builtins import STAND_INS

if TYPE_CHECKING:
    from contextmfa.sandbox.guards import Guards

_MISSING = object()
_SEQUENCES = (list, tuple, range)
_MATCH_SELF = (bool, bytes, dict, float, frozenset, int, list, set, str, tuple)
"""Built-in types whose one positional sub-pattern matches the subject itself (and their
subclasses, as in CPython)."""


def match_sequence(g: Guards, subject: Any, count: int, star: int | None) -> list[Any] | None:
    """``[p0, p1, *rest, pn]``: the items, the starred ones gathered in a list at ``star``."""
    if not isinstance(subject, _SEQUENCES):
        return None
    size = len(subject)
    if size != count if star is None else size < count - 1:
        return None
    items = list(g.materialize(subject))
    if star is not None:
        end = len(items) - (count - 1 - star)
        items[star:end] = [items[star:end]]
    return items


def match_mapping(g: Guards, subject: Any, keys: tuple[Any, ...], rest: bool) -> list[Any] | None:
    """``{k0: p0, k1: p1, **rest}``: the values of the keys, then the rest as a new dict."""
    if not isinstance(subject, dict) or len(subject) < len(keys):
        return None
    seen: set[Any] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"mapping pattern checks duplicate key ({key!r})")
        seen.add(key)
    get = g.getattr(subject, "get")
    values = []
    for key in keys:
        value = get(key, _MISSING)
        if value is _MISSING:
            return None
        values.append(value)
    if rest:
        g.meter.made_items(len(subject))
        items = subject.items() if isinstance(subject, RecordView) else dict.items(subject)
        values.append({k: v for k, v in items if k not in seen})
    return values


def match_class(
    g: Guards, subject: Any, cls: Any, positional: int, keywords: tuple[str, ...]
) -> list[Any] | None:
    """``Cls(p0, p1, name=p2)``: the subject (or its attributes) the sub-patterns test."""
    real = _pattern_class(g, cls)
    if not isinstance(subject, cls):
        return None
    names = list(keywords)
    values: list[Any] = []
    if positional:
        match_args = _match_args(g, real)
        if match_args is None and positional == 1 and issubclass(real, _MATCH_SELF):
            values.append(subject)
        else:
            accepted = match_args or ()
            if positional > len(accepted):
                many = "sub-pattern" if len(accepted) == 1 else "sub-patterns"
                raise TypeError(
                    f"{real.__name__}() accepts {len(accepted)} positional {many} "
                    f"({positional} given)"
                )
            names = [*accepted[:positional], *names]
    if len(set(names)) != len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise TypeError(f"{real.__name__}() got multiple sub-patterns for attribute {twice!r}")
    for name in names:
        try:
            values.append(g.getattr(subject, name))
        except AttributeError:
            return None
    return values


def _pattern_class(g: Guards, cls: Any) -> type:
    if type(cls) in STAND_INS:
        return cls._type  # type: ignore[no-any-return]
    if isinstance(cls, type):
        return cls
    raise TypeError("called match pattern must be a type")


def _match_args(g: Guards, cls: type) -> tuple[str, ...] | None:
    """``__match_args__`` as the Action's classes define it; a host class's is never read."""
    for base in cls.__mro__:
        if base not in g._classes:
            return None
        found = base.__dict__.get("__match_args__")
        if found is not None:
            if type(found) is not tuple:
                raise TypeError(
                    f"{cls.__name__}.__match_args__ must be a tuple (got {type(found).__name__})"
                )
            for name in found:
                if type(name) is not str:
                    raise TypeError(
                        f"__match_args__ elements must be strings (got {type(name).__name__})"
                    )
            return found
    return None
