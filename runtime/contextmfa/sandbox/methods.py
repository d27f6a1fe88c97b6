"""Guarded methods of built-in and standard-library types, looked up by the attribute guard.

Most methods are harmless and returned as they are. The ones here could build an unbounded value
in one C call (``"".join``, ``ljust``, ``replace``, ``list.extend``, ``dict.fromkeys``,
``re.sub``, ...), walk a host generator that no step hook sees (``IPv4Network.hosts()``), or read
the host's clock or time zone (``datetime.now``); each is replaced by a function that checks
first. A registry, not a chain of ifs: ``INSTANCE_METHODS`` maps a type to ``{name: fn(g, obj,
*args)}`` and ``CLASS_METHODS`` to ``{name: fn(g, cls, *args)}``; subclasses inherit their
bases' entries, so ``class S(str)`` gets no unguarded ``ljust``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from contextmfa.sandbox import clock
from contextmfa.sandbox.formatting import str_format, str_format_map

if TYPE_CHECKING:
    from contextmfa.sandbox.guards import Guards

Method = Callable[..., Any]

# -- str and bytes ----------------------------------------------------------------------------


def _join(g: Guards, sep: Any, iterable: Any) -> Any:
    items = g.materialize(iterable)
    total = len(sep) * max(len(items) - 1, 0)
    for item in items:
        if isinstance(item, (str, bytes)):
            total += len(item)
    g.meter.check_str(total)
    return sep.join(items)


def _padded(name: str) -> Method:
    def pad(g: Guards, text: Any, width: int, *fill: Any) -> Any:
        g.meter.check_str(width)
        return getattr(text, name)(width, *fill)

    pad.__name__ = name
    return pad


def _zfill(g: Guards, text: Any, width: int) -> Any:
    g.meter.check_str(width)
    return text.zfill(width)


def _expandtabs(g: Guards, text: Any, tabsize: int = 8) -> Any:
    tab = "\t" if isinstance(text, str) else b"\t"
    g.meter.check_str(len(text) + text.count(tab) * max(tabsize, 0))
    return text.expandtabs(tabsize)


def _replace(g: Guards, text: Any, old: Any, new: Any, count: int = -1) -> Any:
    hits = text.count(old) if old else len(text) + 1
    if count >= 0:
        hits = min(hits, count)
    g.meter.check_str(len(text) + hits * (len(new) - len(old)))
    return text.replace(old, new, count)


def _translate(g: Guards, text: Any, table: Any, *delete: Any) -> Any:
    if isinstance(table, dict):
        g.meter.charge(len(table))
        widest = max((len(v) for v in table.values() if isinstance(v, (str, bytes))), default=1)
        g.meter.check_str(len(text) * max(widest, 1))
    return text.translate(table, *delete)


def _splitter(name: str) -> Method:
    def split(g: Guards, text: Any, *args: Any, **kwargs: Any) -> Any:
        parts = getattr(text, name)(*args, **kwargs)
        g.meter.check_seq(len(parts))
        return parts

    split.__name__ = name
    return split


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
}
_STR = {**_TEXT, "format": str_format, "format_map": str_format_map}

# -- list, dict, set --------------------------------------------------------------------------


def _append(g: Guards, items: list[Any], value: Any) -> None:
    g.meter.check_seq(len(items) + 1)
    items.append(value)


def _insert(g: Guards, items: list[Any], index: int, value: Any) -> None:
    g.meter.check_seq(len(items) + 1)
    items.insert(index, value)


def _extend(g: Guards, items: list[Any], iterable: Any) -> None:
    more = g.materialize(iterable)
    g.meter.check_seq(len(items) + len(more))
    items.extend(more)


def _sort(g: Guards, items: list[Any], *, key: Any = None, reverse: bool = False) -> None:
    g.meter.charge(len(items))
    items.sort(key=key, reverse=reverse)


def _dict_update(g: Guards, target: dict[Any, Any], *args: Any, **kwargs: Any) -> None:
    if args:
        source = args[0]
        pairs = source.items() if hasattr(source, "keys") else source
        target.update(g.materialize(pairs), *args[1:])
    g.meter.check_seq(len(target) + len(kwargs))
    target.update(kwargs)
    g.meter.check_seq(len(target))


def _setdefault(g: Guards, target: dict[Any, Any], key: Any, default: Any = None) -> Any:
    g.meter.check_seq(len(target) + 1)
    return target.setdefault(key, default)


def _fromkeys(g: Guards, cls: type[dict[Any, Any]], iterable: Any, value: Any = None) -> Any:
    return cls.fromkeys(g.materialize(iterable), value)


def _set_add(g: Guards, target: set[Any], value: Any) -> None:
    g.meter.check_seq(len(target) + 1)
    target.add(value)


def _set_op(name: str, grows: bool) -> Method:
    def op(g: Guards, target: Any, *others: Any) -> Any:
        result = getattr(target, name)(*[g.materialize(o) for o in others])
        if grows:
            g.meter.check_seq(len(result if result is not None else target))
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

# -- re ---------------------------------------------------------------------------------------


def _expand_bound(template: Any, match: re.Match[Any]) -> int:
    groups = [g for g in (match.group(0), *match.groups()) if g is not None]
    widest = max((len(g) for g in groups), default=0)
    return len(template) + template.count("\\" if isinstance(template, str) else b"\\") * widest


def _match_expand(g: Guards, match: re.Match[Any], template: Any) -> Any:
    g.meter.check_str(_expand_bound(template, match))
    return match.expand(template)


def pattern_subn(g: Guards, pattern: re.Pattern[Any], repl: Any, string: Any, count: int = 0) -> Any:
    """``Pattern.subn`` with the output built piece by piece against ``max_string``."""
    produced = [len(string)]

    def replace(match: re.Match[Any]) -> Any:
        g.meter.step()
        if callable(repl):
            text = repl(match)
        else:
            g.meter.check_str(produced[0] + _expand_bound(repl, match))
            text = match.expand(repl)
        produced[0] += len(text)
        g.meter.check_str(produced[0])
        return text

    return pattern.subn(replace, string, count)


def _pattern_sub(g: Guards, pattern: re.Pattern[Any], repl: Any, string: Any, count: int = 0) -> Any:
    return pattern_subn(g, pattern, repl, string, count)[0]


def _pattern_list(name: str) -> Method:
    def listing(g: Guards, pattern: re.Pattern[Any], *args: Any, **kwargs: Any) -> Any:
        result = getattr(pattern, name)(*args, **kwargs)
        g.meter.check_seq(len(result))
        return result

    listing.__name__ = name
    return listing


_PATTERN = {
    "sub": _pattern_sub,
    "subn": pattern_subn,
    "findall": _pattern_list("findall"),
    "split": _pattern_list("split"),
}

# -- ipaddress --------------------------------------------------------------------------------


def _counted(name: str) -> Method:
    def walk(g: Guards, network: Any, *args: Any, **kwargs: Any) -> Any:
        return g.counted(getattr(network, name)(*args, **kwargs))

    walk.__name__ = name
    return walk


_NETWORK = {name: _counted(name) for name in ("hosts", "subnets", "address_exclude")}

# -- the registry -----------------------------------------------------------------------------

INSTANCE_METHODS: dict[type, dict[str, Method]] = {
    str: _STR,
    bytes: _TEXT,
    list: {"append": _append, "insert": _insert, "extend": _extend, "sort": _sort},
    dict: {"update": _dict_update, "setdefault": _setdefault},
    set: {"add": _set_add, **{n: _set_op(n, grows) for n, grows in _SET_OPS.items()}},
    frozenset: {n: _set_op(n, grows) for n, grows in _FROZENSET_OPS.items()},
    re.Pattern: _PATTERN,
    re.Match: {"expand": _match_expand},
    ipaddress.IPv4Network: _NETWORK,
    ipaddress.IPv6Network: _NETWORK,
    date: {},
    datetime: clock.DATETIME_METHODS,
}
CLASS_METHODS: dict[type, dict[str, Method]] = {
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
