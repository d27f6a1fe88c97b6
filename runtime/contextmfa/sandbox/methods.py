"""Guarded methods of built-in and standard-library types, looked up by the attribute guard.

Most methods are harmless and returned as they are. The ones here could build an unbounded value
in one C call (``"".join``, ``ljust``, ``replace``, ``list.extend``, ``dict.fromkeys``,
``int.to_bytes``, ...), walk a host generator that no step hook sees (``IPv4Network.hosts()``),
or read the host's clock or time zone (``datetime.now``); each is replaced by a function that
checks first. A registry, not a chain of ifs: ``INSTANCE_METHODS`` maps a type to
``{name: fn(g, obj, *args)}`` and ``CLASS_METHODS`` to ``{name: fn(g, cls, *args)}``;
subclasses inherit their bases' entries, so ``class S(str)`` gets no unguarded ``ljust``, and a
guard calls the built-in type's own methods (``str.count(text, old)``, :func:`base_of`), never
the object's: a subclass of the Action's could override ``count`` to lie to a size check.
Patterns and matches of the Action's ``re`` have their own allowlists (regexes.py).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from contextmfa.sandbox import clock
from contextmfa.sandbox.event_view import RecordView
from contextmfa.sandbox.formatting import STRFTIME_GROWTH, str_format, str_format_map

if TYPE_CHECKING:
    from contextmfa.sandbox.guards import Guards

Method = Callable[..., Any]

# -- str and bytes ----------------------------------------------------------------------------


def base_of(obj: Any) -> type:
    """The built-in type whose methods the guards call on ``obj``: never a method of the
    Action's subclass, whose overrides (``count``, ``encode``, ``items``, ...) could lie to a
    size check."""
    kind = type(obj)
    if kind in INSTANCE_METHODS:
        return kind
    return next(base for base in kind.__mro__ if base in INSTANCE_METHODS)


def _join(g: Guards, sep: Any, iterable: Any) -> Any:
    items = g.materialize(iterable)
    total = len(sep) * max(len(items) - 1, 0)
    for item in items:
        if isinstance(item, (str, bytes)):
            total += len(item)
    g.meter.made_text(total)
    return base_of(sep).join(sep, items)


def _padded(name: str) -> Method:
    def pad(g: Guards, text: Any, width: int, *fill: Any) -> Any:
        g.meter.made_text(width)
        return getattr(base_of(text), name)(text, width, *fill)

    pad.__name__ = name
    return pad


def _zfill(g: Guards, text: Any, width: int) -> Any:
    g.meter.made_text(width)
    return base_of(text).zfill(text, width)


def _expandtabs(g: Guards, text: Any, tabsize: int = 8) -> Any:
    base = base_of(text)
    tab = "\t" if base is str else b"\t"
    g.meter.made_text(len(text) + base.count(text, tab) * max(tabsize, 0))
    return base.expandtabs(text, tabsize)


def _replace(g: Guards, text: Any, old: Any, new: Any, count: int = -1) -> Any:
    base = base_of(text)
    hits = base.count(text, old) if old else len(text) + 1
    if count >= 0:
        hits = min(hits, count)
    g.meter.made_text(len(text) + hits * (len(new) - len(old)))
    return base.replace(text, old, new, count)


def _translate(g: Guards, text: Any, table: Any, *delete: Any) -> Any:
    base = base_of(text)
    if base is str:
        if isinstance(table, RecordView):
            values: Any = table.values()
        elif isinstance(table, dict):
            values = dict.values(table)
        elif isinstance(table, (list, tuple, str)):
            values = table
        else:
            raise TypeError("str.translate() takes a dict, list, tuple or str table in Actions")
        g.meter.charge(len(values))
        widest = max((len(v) for v in values if isinstance(v, (str, bytes))), default=1)
        g.meter.made_text(len(text) * max(widest, 1))
    return base.translate(text, table, *delete)


def _maketrans(g: Guards, cls: Any, *args: Any) -> Any:
    base = cls if isinstance(cls, type) else base_of(cls)
    g.meter.made_items(sum(len(a) for a in args if isinstance(a, (str, bytes, dict))))
    return base.maketrans(*args)


def _splitter(name: str) -> Method:
    def split(g: Guards, text: Any, *args: Any, **kwargs: Any) -> Any:
        parts = getattr(base_of(text), name)(text, *args, **kwargs)
        g.meter.made_items(len(parts))
        return parts

    split.__name__ = name
    return split


def _charged(name: str) -> Method:
    """Any other str/bytes method: its result is a new value, paid for by its size."""

    def method(g: Guards, text: Any, *args: Any, **kwargs: Any) -> Any:
        result = getattr(base_of(text), name)(text, *args, **kwargs)
        kind = type(result)
        if kind is str or kind is bytes:
            g.meter.charge(len(result) >> 6)
        elif kind is list or kind is tuple:
            g.meter.charge(len(result))
        return result

    method.__name__ = name
    return method


def _fromhex(g: Guards, cls: Any, text: Any) -> Any:
    base = cls if isinstance(cls, type) else base_of(cls)
    if isinstance(text, str):
        g.meter.made_text(len(text) // 2)
    return base.fromhex(text)


_CLASS_WIDE = frozenset({"maketrans", "fromhex"})
"""str/bytes methods called on the class (``bytes.fromhex("00ff")``), not on a text."""


def _all_methods(cls: type) -> dict[str, Method]:
    return {
        n: _charged(n)
        for n in dir(cls)
        if not n.startswith("_") and callable(getattr(cls, n)) and n not in _CLASS_WIDE
    }


_TEXT = {
    "join": _join,
    "ljust": _padded("ljust"),
    "rjust": _padded("rjust"),
    "center": _padded("center"),
    "zfill": _zfill,
    "expandtabs": _expandtabs,
    "replace": _replace,
    "translate": _translate,
    "split": _splitter("split"),
    "rsplit": _splitter("rsplit"),
    "splitlines": _splitter("splitlines"),
    "maketrans": _maketrans,
}
ARGUMENT_SIZED = frozenset(
    ("join", "ljust", "rjust", "center", "zfill", "expandtabs", "replace", "translate", "format")
) | {"format_map", "maketrans"}
"""str/bytes methods whose result size depends on their arguments, not only on the text."""
SMALL_TEXT = 64
"""Other methods of a text this short make results too small to be worth billing."""

_BYTES = {**_all_methods(bytes), **_TEXT}
_STR = {**_all_methods(str), **_TEXT, "format": str_format, "format_map": str_format_map}

# -- int ------------------------------------------------------------------------------------


def _to_bytes(g: Guards, number: int, length: int = 1, *args: Any, **kwargs: Any) -> bytes:
    g.meter.made_text(length)
    return int.to_bytes(number, length, *args, **kwargs)


def _from_bytes(g: Guards, cls: type[int], data: Any, *args: Any, **kwargs: Any) -> int:
    if not isinstance(data, bytes):
        data = bytes(g.materialize(data))
    g.meter.made_int(len(data) * 8)
    return cls.from_bytes(data, *args, **kwargs)


# -- list, dict, set --------------------------------------------------------------------------


def _append(g: Guards, items: list[Any], value: Any) -> None:
    g.meter.check_seq(len(items) + 1)
    list.append(items, value)


def _insert(g: Guards, items: list[Any], index: int, value: Any) -> None:
    g.meter.check_seq(len(items) + 1)
    list.insert(items, index, value)


def _extend(g: Guards, items: list[Any], iterable: Any) -> None:
    more = g.materialize(iterable)
    g.meter.check_seq(len(items) + len(more))
    list.extend(items, more)


def _sort(g: Guards, items: list[Any], *, key: Any = None, reverse: bool = False) -> None:
    g.meter.charge(len(items))
    list.sort(items, key=key, reverse=reverse)


def _copy(g: Guards, items: Any) -> Any:
    g.meter.made_items(len(items))
    return base_of(items).copy(items)


def _dict_update(g: Guards, target: dict[Any, Any], *args: Any, **kwargs: Any) -> None:
    if args:
        source = args[0]
        if isinstance(source, RecordView):  # a dict to isinstance; its values stay read-only
            pairs: Any = source.items()
        elif isinstance(source, dict):
            pairs = dict.items(source)
        else:
            pairs = source.items() if hasattr(source, "keys") else source
        dict.update(target, g.hashable(g.materialize(pairs), pairs=True), *args[1:])
    g.meter.check_seq(len(target) + len(kwargs))
    dict.update(target, kwargs)
    g.meter.check_seq(len(target))


def _setdefault(g: Guards, target: dict[Any, Any], key: Any, default: Any = None) -> Any:
    g.meter.check_seq(len(target) + 1)
    return dict.setdefault(target, key, default)


def _fromkeys(g: Guards, cls: type[dict[Any, Any]], iterable: Any, value: Any = None) -> Any:
    return cls.fromkeys(g.hashable(g.materialize(iterable)), value)


def _set_add(g: Guards, target: set[Any], value: Any) -> None:
    g.meter.check_seq(len(target) + 1)
    set.add(target, value)


def _set_op(name: str, grows: bool) -> Method:
    def op(g: Guards, target: Any, *others: Any) -> Any:
        base = base_of(target)
        result = getattr(base, name)(target, *[g.hashable(g.materialize(o)) for o in others])
        if grows:
            g.meter.made_items(len(result if result is not None else target))
        return result

    op.__name__ = name
    return op


_FROZENSET_OPS = {
    "union": True,
    "intersection": False,
    "difference": False,
    "symmetric_difference": True,
    "issubset": False,
    "issuperset": False,
    "isdisjoint": False,
}
_SET_OPS = {
    **_FROZENSET_OPS,
    "update": True,
    "intersection_update": False,
    "difference_update": False,
    "symmetric_difference_update": True,
}

# -- ipaddress --------------------------------------------------------------------------------


def _counted(name: str) -> Method:
    def walk(g: Guards, network: Any, *args: Any, **kwargs: Any) -> Any:
        return g.counted(getattr(base_of(network), name)(network, *args, **kwargs))

    walk.__name__ = name
    return walk


_NETWORK = {name: _counted(name) for name in ("hosts", "subnets", "address_exclude")}

# -- datetime ---------------------------------------------------------------------------------


def _strftime(g: Guards, value: Any, fmt: Any) -> str:
    if isinstance(fmt, str):
        g.meter.check_str(len(fmt) * STRFTIME_GROWTH)
    text = base_of(value).strftime(value, fmt)
    g.meter.made_text(len(text))
    return text


# -- the registry -----------------------------------------------------------------------------

INSTANCE_METHODS: dict[type, dict[str, Method]] = {
    int: {"to_bytes": _to_bytes},
    str: _STR,
    bytes: _BYTES,
    list: {"append": _append, "insert": _insert, "extend": _extend, "sort": _sort, "copy": _copy},
    dict: {"update": _dict_update, "setdefault": _setdefault, "copy": _copy},
    set: {
        "add": _set_add,
        "copy": _copy,
        **{n: _set_op(n, grows) for n, grows in _SET_OPS.items()},
    },
    frozenset: {"copy": _copy, **{n: _set_op(n, grows) for n, grows in _FROZENSET_OPS.items()}},
    ipaddress.IPv4Network: _NETWORK,
    ipaddress.IPv6Network: _NETWORK,
    date: {"strftime": _strftime},
    time: {"strftime": _strftime},
    datetime: clock.DATETIME_METHODS,
}
CLASS_METHODS: dict[type, dict[str, Method]] = {
    int: {"from_bytes": _from_bytes},
    str: {"maketrans": _maketrans},
    bytes: {"maketrans": _maketrans, "fromhex": _fromhex},
    dict: {"fromkeys": _fromkeys},
    date: clock.DATE_CLASS_METHODS,
    datetime: clock.DATETIME_CLASS_METHODS,
}
GUARDED_BASES: tuple[type, ...] = tuple(INSTANCE_METHODS)


Tables = tuple[dict[str, Method], dict[str, Method]]


def _merged(cls: type) -> Tables:
    instance: dict[str, Method] = {}
    classwide: dict[str, Method] = {}
    for base in reversed(cls.__mro__):
        instance.update(INSTANCE_METHODS.get(base, {}))
        classwide.update(CLASS_METHODS.get(base, {}))
    return instance, classwide


_EXACT: dict[type, Tables] = {cls: _merged(cls) for cls in GUARDED_BASES}


def tables_for(cls: type) -> Tables:
    """The guarded instance and class methods of ``cls``, inherited along its bases."""
    tables = _EXACT.get(cls)
    return tables if tables is not None else _merged(cls)
