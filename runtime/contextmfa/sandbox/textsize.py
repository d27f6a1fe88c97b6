"""An upper bound on the length of ``str()``/``repr()``/JSON of a value, found within a budget.

``[s] * 10_000`` is a small list whose text is a billion characters, and nesting multiplies
that again; Python builds such text in C without a chance to stop. Before converting a value to
text, the guards walk it here, adding up a generous estimate and giving up as soon as the budget
is spent, so the walk itself is bounded by the budget, never by the value's apparent size.
"""

from __future__ import annotations

import re
from typing import Any

import regex

from contextmfa.sandbox.event_view import ListView, RecordView, SecretsView

_EXCEPTION_ARGS = BaseException.args
"""The real ``args`` of an exception, even when the Action's subclass shadows the name."""
_FIXED = 256
"""Bound for objects with a short fixed-form repr (datetimes, addresses, functions, ...)."""


class TooLarge(Exception):
    """The estimate passed the budget."""


def text_size(value: Any, budget: int, *, json: bool = False) -> int:
    """Estimated characters of ``repr(value)`` (or JSON); raises :class:`TooLarge`."""
    return text_size_and_depth(value, budget, json=json)[0]


def text_size_and_depth(value: Any, budget: int, *, json: bool = False) -> tuple[int, int]:
    """The estimate and the deepest container nesting met (for indented JSON)."""
    walker = _Walker(budget, json)
    size = walker.size(value)
    if size > budget:
        raise TooLarge
    return size, walker.depth


class _Walker:
    __slots__ = ("budget", "depth", "json", "path", "spent")

    def __init__(self, budget: int, json: bool) -> None:
        self.budget = budget
        self.json = json
        self.spent = 0
        self.depth = 0
        self.path: set[int] = set()

    def add(self, size: int) -> int:
        self.spent += size
        if self.spent > self.budget:
            raise TooLarge
        return size

    def size(self, value: Any) -> int:
        kind = type(value)
        if kind is str:
            return self.add(self.str_size(value))
        if kind is int:
            return self.add(value.bit_length() * 30103 // 100000 + 2)
        if kind is float or kind is bool or value is None:
            return self.add(24)
        if kind is bytes:
            return self.add(len(value) * 4 + 3)
        if isinstance(value, SecretsView):
            return self.add(_FIXED)
        if isinstance(value, (RecordView, ListView)):
            return self.size(value._data)
        if isinstance(value, (list, tuple, set, frozenset, dict)):
            return self.container(value)
        if isinstance(value, str):
            return self.add(self.str_size(value))
        if isinstance(value, BaseException):
            return self.add(64) + self.container(_EXCEPTION_ARGS.__get__(value))
        if isinstance(value, (re.Pattern, regex.Pattern)):
            return self.add(_FIXED) + self.size(value.pattern)
        if isinstance(value, (re.Match, regex.Match)):
            return self.add(_FIXED) + self.size(value.group(0))
        return self.add(_FIXED)

    def str_size(self, text: str) -> int:
        # str's own methods: a subclass of the Action's could answer anything.
        if str.isascii(text) and str.isprintable(text):
            return len(text) + 2
        if self.json:
            return len(str.encode(text, "utf-16-le", "surrogatepass")) * 3 + 2  # \\uXXXX
        return len(text) * 10 + 2  # repr's worst escape is \\U0001xxxx

    def container(self, value: Any) -> int:
        ident = id(value)
        if ident in self.path:
            return self.add(8)  # repr prints a cycle as [...]
        self.path.add(ident)
        self.depth = max(self.depth, len(self.path))
        total = self.add(2)
        if isinstance(value, dict):
            for key, item in dict.items(value):
                total += self.add(4) + self.size(key) + self.size(item)
        else:
            for item in value:
                total += self.add(2) + self.size(item)
        self.path.discard(ident)
        return total


_NUMBER = re.compile(r"\d+")


def largest_number(spec: str) -> int:
    """The largest decimal number written in a format spec (a width or precision)."""
    return max((int(m) if len(m) < 10 else 10**10 for m in _NUMBER.findall(spec)), default=0)
