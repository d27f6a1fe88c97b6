"""The builtins an Action can name, and the per-run versions of those that build or walk.

Static builtins (``len``, ``abs``, ``isinstance``, exceptions, ...) are shared by every run.
Builtins that build a collection or text, or walk an iterable in C (``list``, ``str``,
``sorted``, ``sum``, ``map``, ...), are bound to the run so they can charge steps and check
sizes. The type names among them (``list``, ``dict``, ``str``, ...) are :class:`SafeType`
objects: callable like the type, and still usable with ``isinstance``, ``issubclass`` and as a
base class; ``type(x)`` returns them (typeof.py), so ``type(x) is dict`` holds, and
``issubclass`` sees through them. ``hash`` is the tenant-keyed stable hash of stable.py, so
replays agree. Absent on purpose (each refusal names the alternative, refusals.py): ``object``,
``super`` (but for ``super()`` in a method, which the policy rewrites),
``getattr``/``setattr``/``hasattr``/``delattr``, ``vars``, ``dir``, ``globals``, ``locals``,
``eval``, ``exec``, ``compile``, ``open``, ``input``, ``iter``, ``id``, ``breakpoint``,
``help``, ``memoryview``, ``bytearray``, ``BaseException`` and the process-control exceptions.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contextmfa.errors import ActionLimitExceeded
from contextmfa.sandbox.callables import GuardedCall, renamed
from contextmfa.sandbox.formatting import bounded_text, safe_format
from contextmfa.sandbox.modules import safe_import
from contextmfa.sandbox.stable import TooDeep, stable_hash

if TYPE_CHECKING:
    from contextmfa.sandbox.guards import Guards

_STATIC_NAMES = [
    "abs",
    "bin",
    "bool",
    "callable",
    "chr",
    "classmethod",
    "complex",
    "divmod",
    "float",
    "hex",
    "isinstance",
    "len",
    "next",
    "oct",
    "ord",
    "property",
    "range",
    "slice",
    "staticmethod",
    "__build_class__",
]
_EXCEPTIONS = [
    "Exception",
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "ImportError",
    "IndexError",
    "KeyError",
    "LookupError",
    "NameError",
    "NotImplementedError",
    "OverflowError",
    "RecursionError",
    "RuntimeError",
    "StopIteration",
    "TypeError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "UnicodeError",
    "ValueError",
    "ZeroDivisionError",
]

_CONSTANTS = ["Ellipsis", "NotImplemented"]

STATIC_BUILTINS: dict[str, Any] = {name: getattr(builtins, name) for name in _STATIC_NAMES}
STATIC_BUILTINS.update({name: getattr(builtins, name) for name in _CONSTANTS})
STATIC_BUILTINS.update({name: getattr(builtins, name) for name in _EXCEPTIONS})
STATIC_BUILTINS["__import__"] = safe_import


class SafeType:
    """A builtin type name whose calls are guarded; ``isinstance``/subclassing see the type."""

    __slots__ = ("_g", "_make", "_type")

    def __init__(self, real: type, make: Callable[..., Any], g: Guards) -> None:
        self._type = real
        self._make = make
        self._g = g

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._make(self._g, *args, **kwargs)

    def __instancecheck__(self, obj: Any) -> bool:
        return isinstance(obj, self._type)

    def __subclasscheck__(self, cls: Any) -> bool:
        if type(cls) in STAND_INS:
            cls = cls._type
        return issubclass(cls, self._type)

    def __mro_entries__(self, bases: tuple[Any, ...]) -> tuple[type]:
        return (self._type,)

    def __repr__(self) -> str:
        return f"<class {self._type.__name__!r}>"


def real_type(safe: SafeType) -> type:
    return safe._type


def safe_type(g: Guards, name: str) -> SafeType:
    """The run's guarded type ``name`` (one of ``TYPE_NAMES``): one object per run, so what
    ``type(x)`` returns is the very ``dict`` or ``list`` the Action names."""
    found = g.types.get(name)
    if found is None:
        real, make = _TYPES[name]
        found = g.types[name] = SafeType(real, make, g)
    return found  # type: ignore[no-any-return]


STAND_INS: set[type] = {SafeType}
"""Classes whose objects stand for a host class held in their ``_type`` (typeof.py adds its own)."""


def _issubclass(cls: Any, classinfo: Any, /) -> bool:
    """``issubclass``, also for what ``type(x)`` returns (the run's ``int``, ``type``, ...)."""
    if type(cls) in STAND_INS:
        cls = cls._type
    return issubclass(cls, classinfo)


STATIC_BUILTINS["issubclass"] = renamed(_issubclass, "issubclass")


# -- constructors ----------------------------------------------------------------------------


def _list(g: Guards, iterable: Any = ()) -> list[Any]:
    return list(g.materialize(iterable))


def _tuple(g: Guards, iterable: Any = ()) -> tuple[Any, ...]:
    return tuple(g.materialize(iterable))


def _set(g: Guards, iterable: Any = ()) -> set[Any]:
    return set(g.hashable(g.materialize(iterable)))


def _frozenset(g: Guards, iterable: Any = ()) -> frozenset[Any]:
    return frozenset(g.hashable(g.materialize(iterable)))


def _dict(g: Guards, *args: Any, **kwargs: Any) -> dict[Any, Any]:
    if len(args) > 1:
        raise TypeError(f"dict expected at most 1 argument, got {len(args)}")
    result: dict[Any, Any] = {}
    if args:
        source = args[0]
        if isinstance(source, dict) or hasattr(source, "keys"):
            g.meter.check_seq(len(source))
            g.meter.charge(len(source))
            result = dict(source)
        else:
            result = dict(g.hashable(g.materialize(source), pairs=True))
    g.meter.check_seq(len(result) + len(kwargs))
    result.update(kwargs)
    return result


def _bytes(g: Guards, source: Any = b"", *args: Any) -> bytes:
    if isinstance(source, int) and not args:
        g.meter.made_text(max(source, 0))
        return bytes(source)
    if isinstance(source, (str, bytes)) or args:
        result = bytes(source, *args)
    else:
        result = bytes(g.materialize(source))
    g.meter.made_text(len(result))
    return result


def _int(g: Guards, value: Any = 0, *args: Any) -> int:
    result = int(value, *args)
    g.meter.made_int(result.bit_length())
    return result


def _str(g: Guards, obj: Any = "", *args: Any, **kwargs: Any) -> str:
    if type(obj) is str and not args and not kwargs:
        return obj  # bounded_text's first case, without the call
    if args or kwargs:
        return str(obj, *args, **kwargs)  # decoding bytes: no longer than its input
    return bounded_text(g, obj)


# -- functions --------------------------------------------------------------------------------


def _repr(g: Guards, obj: Any) -> str:
    return bounded_text(g, obj, repr)


def _ascii(g: Guards, obj: Any) -> str:
    return bounded_text(g, obj, ascii)


def _hash(g: Guards, value: Any) -> int:
    """The same for the same value in every process: keyed by the tenant (stable.py)."""
    if isinstance(value, (str, bytes)):
        g.meter.charge(len(value) >> 6)
    try:
        return stable_hash(value, g.scope[0])
    except TooDeep as exc:
        g.meter.trip(ActionLimitExceeded, str(exc))


def _sorted(g: Guards, iterable: Any, *, key: Any = None, reverse: bool = False) -> list[Any]:
    items = list(g.materialize(iterable))
    g.meter.charge(len(items))
    items.sort(key=key, reverse=reverse)
    return items


def _sum(g: Guards, iterable: Any, /, start: Any = 0) -> Any:
    if isinstance(start, (list, tuple)):
        total = start
        for item in g.iterate(iterable):
            total = g.add(total, item)
        return total
    return sum(g.iterate(iterable), start)


def _min(g: Guards, *args: Any, **kwargs: Any) -> Any:
    return min(g.iterate(args[0]), **kwargs) if len(args) == 1 else min(*args, **kwargs)


def _max(g: Guards, *args: Any, **kwargs: Any) -> Any:
    return max(g.iterate(args[0]), **kwargs) if len(args) == 1 else max(*args, **kwargs)


def _any(g: Guards, iterable: Any) -> bool:
    return any(g.iterate(iterable))


def _all(g: Guards, iterable: Any) -> bool:
    return all(g.iterate(iterable))


def _map(g: Guards, function: Any, *iterables: Any) -> Any:
    return map(function, *[g.iterate(i) for i in iterables])


def _filter(g: Guards, function: Any, iterable: Any) -> Any:
    return filter(function, g.iterate(iterable))


def _zip(g: Guards, *iterables: Any, strict: bool = False) -> Any:
    return zip(*[g.iterate(i) for i in iterables], strict=strict)


def _enumerate(g: Guards, iterable: Any, start: int = 0) -> Any:
    return enumerate(g.iterate(iterable), start)


def _reversed(g: Guards, sequence: Any) -> Any:
    return g.counted(reversed(sequence))


MAX_MODPOW_BITS = 1 << 21
"""Exponent bits times modulus bits for ``pow(b, e, m)``: about 10 ms of C with no step hook
(a 2048-bit RSA verification, e = 65537, costs 35,000; ``pow(3, 2**4000, 2**4000 + 1)``, at
16 million, takes 0.2 s)."""


def _pow(g: Guards, base: Any, exp: Any, mod: Any = None) -> Any:
    if mod is None:
        return g.pow(base, exp)
    if isinstance(exp, int) and isinstance(mod, int) and exp > 0:
        cost = exp.bit_length() * max(mod.bit_length(), 64)
        if cost > MAX_MODPOW_BITS:
            g.meter.trip(ActionLimitExceeded, "pow(): exponent and modulus too large")
        g.meter.charge(cost >> 12)
    return pow(base, exp, mod)


def _round(g: Guards, number: Any, ndigits: Any = None) -> Any:
    if isinstance(number, int) and isinstance(ndigits, int) and ndigits < 0:
        g.meter.check_int_bits(-ndigits * 10 // 3)  # int rounding computes 10 ** -ndigits
    return round(number, ndigits)


_TYPES: dict[str, tuple[type, Callable[..., Any]]] = {
    "list": (list, _list),
    "tuple": (tuple, _tuple),
    "set": (set, _set),
    "frozenset": (frozenset, _frozenset),
    "dict": (dict, _dict),
    "str": (str, _str),
    "bytes": (bytes, _bytes),
    "int": (int, _int),
}
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "repr": _repr,
    "ascii": _ascii,
    "hash": _hash,
    "format": safe_format,
    "sorted": _sorted,
    "sum": _sum,
    "min": _min,
    "max": _max,
    "any": _any,
    "all": _all,
    "map": _map,
    "filter": _filter,
    "zip": _zip,
    "enumerate": _enumerate,
    "reversed": _reversed,
    "pow": _pow,
    "round": _round,
}
for _name, (_, _make) in _TYPES.items():
    renamed(_make, _name)
for _name, _fn in _FUNCTIONS.items():
    renamed(_fn, _name)
TYPE_NAMES = frozenset(_TYPES)
RUN_BUILTIN_NAMES = TYPE_NAMES | frozenset(_FUNCTIONS) | {"type"}
ALL_BUILTIN_NAMES = frozenset(STATIC_BUILTINS) | RUN_BUILTIN_NAMES


def bind_builtin(name: str, g: Guards) -> Any:
    """The run's version of builtin ``name`` (one of ``RUN_BUILTIN_NAMES``)."""
    found = _TYPES.get(name)
    if found is not None:  # bound once per run, before any code runs: nothing to look up
        safe = g.types[name] = SafeType(found[0], found[1], g)
        return safe
    if name == "type":
        from contextmfa.sandbox.typeof import type_builtin  # typeof.py builds on this module

        return type_builtin(g)
    return GuardedCall(_FUNCTIONS[name], g, name)
