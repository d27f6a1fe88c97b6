"""The modules an Action may import: ``math``, ``re``, ``json``, ``datetime``, ``ipaddress``.

An Action never gets a real module object: ``re.enum.sys.modules["os"]`` is three attribute
hops from a shell. ``import re`` yields a :class:`BoundModule` exposing an explicit allowlist
of names; functions that could run unbounded in C or read the host's clock are replaced by
guarded versions bound to the run. Anything else is ``forbidden``. The allowlists double as the
compile-time check of ``from re import name``. ``re`` runs on the ``regex`` engine so that
every match has a deadline (regexes.py).
"""

from __future__ import annotations

import datetime as _datetime
import ipaddress
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from contextmfa.errors import ActionForbidden, ActionLimitExceeded
from contextmfa.sandbox import regexes
from contextmfa.sandbox.callables import GuardedCall, renamed
from contextmfa.sandbox.event_view import unwrap
from contextmfa.sandbox.textsize import TooLarge, text_size_and_depth

if TYPE_CHECKING:
    from contextmfa.sandbox.guards import Guards

_LN2 = math.log(2)


@dataclass(frozen=True)
class ModuleSpec:
    """What ``import <name>`` exposes: plain values, and functions that need the run."""

    name: str
    values: Mapping[str, Any]
    guarded: Mapping[str, Callable[..., Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, fn in self.guarded.items():
            renamed(fn, name)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.values) | frozenset(self.guarded)

    def resolve(self, g: Guards, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        fn = self.guarded.get(name)
        if fn is not None:
            return GuardedCall(fn, g, f"{self.name}.{name}")
        g.meter.trip(ActionForbidden, f"{self.name}.{name} is not available in Actions")


class BoundModule:
    """An imported module as the Action holds it; ``from m import x`` reads it natively."""

    __slots__ = ("_g", "_resolved", "_spec")

    def __init__(self, spec: ModuleSpec, g: Guards) -> None:
        self._spec = spec
        self._g = g
        self._resolved: dict[str, Any] = {}
        """Names this import has served (its allowlist's): ``re.match`` in a loop is one
        lookup. Per import, so per run."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        found = self._resolved.get(name)
        if found is None:
            found = self._resolved[name] = self._spec.resolve(self._g, name)
        return found

    def resolve_all(self) -> None:
        """Serve every name of the allowlist once: a module a kit's runs share
        (shared_module.py) then holds the same objects after any run."""
        for name in sorted(self._spec.names):
            self.__getattr__(name)

    def __repr__(self) -> str:
        return f"<module {self._spec.name!r}>"


# -- math -------------------------------------------------------------------------------------


def _log2_factorial(n: int) -> float:
    return math.lgamma(n + 1) / _LN2 if n > 1 else 0.0


def _factorial(g: Guards, n: int) -> int:
    if isinstance(n, int) and n > 1:
        g.meter.check_int_bits(int(_log2_factorial(n)))
    return math.factorial(n)


def _comb(g: Guards, n: int, k: int) -> int:
    if isinstance(n, int) and isinstance(k, int) and 0 <= k <= n:
        bits = _log2_factorial(n) - _log2_factorial(k) - _log2_factorial(n - k)
        g.meter.check_int_bits(int(bits))
    return math.comb(n, k)


def _perm(g: Guards, n: int, k: int | None = None) -> int:
    if isinstance(n, int) and n > 1 and (k is None or (isinstance(k, int) and 0 <= k <= n)):
        rest = 0 if k is None else n - k
        g.meter.check_int_bits(int(_log2_factorial(n) - _log2_factorial(rest)))
    return math.perm(n, k)


def _prod(g: Guards, iterable: Any, *, start: Any = 1) -> Any:
    result = start
    for item in g.iterate(iterable):
        result = g.mul(result, item)
    return result


def _fsum(g: Guards, iterable: Any) -> float:
    return math.fsum(g.iterate(iterable))


def _dist(g: Guards, p: Any, q: Any) -> float:
    return math.dist(g.materialize(p), g.materialize(q))


_MATH_GUARDED = {
    "factorial": _factorial,
    "comb": _comb,
    "perm": _perm,
    "prod": _prod,
    "fsum": _fsum,
    "dist": _dist,
}
MATH = ModuleSpec(
    "math",
    {n: getattr(math, n) for n in dir(math) if not n.startswith("_") and n not in _MATH_GUARDED},
    _MATH_GUARDED,
)

# -- re (on the regex engine, with deadlines: regexes.py) -------------------------------------

RE = ModuleSpec("re", regexes.VALUES, regexes.FUNCTIONS)

# -- json -------------------------------------------------------------------------------------

_MAX_INDENT = 16


def _json_dumps(
    g: Guards,
    obj: Any,
    *,
    indent: int | str | None = None,
    sort_keys: bool = False,
    separators: tuple[str, str] | None = None,
    ensure_ascii: bool = True,
    default: Callable[[Any], Any] | None = None,
) -> str:
    width = len(indent) if isinstance(indent, str) else (indent or 0)
    if width > _MAX_INDENT or any(len(s) > _MAX_INDENT for s in separators or ()):
        g.meter.trip(ActionLimitExceeded, "json.dumps: indent or separators too long")
    budget = [g.meter.max_str]

    def spend(value: Any) -> None:
        try:
            size, depth = text_size_and_depth(value, budget[0], json=True)
            budget[0] -= size * (1 + width * (depth + 1))
        except (TooLarge, RecursionError):
            budget[0] = -1
        if budget[0] < 0:
            g.meter.trip(ActionLimitExceeded, f"json.dumps: text too long (over {g.meter.max_str})")

    def fallback(value: Any) -> Any:
        plain = unwrap(value)
        if plain is value:
            if default is None:
                raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
            plain = default(value)
        spend(plain)
        return plain

    spend(obj)
    text = json.dumps(
        obj,
        indent=indent,
        sort_keys=sort_keys,
        separators=separators,
        ensure_ascii=ensure_ascii,
        default=fallback,
    )
    g.meter.made_text(len(text))
    return text


def _json_loads(g: Guards, text: str | bytes) -> Any:
    if not isinstance(text, (str, bytes)):
        raise TypeError("json.loads() takes a string")
    g.meter.charge(len(text) >> 2)  # up to one value per few characters
    return json.loads(text)


JSON = ModuleSpec(
    "json",
    {"JSONDecodeError": json.JSONDecodeError},
    {"dumps": _json_dumps, "loads": _json_loads},
)

# -- ipaddress --------------------------------------------------------------------------------


def _collapse(g: Guards, addresses: Any) -> Any:
    return g.counted(ipaddress.collapse_addresses(g.iterate(addresses)))


def _summarize(g: Guards, first: Any, last: Any) -> Any:
    return g.counted(ipaddress.summarize_address_range(first, last))


_IP_VALUES = [
    "ip_address",
    "ip_network",
    "ip_interface",
    "IPv4Address",
    "IPv6Address",
    "IPv4Network",
    "IPv6Network",
    "IPv4Interface",
    "IPv6Interface",
    "AddressValueError",
    "NetmaskValueError",
    "IPV4LENGTH",
    "IPV6LENGTH",
    "get_mixed_type_key",
    "v4_int_to_packed",
    "v6_int_to_packed",
]
IPADDRESS = ModuleSpec(
    "ipaddress",
    {n: getattr(ipaddress, n) for n in _IP_VALUES},
    {"collapse_addresses": _collapse, "summarize_address_range": _summarize},
)

# -- datetime (now/today/utcnow are swapped in by the attribute guard, see clock.py) -----------

DATETIME = ModuleSpec(
    "datetime",
    {
        n: getattr(_datetime, n)
        for n in (
            "date",
            "datetime",
            "time",
            "timedelta",
            "timezone",
            "tzinfo",
            "MINYEAR",
            "MAXYEAR",
            "UTC",
        )
    },
)

MODULES: dict[str, ModuleSpec] = {m.name: m for m in (MATH, RE, JSON, IPADDRESS, DATETIME)}


def safe_import(
    name: str,
    globals: Mapping[str, Any] | None = None,
    locals: Any = None,
    fromlist: Any = (),
    level: int = 0,
) -> BoundModule:
    """The sandbox's ``__import__``: the run's guards travel in the importing globals."""
    spec = MODULES.get(name)
    g = (globals or {}).get("_guards_")
    if spec is None or level != 0 or g is None:
        raise ImportError(f"import of {name!r} is not allowed")
    return BoundModule(spec, g)
