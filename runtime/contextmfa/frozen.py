"""Frozen slots dataclasses made without their ``__init__``, where the engine makes one per login.

A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``, about a tenth
of a microsecond a field on top of the call (a decision has seventeen fields, and a replay makes
thousands a second). ``slot_fillers`` gives the slots' own setters, which the frozen
``__setattr__`` does not stand in front of; ``fill`` makes an object with them. The result is
the very object the constructor makes: equal, hashed and frozen the same (assigning to a field
still raises ``FrozenInstanceError``). Only for classes without ``__post_init__``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

__all__ = ["fill", "slot_fillers"]

T = TypeVar("T")
_new = object.__new__


def slot_fillers(cls: type, names: str) -> tuple[Any, ...]:
    """The setters of ``cls``'s slots, for ``names`` (space-separated): every field, in order.

    A field added to the class and not to the names fails here, at import, rather than leaving
    a half-made object.
    """
    wanted = tuple(names.split())
    if wanted != tuple(f.name for f in dataclasses.fields(cls)):
        raise TypeError(f"{cls.__name__}: the slots to fill are not its fields in order")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: has a __post_init__ that filling would skip")
    return tuple(cls.__dict__[name].__set__ for name in wanted)


def fill(cls: type[T], fillers: tuple[Any, ...], values: tuple[Any, ...]) -> T:
    """A ``cls`` with each field set to its value, in ``slot_fillers`` order.

    ``values`` is a tuple written out at the call, one value per field (not checked here: a
    strict ``zip`` would cost a third of what filling saves).
    """
    made = _new(cls)
    for setter, value in zip(fillers, values):  # noqa: B905
        setter(made, value)
    return made
