"""The globals of a run: shared ones built once, per-run ones bound to the run's guards.

Instrumented Action code reads RestrictedPython's hooks (``_getattr_``, ``_write_``, ...), our
hooks (``_step_``, ``_add_``, ...) and builtins as globals. Those that need the run's meter or
clock are bound per run, and only the ones the compiled code actually reads (``needs``), which
keeps a run's setup to a few microseconds. A fresh namespace per run also means module-level
state never survives from one login to the next.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from contextmfa.sandbox.augmented import aug_attribute, aug_item, aug_store
from contextmfa.sandbox.callables import GuardedCall
from contextmfa.sandbox.fetch import FetchError
from contextmfa.sandbox.guards import Guards
from contextmfa.sandbox.helpers import distance_km, ip_in_range
from contextmfa.sandbox.matching import match_class, match_mapping, match_sequence
from contextmfa.sandbox.safe_builtins import RUN_BUILTIN_NAMES, STATIC_BUILTINS, bind_builtin
from contextmfa.sandbox.stable import ordered_iter
from contextmfa.sandbox.supers import super_init, super_of
from contextmfa.sandbox.timezones import local_time
from contextmfa.sandbox.typeof import type_name


def _apply(function: Any, *args: Any, **kwargs: Any) -> Any:
    return function(*args, **kwargs)


STATIC_GLOBALS: dict[str, Any] = {
    "__builtins__": STATIC_BUILTINS,
    "_getiter_": ordered_iter,
    "_apply_": _apply,
    "ip_in_range": ip_in_range,
    "distance_km": distance_km,
    "FetchError": FetchError,
}

RUN_HELPERS: dict[str, Callable[[Guards], Any]] = {
    "local_time": lambda g: GuardedCall(local_time, g, "local_time"),
}
"""Helper globals that read the run's clock, so they are bound per run like the hooks."""

_HOOKS: dict[str, Callable[[Guards], Any]] = {
    **RUN_HELPERS,
    "_getattr_": lambda g: g.getattr,
    "_getpath_": lambda g: g.getpath,
    "_write_": lambda g: g.write,
    "_unpack_sequence_": lambda g: g.unpack_sequence,
    "_iter_unpack_sequence_": lambda g: g.iter_unpack_sequence,
    "_inplacevar_": lambda g: g.inplacevar,
    "_print_": lambda g: g.print_factory,
    "__metaclass__": lambda g: g.make_class,
    "_step_": lambda g: g.meter.step,
    "_stepc_": lambda g: g.meter.step_true,
    "_enter_": lambda g: g.meter.enter,
    "_leave_": lambda g: g.meter.leave,
    "_getitem_": lambda g: g.getitem,
    "_add_": lambda g: g.add,
    "_sub_": lambda g: g.sub,
    "_or_": lambda g: g.bit_or,
    "_and_": lambda g: g.bit_and,
    "_xor_": lambda g: g.bit_xor,
    "_dstar_": lambda g: g.double_star,
    "_text_": lambda g: g.text,
    "_mul_": lambda g: g.mul,
    "_mod_": lambda g: g.mod,
    "_pow_": lambda g: g.pow,
    "_lshift_": lambda g: g.lshift,
    "_star_": lambda g: g.star,
    "_hstar_": lambda g: g.hashed_star,
    "_fmt_": lambda g: g.fmt,
    "_seq_": lambda g: g.seq,
    "_augitem_": lambda g: GuardedCall(aug_item, g, "augmented assignment"),
    "_augattr_": lambda g: GuardedCall(aug_attribute, g, "augmented assignment"),
    "_augset_": lambda g: GuardedCall(aug_store, g, "augmented assignment"),
    "_typename_": lambda g: GuardedCall(type_name, g, "type"),
    "_super_": lambda g: GuardedCall(super_of, g, "super"),
    "_superinit_": lambda g: GuardedCall(super_init, g, "super"),
    "_mseq_": lambda g: GuardedCall(match_sequence, g, "match"),
    "_mmap_": lambda g: GuardedCall(match_mapping, g, "match"),
    "_mcls_": lambda g: GuardedCall(match_class, g, "match"),
}

PORT_HELPERS = frozenset({"fetch"})
"""Helper globals the runner binds itself, since they reach a port of the host (fetch.py)."""

PER_RUN_NAMES = frozenset(_HOOKS) | RUN_BUILTIN_NAMES | PORT_HELPERS


def needed_names(tree: ast.AST, candidates: frozenset[str]) -> tuple[str, ...]:
    """The per-run globals the instrumented code reads (only those are bound per run)."""
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return tuple(sorted(used & candidates))


def run_globals(name: str, needs: tuple[str, ...], g: Guards) -> dict[str, Any]:
    """A fresh module namespace for one run of Action ``name``."""
    namespace = {**STATIC_GLOBALS, "__name__": name, "_guards_": g}
    for key in needs:
        if key in PORT_HELPERS:
            continue
        hook = _HOOKS.get(key)
        namespace[key] = hook(g) if hook is not None else bind_builtin(key, g)
    return namespace
