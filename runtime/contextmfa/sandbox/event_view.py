"""The read-only ``event`` an Action sees: lazy views over the engine's plain event dict.

Nothing is copied per run: a view wraps one dict or list and wraps each nested dict or list only
when the Action reaches it. Views define no ``__getattr__`` and keep their data in a
``_``-prefixed slot, so host code that touches them natively finds only the read methods below;
the Action's ``event.user.email`` goes through the sandbox's attribute guard, which maps it to
:func:`view_attribute` (the guard inlines the common case). Every way of writing (item or
attribute assignment, ``del``, ``update``, ``pop``, ``append``, ...) ends the Action as
``forbidden``: the write guard refuses views, and the views themselves refuse item writes.

A view answers like the plain value it shows, so an Action written for plain Python decides the
same: ``isinstance(v, dict)`` (or ``list``) holds, since a view's ``__class__`` names the plain
type, and so does the Action's ``type(v)`` (typeof.py), while the host's ``type(v)`` stays the
view's own class, which is what every host guard dispatches on (an Action cannot read
``__class__``); ``match`` sees a mapping or a sequence (matching.py); ``==`` compares the
data, ``json.dumps``, ``dict(v)``, ``list(v)``, ``|``, ``+`` and ``*`` give plain values holding
read-only views, and ``v.copy()`` gives a deep, plain, writable copy (:func:`plain_copy`, paid
for by its size).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

_READ_METHODS = frozenset({"get", "keys", "values", "items", "index", "count", "copy"})
_MUTATORS = frozenset(
    {
        "update",
        "pop",
        "popitem",
        "clear",
        "setdefault",
        "append",
        "extend",
        "insert",
        "remove",
        "sort",
        "reverse",
    }
)


class ReadOnlyError(Exception):
    """Raised by a view on any write; the guards turn it into ``forbidden``."""


def wrap(value: Any) -> Any:
    """The view of ``value``: dicts and lists are wrapped, scalars returned as they are."""
    kind = type(value)
    if kind is dict:
        return RecordView(value)
    if kind is list:
        return ListView(value)
    return value


class RecordView:
    """An event object or metadata object: attributes, ``[]``, ``in``, iteration, ``get``."""

    __slots__ = ("_data",)
    _data: dict[str, Any]

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return dict

    def get(self, key: str, default: Any = None) -> Any:
        data = self._data
        if key not in data:
            return default  # the Action's own
        value = data[key]  # wrap(), inlined: event.secrets.get and friends are hot
        kind = type(value)
        if kind is dict:
            return RecordView(value)
        return ListView(value) if kind is list else value

    def keys(self) -> tuple[str, ...]:
        return tuple(self._data)

    def values(self) -> tuple[Any, ...]:
        return tuple(wrap(v) for v in self._data.values())

    def items(self) -> tuple[tuple[str, Any], ...]:
        return tuple((k, wrap(v)) for k, v in self._data.items())

    def __getitem__(self, key: str) -> Any:
        return wrap(self._data[key])

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(self._data))

    def __reversed__(self) -> Iterator[str]:
        return iter(tuple(reversed(self._data)))

    def __len__(self) -> int:
        return len(self._data)

    def __or__(self, other: Any) -> dict[str, Any]:
        if isinstance(other, (dict, RecordView)):
            return {**dict(self.items()), **_items_of(other)}
        return NotImplemented

    def __ror__(self, other: Any) -> dict[str, Any]:
        if isinstance(other, dict):
            return {**_items_of(other), **dict(self.items())}
        return NotImplemented

    def __eq__(self, other: object) -> bool:
        return equal(self._data, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._data)

    def __setitem__(self, key: Any, value: Any) -> None:
        raise ReadOnlyError("event is read-only")

    def __delitem__(self, key: Any) -> None:
        raise ReadOnlyError("event is read-only")


def _items_of(mapping: Any) -> dict[Any, Any]:
    """The Action's dict as it is, or a view's items still wrapped (never its plain data)."""
    return dict(mapping.items()) if isinstance(mapping, RecordView) else dict.copy(mapping)


class SecretsView(RecordView):
    """``event.secrets``: like a metadata object, but its repr never shows a value."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<secrets: " + ", ".join(sorted(self._data)) + ">"


class EventView(RecordView):
    """The root ``event``; ``event.secrets`` is the Action's secrets, not part of the dict."""

    __slots__ = ("_secrets", "_secrets_view")

    def __init__(self, data: dict[str, Any], secrets: Mapping[str, str]) -> None:
        self.show(data, secrets)

    def show(self, data: dict[str, Any], secrets: Mapping[str, str]) -> None:
        """Show another login (a run kit's view, reused between runs: kit.py)."""
        self._data = data
        self._secrets = secrets
        self._secrets_view: SecretsView | None = None

    def secrets_view(self) -> SecretsView:
        """``event.secrets``: one view per login shown (Actions read it once per secret)."""
        view = self._secrets_view
        if view is None:
            secrets = self._secrets
            view = SecretsView(secrets if type(secrets) is dict else dict(secrets))
            self._secrets_view = view
        return view


class ListView:
    """A read-only list (``roles``, ``enrolled_factors``, ``methods``, ...)."""

    __slots__ = ("_data",)
    _data: list[Any]

    def __init__(self, data: list[Any]) -> None:
        self._data = data

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return list

    def index(self, value: Any, *bounds: int) -> int:
        data = self._data
        if type(value) in _SCALARS:
            return data.index(value, *bounds)
        for position in range(*slice(*bounds).indices(len(data))) if bounds else range(len(data)):
            if equal(data[position], value):
                return position
        raise ValueError("value is not in list")

    def count(self, value: Any) -> int:
        if type(value) in _SCALARS:
            return self._data.count(value)
        return sum(1 for item in self._data if equal(item, value))

    def __getitem__(self, index: int | slice) -> Any:
        if type(index) is slice:
            return ListView(self._data[index])
        return wrap(self._data[index])

    def __contains__(self, value: object) -> bool:
        if type(value) in _SCALARS:
            return value in self._data
        return any(equal(item, value) for item in self._data)

    def __iter__(self) -> Iterator[Any]:
        items = tuple(self._data)
        if _CONTAINERS.isdisjoint(map(type, items)):  # roles, scopes: nothing to wrap
            return iter(items)
        return map(wrap, items)

    def __reversed__(self) -> Iterator[Any]:
        return map(wrap, tuple(reversed(self._data)))

    def __len__(self) -> int:
        return len(self._data)

    def __add__(self, other: Any) -> list[Any]:
        if isinstance(other, (list, tuple, ListView)):
            return list(self) + list(other)
        return NotImplemented

    def __radd__(self, other: Any) -> list[Any]:
        if isinstance(other, (list, tuple)):
            return list(other) + list(self)
        return NotImplemented

    def __mul__(self, times: Any) -> list[Any]:
        if isinstance(times, int):
            return list(self) * times  # the multiplication guard has checked the size
        return NotImplemented

    __rmul__ = __mul__

    def __eq__(self, other: object) -> bool:
        return equal(self._data, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._data)

    def __setitem__(self, key: Any, value: Any) -> None:
        raise ReadOnlyError("event is read-only")

    def __delitem__(self, key: Any) -> None:
        raise ReadOnlyError("event is read-only")


VIEW_TYPES = (RecordView, ListView)
SPECIAL_NAMES = _READ_METHODS | _MUTATORS | {"secrets"}
"""Names a view resolves to something other than one of its keys."""


_SCALARS = frozenset({str, int, float, bool, type(None)})
_CONTAINERS = frozenset({dict, list})


def equal(data: Any, other: Any) -> bool:
    """``data == other`` for the event's plain data, without ever handing a dict or list of the
    event to the Action's code: an object of the Action's class (whose ``__eq__`` Python would
    call with the event's data as argument) compares unequal to any container."""
    if isinstance(other, VIEW_TYPES):
        return data == other._data  # host data on both sides
    kind = type(other)
    if kind in _SCALARS:
        return data == other
    if kind is dict:
        return (
            type(data) is dict
            and len(data) == len(other)
            and all(type(k) is str and k in data and equal(data[k], v) for k, v in other.items())
        )
    if kind is list:
        return (
            type(data) is list
            and len(data) == len(other)
            and all(equal(a, b) for a, b in zip(data, other, strict=True))
        )
    if type(data) in _SCALARS:
        return data == other  # the Action's code may see a str or a number: immutable
    return False


def plain_copy(value: Any, made_items: Callable[[int], None]) -> Any:
    """A deep copy of the event's plain data (dicts, lists, scalars) for the Action to own;
    ``made_items`` is told the size of each container before it is built."""
    kind = type(value)
    if kind is dict:
        made_items(len(value))
        return {key: plain_copy(item, made_items) for key, item in value.items()}
    if kind is list:
        made_items(len(value))
        return [plain_copy(item, made_items) for item in value]
    return value


def unwrap(value: Any) -> Any:
    """The plain data behind a view (shared, so only for reading), or ``value`` itself."""
    if isinstance(value, VIEW_TYPES):
        return value._data
    return value


def view_attribute(view: RecordView | ListView, name: str) -> Any:
    """``view.name`` as the Action sees it: read methods first, then the object's keys."""
    if name in _READ_METHODS:
        method = getattr(view, name, None)
        if method is not None:
            return method
    if name in _MUTATORS:
        raise ReadOnlyError(f"event is read-only ({name}() is not available)")
    if type(view) is EventView and name == "secrets":
        return view.secrets_view()
    data = view._data
    if type(data) is dict and name in data:
        return wrap(data[name])
    kind = "event" if type(view) is EventView else "object"
    hint = " (use .get() for optional keys)" if type(data) is dict else ""
    raise AttributeError(f"{kind} has no attribute {name!r}{hint}")
