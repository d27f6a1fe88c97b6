"""An Action's module namespace built once per run kit, when no run can change it.

Executing an Action's module body costs more than an empty Action's whole run: each ``import``
builds a module object, each ``def`` a function, and each run resolves the module's names again.
Most Actions' module bodies only bind constants, imports and functions. When that is all a body
does, and no function of the Action declares a name ``global``, no run can rebind a module name,
so the kit executes the body once (:func:`build`) and its runs share what it bound:

- the check is on the compiled code, deny by default (:func:`runs_once`): the module body may
  only load constants and names, build literals, import, make functions and store names. It
  makes no call, so none of the Action's logic runs at build time (a module-level ``print`` or
  ``datetime.now()`` is a call: such a body still runs in each run, as does one naming ``fetch``);
- every value the body binds must be one no run can change: deep-immutable constants, its own
  functions (with immutable defaults), the modules and names it imported. Literal data (dicts,
  lists and sets, nested, of immutable items) is given to each run as a deep copy of its own,
  replaced when the run ends (while the meter still runs), so nothing one login put in it is
  there for the next;
- anything else (another value, a body that fails) and the kit executes the body per run.

The kit watches the namespace and the objects it shares (kit.py): a run that lets one escape
drops the kit, as for its other objects.
"""

from __future__ import annotations

import dis
from collections.abc import Callable
from types import CodeType, FunctionType
from typing import Any

from contextmfa.sandbox.callables import GuardedCall
from contextmfa.sandbox.guards import Guards
from contextmfa.sandbox.limits import Meter
from contextmfa.sandbox.modules import MODULES, BoundModule
from contextmfa.sandbox.policy import ENTRY_POINT


def _opcodes(*names: str) -> frozenset[int]:
    return frozenset(dis.opmap[name] for name in names if name in dis.opmap)


_MODULE_OPS = _opcodes(
    "RESUME",
    "NOP",
    "CACHE",
    "EXTENDED_ARG",
    "LOAD_CONST",
    "LOAD_NAME",
    "STORE_NAME",
    "COPY",
    "POP_TOP",
    "IMPORT_NAME",
    "IMPORT_FROM",
    "MAKE_FUNCTION",
    "BUILD_TUPLE",
    "BUILD_LIST",
    "BUILD_SET",
    "BUILD_MAP",
    "BUILD_CONST_KEY_MAP",
    "LIST_EXTEND",
    "SET_UPDATE",
    "RETURN_VALUE",
)
"""What a module body shared between runs may do: nothing here calls Action code."""
_REBINDING = _opcodes("STORE_GLOBAL", "DELETE_GLOBAL")
_ATOMS = frozenset({type(None), bool, int, float, complex, str, bytes})
_MODULE_VALUES = frozenset(id(v) for spec in MODULES.values() for v in spec.values.values())
"""Host objects ``from m import name`` binds: every run already shares them."""


def runs_once(code: CodeType, needs: tuple[str, ...]) -> bool:
    """Whether the module body of ``code`` may run once per kit (see the module docstring)."""
    if "fetch" in needs:  # the runner binds fetch per run
        return False
    if any(op.opcode not in _MODULE_OPS for op in dis.get_instructions(code)):
        return False
    return not _rebinds(code)


def _rebinds(code: CodeType) -> bool:
    """Whether a function (or class body) nested in ``code`` writes a global name."""
    for const in code.co_consts:
        if isinstance(const, CodeType):
            if any(op.opcode in _REBINDING for op in dis.get_instructions(const)):
                return True
            if _rebinds(const):
                return True
    return False


def frozen(value: Any) -> bool:
    """Whether ``value`` and everything in it is immutable (exact built-in types only)."""
    kind = type(value)
    if kind in _ATOMS:
        return True
    if kind is tuple or kind is frozenset:
        return all(map(frozen, value))
    return False


class SharedModule:
    """The namespace a kit's runs share, its entry point, and what each run gets afresh."""

    __slots__ = ("entry", "fresh", "namespace", "watched")

    def __init__(
        self,
        namespace: dict[str, Any],
        entry: Callable[..., Any],
        fresh: tuple[tuple[str, Any, bool], ...],
        watched: tuple[Any, ...],
    ) -> None:
        self.namespace = namespace
        self.entry = entry
        self.fresh = fresh
        self.watched = watched
        self.restore()

    def restore(self, meter: Meter | None = None) -> None:
        """Give the module's literal data back as it was built (after each run).

        After a run (``meter``: the run's, closed here), in three steps, so that nothing of
        this run reaches the next one's copies: the meter is closed; the run's data is taken
        out of the namespace and released, which may run Action code it holds (a suspended
        generator's ``finally``: it stops at its first hook, and the kit is not reused,
        Meter.reached_after_end); only then are the fresh copies put in."""
        namespace = self.namespace
        if meter is not None:
            meter.close()
            released = [namespace.pop(name, None) for name, _, _ in self.fresh]
            released.clear()
        for name, built, flat in self.fresh:
            namespace[name] = built.copy() if flat else data_copy(built)


def build(code: CodeType, template: dict[str, Any], guards: Guards) -> SharedModule | None:
    """Execute the module body once into a copy of ``template``; None when its runs cannot
    share the result (a value a run could change, or a body that fails)."""
    namespace = template.copy()
    try:
        exec(code, namespace)
    except Exception:
        return None  # a run reports it
    if guards.meter.tripped is not None:
        return None
    try:
        return _shared(namespace, template, guards)
    except RecursionError:  # literal data nested too deep to walk: executed per run
        return None


def _shared(
    namespace: dict[str, Any], template: dict[str, Any], guards: Guards
) -> SharedModule | None:
    fresh: list[tuple[str, Any, bool]] = []
    watched: list[Any] = [namespace]
    for name, value in namespace.items():
        if name in template and template[name] is value:
            continue
        if frozen(value) or id(value) in _MODULE_VALUES:
            continue
        kind = type(value)
        if kind is FunctionType:
            if not _own_function(value, namespace):
                return None
            watched.append(value)
        elif kind is BoundModule or kind is GuardedCall:
            if value._g is not guards:
                return None
            if kind is BoundModule:
                value.resolve_all()
            watched.append(value)
        elif literal_data(value):
            flat = kind is not tuple and all(map(frozen, value)) and _frozen_values(value)
            fresh.append((name, value, flat))
        else:
            return None
    entry = namespace.get(ENTRY_POINT)
    if type(entry) is not FunctionType:
        return None  # a run reports it
    return SharedModule(namespace, entry, tuple(fresh), tuple(watched))


def _own_function(fn: FunctionType, namespace: dict[str, Any]) -> bool:
    kwdefaults = fn.__kwdefaults__ or {}
    return (
        fn.__globals__ is namespace
        and fn.__closure__ is None
        and frozen(fn.__defaults__ or ())
        and all(map(frozen, kwdefaults.values()))
    )


def _frozen_values(value: Any) -> bool:
    return type(value) is not dict or all(map(frozen, value.values()))


def literal_data(value: Any) -> bool:
    """Whether ``value`` is dicts, lists, sets and tuples down to immutable leaves."""
    kind = type(value)
    if kind in _ATOMS:
        return True
    if kind is dict:
        return all(map(frozen, value)) and all(map(literal_data, value.values()))
    if kind is list or kind is tuple:
        return all(map(literal_data, value))
    return (kind is set or kind is frozenset) and all(map(frozen, value))


def data_copy(value: Any) -> Any:
    """A deep copy of :func:`literal_data` (immutable parts shared)."""
    kind = type(value)
    if kind is dict:
        return {key: data_copy(item) for key, item in value.items()}
    if kind is list:
        return [data_copy(item) for item in value]
    if kind is set:
        return set(value)
    if kind is tuple and not frozen(value):
        return tuple(data_copy(item) for item in value)
    return value
