"""Run-time guards: the functions RestrictedPython's transformed code calls, bound to one run.

``a.b`` becomes ``_getattr_(a, "b")``, ``a[b] = c`` becomes ``_write_(a)[b] = c``, and our policy
(policy.py) adds hooks for the operators that can build big values (``+ - * % ** << | & ^``),
``*args``/``**kwargs``, f-strings and their fields, and comprehension results: each checks the
size before building and charges the meter for what it builds, and sets and dicts built in one
C call from many keys are refused when those keys would flood one hash bucket. Attribute access
refuses ``_`` names and frame/code/generator internals here, then resolves by type (lookup.py)
under per-type allowlists (attributes.py), deny by default. Writes reach only the Action's own
dicts, lists, classes and instances.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, NoReturn

from RestrictedPython.transformer import INSPECT_ATTRIBUTES

from contextmfa.errors import ActionForbidden, ActionLimitExceeded
from contextmfa.sandbox.attributes import API_TYPES, instance_attributes, public_names
from contextmfa.sandbox.callables import BoundGuard
from contextmfa.sandbox.event_view import (
    SPECIAL_NAMES,
    VIEW_TYPES,
    EventView,
    ListView,
    RecordView,
    SecretsView,
)
from contextmfa.sandbox.formatting import bounded_text, format_value, percent_format
from contextmfa.sandbox.limits import Meter
from contextmfa.sandbox.lookup import HANDLERS, host_attribute, own_attribute
from contextmfa.sandbox.methods import ARGUMENT_SIZED, GUARDED_BASES, SMALL_TEXT, tables_for
from contextmfa.sandbox.modules import BoundModule
from contextmfa.sandbox.printing import Printer
from contextmfa.sandbox.safe_builtins import STAND_INS, SafeType, real_type
from contextmfa.sandbox.stable import UNORDERED, canonical_order

DENIED_ATTRIBUTES = frozenset(INSPECT_ATTRIBUTES) | {"mro"}

_DICT_VIEWS = (type({}.keys()), type({}.values()), type({}.items()))
_VIEWS = (RecordView, EventView, SecretsView, ListView)
_SIZED = frozenset((list, tuple, str, bytes, dict, set, frozenset, *_VIEWS, *_DICT_VIEWS))
"""Types whose ``len()`` is cheap and honest: walked in C, they are billed up front."""
_NOT_KEYS = DENIED_ATTRIBUTES | SPECIAL_NAMES
_RECORD_READS = frozenset({"get", "keys", "values", "items"})
"""The read methods of an event object (event_view.view_attribute serves them first)."""
_SHORT_TEXT_NAMES = public_names(str) - ARGUMENT_SIZED - DENIED_ATTRIBUTES
"""What lookup.py serves straight from a text of at most SMALL_TEXT characters."""
_API_ATTRIBUTES = {
    cls: allowed
    for cls in API_TYPES
    if (allowed := instance_attributes(cls)) is not None and not issubclass(cls, GUARDED_BASES)
}
"""The api objects' allowlists: lookup.host_attribute serves these names with getattr."""
_MISSING = object()
_LIST_TABLES, _DICT_TABLES = tables_for(list), tables_for(dict)
_REPEATABLE = (str, bytes, list, tuple)
_COLLECTIONS = frozenset({set, frozenset, dict})
_PAIRS = (tuple, list)
_COLLISION_CHECK_FROM = 64
_MAX_SHARED_HASH = 8


def _counting(iterator: Iterator[Any], step: Callable[[], None]) -> Iterator[Any]:
    for item in iterator:
        step()
        yield item


class Guards:
    """Everything one run's Action code calls into; holds the run's meter and clock."""

    __slots__ = ("_classes", "meter", "now", "printer", "scope", "types")

    def __init__(
        self, meter: Meter, now: datetime, printer: Printer, scope: tuple[str, str] = ("", "")
    ) -> None:
        self.meter = meter
        self.now = now
        self.printer = printer
        self.scope = scope
        """(tenant, Action): the key of anything the run may share with later runs."""
        self._classes: set[type] = set()
        """The classes the run's code defined; emptied between runs of a reused kit (kit.py)."""
        self.types: dict[str, Any] = {}
        """The run's ``list``, ``dict``, ..., and ``type``: one object each (safe_builtins.py)."""

    def forbid(self, message: str) -> NoReturn:
        self.meter.trip(ActionForbidden, message)

    # -- attributes ---------------------------------------------------------------------------

    def getattr(self, obj: Any, name: str) -> Any:
        """``obj.name`` from Action code (and from ``str.format`` field walks)."""
        kind = type(obj)
        # The hot paths, each what the general path below would return for it: a method of a
        # short text ("NL".lower), a plain key of an event object (event.user.email), a call
        # of the api (api.multifactor.enable).
        if kind is str:
            if name in _SHORT_TEXT_NAMES and len(obj) <= SMALL_TEXT:
                return getattr(obj, name)
        elif kind is RecordView or kind is EventView or kind is SecretsView:
            if name not in _NOT_KEYS and name[:1] != "_":
                value = obj._data.get(name, _MISSING)
                if value is not _MISSING:
                    kind = type(value)
                    if kind is dict:
                        return RecordView(value)
                    return ListView(value) if kind is list else value
            elif name in _RECORD_READS:  # event.secrets.get: a read method comes first
                return getattr(obj, name)
            elif name == "secrets" and kind is EventView:
                return obj.secrets_view()
        elif kind in _API_ATTRIBUTES and name in _API_ATTRIBUTES[kind]:
            return getattr(obj, name)
        elif kind is BoundModule:
            found = obj._resolved.get(name)  # only names its allowlist served before
            if found is not None:
                return found
        elif (kind is list or kind is dict) and name[:1] != "_" and name not in DENIED_ATTRIBUTES:
            instance, classwide = _LIST_TABLES if kind is list else _DICT_TABLES  # tables_for
            fn = instance.get(name)
            if fn is not None:
                return BoundGuard(fn, self, obj)
            fn = classwide.get(name)
            if fn is not None:
                return BoundGuard(fn, self, kind)
            return getattr(obj, name)
        if name[:1] == "_" or name in DENIED_ATTRIBUTES:
            self.forbid(f"access to attribute {name!r} is forbidden")
        handler = HANDLERS.get(kind)
        if handler is not None:
            return handler(self, obj, name)
        if kind in self._classes:
            return own_attribute(self, obj, name)
        return host_attribute(self, obj, kind, name)

    def getpath(self, obj: Any, names: tuple[str, ...]) -> Any:
        """``obj.a.b.c`` (fuse.py): :meth:`getattr` name by name, but event objects are walked
        as their plain dicts, and a view is built only for what is returned or read further
        by the general path. The compiler hands only names that do not start with ``_``."""
        kind = type(obj)
        data = obj._data if kind is RecordView or kind is EventView or kind is SecretsView else None
        for name in names:
            if data is not None:
                if name not in _NOT_KEYS:
                    value = data.get(name, _MISSING)
                    if value is not _MISSING:
                        if type(value) is dict:
                            data, obj = value, _MISSING  # the view of data, not built yet
                            continue
                        data = None
                        obj = ListView(value) if type(value) is list else value
                        continue
                elif name in _RECORD_READS:  # event.user.app_metadata.get, as getattr serves it
                    obj = getattr(RecordView(data) if obj is _MISSING else obj, name)
                    data = None
                    continue
                elif name == "secrets" and type(obj) is EventView:  # event.secrets.get
                    obj = obj.secrets_view()
                    data = obj._data
                    continue
            if obj is _MISSING:
                obj = RecordView(data)
            obj = self.getattr(obj, name)
            data = obj._data if type(obj) is RecordView else None
        return RecordView(data) if obj is _MISSING else obj

    def write(self, obj: Any) -> Any:
        """The target of ``obj.x = v``, ``obj[k] = v`` or ``del``: only the Action's own data."""
        kind = type(obj)
        if kind is dict or kind is list:
            self.meter.check_seq(len(obj))
            return obj
        if kind in self._classes or (kind is type and obj in self._classes):
            return obj
        if isinstance(obj, VIEW_TYPES):
            self.forbid("event is read-only")
        if kind is SafeType:
            kind = real_type(obj)
        elif kind in STAND_INS:
            self.forbid("cannot modify classes in Actions")
        what = "modules" if kind is BoundModule else f"{kind.__name__!r} objects"
        self.forbid(f"cannot modify {what} in Actions")

    def make_class(
        self, name: str, bases: tuple[Any, ...], namespace: dict[str, Any], **kwargs: Any
    ) -> type:
        """RestrictedPython's ``__metaclass__``: classes the Action defines may be written."""
        cls = type(name, bases, namespace, **kwargs)
        self._classes.add(cls)
        return cls

    # -- operators ----------------------------------------------------------------------------

    def add(self, a: Any, b: Any) -> Any:
        result = a + b
        kind = type(result)
        if kind is str or kind is bytes:
            self.meter.made_text(len(result))
        elif kind is list or kind is tuple:
            self.meter.made_items(len(result))
        return result

    def mul(self, a: Any, b: Any) -> Any:
        if isinstance(a, _REPEATABLE) and isinstance(b, int):
            self._repeat(a, b)
        elif isinstance(b, _REPEATABLE) and isinstance(a, int):
            self._repeat(b, a)
        elif isinstance(a, int) and isinstance(b, int) and a and b:
            self.meter.made_int(a.bit_length() + b.bit_length())
        return a * b

    def _repeat(self, sequence: Any, times: int) -> None:
        size = len(sequence) * max(times, 0)
        if isinstance(sequence, (str, bytes)):
            self.meter.made_text(size)
        else:
            self.meter.made_items(size)

    def collection_op(self, result: Any) -> Any:
        """The result of ``| & ^ -``: new sets and dicts are paid for by size."""
        if type(result) in _COLLECTIONS:
            self.meter.made_items(len(result))
        return result

    def bit_or(self, a: Any, b: Any) -> Any:
        return self.collection_op(a | b)

    def bit_and(self, a: Any, b: Any) -> Any:
        return self.collection_op(a & b)

    def bit_xor(self, a: Any, b: Any) -> Any:
        return self.collection_op(a ^ b)

    def sub(self, a: Any, b: Any) -> Any:
        return self.collection_op(a - b)

    def getitem(self, obj: Any, key: Any) -> Any:
        """``obj[key]``; a slice copies, and is paid for by its size."""
        if type(key) is slice:
            result = obj[key]
            kind = type(result)
            if kind is str or kind is bytes:
                self.meter.charge(len(result) >> 6)
            elif kind is list or kind is tuple:
                self.meter.charge(len(result))
            return result
        return obj[key]

    def double_star(self, mapping: Any) -> Any:
        """``{**m}`` and ``f(**m)`` copy ``m``: paid for by its size."""
        if type(mapping) in _SIZED:
            self.meter.charge(len(mapping))
        return mapping

    def text(self, value: str) -> str:
        """An f-string's result (the policy wraps every f-string)."""
        self.meter.made_text(len(value))
        return value

    def mod(self, a: Any, b: Any) -> Any:
        if isinstance(a, (str, bytes)):
            return percent_format(self, a, b)
        return a % b

    def pow(self, a: Any, b: Any) -> Any:
        if isinstance(a, int) and isinstance(b, int) and b > 1 and abs(a) > 1:
            self.meter.made_int(int(b * math.log2(abs(a))))
        return a**b

    def lshift(self, a: Any, b: Any) -> Any:
        if isinstance(a, int) and isinstance(b, int) and a and b > 0:
            self.meter.made_int(a.bit_length() + b)
        return a << b

    def inplacevar(self, op: str, x: Any, y: Any) -> Any:
        """``x op= y`` for a name (RestrictedPython's ``_inplacevar_``), an item or an attribute
        (augmented.py). A list, or a list of the Action's class, grows in place, as in Python."""
        if op == "+=" and list in type(x).__mro__:
            more = self.materialize(y)
            self.meter.check_seq(len(x) + len(more))
            x += more
            return x
        if op == "*=" and list in type(x).__mro__:
            self._repeat(x, y)
            x *= y
            return x
        binary = _INPLACE.get(op)
        if binary is not None:
            return binary(self, x, y)
        return self.collection_op(_OPERATORS[op](x, y))

    # -- iteration ----------------------------------------------------------------------------

    def counted(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """Iterate ``iterable`` at one step per item (for C code that walks host generators)."""
        return _counting(iter(iterable), self.meter.step)

    def iterate(self, iterable: Any) -> Iterable[Any]:
        """What a C consumer (``sum``, ``map``, ...) may walk: billed up front or per item."""
        if type(iterable) in _SIZED:
            self.meter.charge(len(iterable))
            return canonical_order(iterable) if type(iterable) in UNORDERED else iterable
        return self.counted(iterable)

    def materialize(self, iterable: Any) -> list[Any] | tuple[Any, ...]:
        """The items of ``iterable`` as a list or tuple, refusing more than ``max_sequence``."""
        kind = type(iterable)
        if kind in _SIZED or kind is range:
            size = len(iterable)
            self.meter.check_seq(size)
            self.meter.charge(size)
            if kind in UNORDERED:
                return canonical_order(iterable)  # the same order in every process
            return iterable if kind is list or kind is tuple else list(iterable)
        items: list[Any] = []
        step, limit = self.meter.step, self.meter.max_seq
        for item in iterable:
            step()
            items.append(item)
            if len(items) > limit:
                self.meter.check_seq(len(items))
        return items

    def star(self, iterable: Any) -> list[Any] | tuple[Any, ...]:
        """``f(*x)``, ``[*x]``, ``a[i:j] = x``: bounded before Python expands it."""
        return self.materialize(iterable)

    def hashed_star(self, iterable: Any) -> list[Any] | tuple[Any, ...]:
        """``{*x}``: bounded, and refused when its items would flood one hash bucket."""
        return self.hashable(self.materialize(iterable))

    def hashable(self, items: Any, *, pairs: bool = False) -> Any:
        """Refuse ``items`` (keys, or ``(key, value)`` pairs) that many distinct values share one
        hash: ints, floats and tuples hash predictably, and inserting n colliding keys into a set
        or dict costs n² comparisons inside one C call that no step hook can interrupt."""
        if len(items) <= _COLLISION_CHECK_FROM:
            return items
        keys = [p[0] for p in items if type(p) in _PAIRS and len(p) == 2] if pairs else items
        buckets: dict[int, int] = {}
        for key in keys:
            code = hash(key)
            buckets[code] = buckets.get(code, 0) + 1
        crowded = {code for code, count in buckets.items() if count > _MAX_SHARED_HASH}
        if crowded:
            distinct: dict[int, list[Any]] = {}
            for key in keys:
                code = hash(key)
                if code in crowded:
                    seen = distinct.setdefault(code, [])
                    if all(key != other for other in seen):
                        seen.append(key)
                        if len(seen) > _MAX_SHARED_HASH:
                            self.meter.trip(
                                ActionLimitExceeded, "too many distinct keys with the same hash"
                            )
        return items

    def seq(self, value: Any) -> Any:
        """A comprehension's result, checked against ``max_sequence``."""
        self.meter.check_seq(len(value))
        return value

    def unpack_sequence(self, iterable: Any, spec: dict[str, Any], _getiter_: Any = None) -> Any:
        """``a, (b, c) = x`` (RestrictedPython's ``_unpack_sequence_``), bounded."""
        children = spec["childs"]
        if type(iterable) is tuple and not children:
            return iterable
        items = self.materialize(iterable)
        if not children or len(items) < spec["min_len"]:
            return items
        items = list(items)
        for index, child in children:
            items[index] = self.unpack_sequence(items[index], child)
        return items

    def iter_unpack_sequence(
        self, iterable: Any, spec: dict[str, Any], _getiter_: Any = None
    ) -> Iterator[Any]:
        """``for a, b in x`` (RestrictedPython's ``_iter_unpack_sequence_``)."""
        for item in iterable:
            yield self.unpack_sequence(item, spec)

    # -- text ---------------------------------------------------------------------------------

    def fmt(self, value: Any, conversion: int, spec: str | None) -> str:
        """One f-string field (the policy rewrites ``{v!r:>8}`` to ``_fmt_(v, 114, ">8")``)."""
        return format_value(self, value, conversion, spec)

    def to_text(self, value: Any) -> str:
        return bounded_text(self, value)

    def print_factory(self, _getattr_: Any = None) -> Printer:
        """RestrictedPython's ``_print_``: every function of the run shares one printer."""
        return self.printer


_INPLACE: dict[str, Callable[[Guards, Any, Any], Any]] = {
    "+=": Guards.add,
    "*=": Guards.mul,
    "%=": Guards.mod,
    "**=": Guards.pow,
    "<<=": Guards.lshift,
}
_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "-=": operator.isub,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    ">>=": operator.irshift,
    "|=": operator.ior,
    "&=": operator.iand,
    "^=": operator.ixor,
    "@=": operator.imatmul,
}
