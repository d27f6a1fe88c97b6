"""Text formatting inside an Action: f-strings, ``str.format``, ``%`` and ``format()``.

``"{0.__class__}".format(x)`` walks attributes in C, past every compile-time check; it is the
best-known RestrictedPython escape. Here ``str.format``/``format_map`` run on a
:class:`string.Formatter` whose field lookups go through the same attribute and item guards as
Action code, so a ``_`` name ends the Action as ``forbidden``. Every route also bounds the text it
builds: widths and precisions above ``max_string`` and values whose text would exceed it are
``limit`` errors before any allocation.
"""

from __future__ import annotations

import _string  # type: ignore[import-not-found]
import re
import string
from datetime import date, time
from typing import TYPE_CHECKING, Any

from contextmfa.errors import ActionLimitExceeded
from contextmfa.sandbox.textsize import TooLarge, largest_number, text_size

if TYPE_CHECKING:
    from contextmfa.sandbox.guards import Guards

_PERCENT_SPEC = re.compile(rb"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d*))?")
_CONVERT = {115: str, 114: repr, 97: ascii}  # !s !r !a as f-string conversion codes


def check_spec(g: Guards, spec: str) -> None:
    """Refuse a format spec whose width or precision would build an oversized string."""
    if spec and largest_number(spec) > g.meter.max_str:
        g.meter.trip(ActionLimitExceeded, "format width or precision too large")


def check_text(g: Guards, value: Any, budget: int | None = None) -> None:
    """Prove that the text of ``value`` fits ``budget`` (default ``max_string``)."""
    limit = g.meter.max_str if budget is None else budget
    try:
        text_size(value, limit)
    except TooLarge:
        g.meter.trip(ActionLimitExceeded, f"text too long (over {limit} characters)")
    except RecursionError:
        g.meter.trip(ActionLimitExceeded, "value nested too deeply to convert to text")


_SCALARS = frozenset({int, float, bool, type(None)})
_STRFTIME_TYPES = (date, time)
STRFTIME_GROWTH = 16
"""The most text a strftime directive writes per character of format ("%c" writes 24)."""
"""Their text is short (Python refuses ints over 4300 digits) and needs no estimate."""


def bounded_text(g: Guards, value: Any, convert: Any = str) -> str:
    """``str(value)`` (or repr/ascii) after proving its length fits ``max_string``."""
    kind = type(value)
    if kind is str and convert is str:
        return value
    if kind in _SCALARS:
        return convert(value)
    check_text(g, value)
    text = convert(value)
    g.meter.charge(len(text) >> 6)
    return text


def format_value(g: Guards, value: Any, conversion: int, spec: str | None) -> str:
    """One f-string replacement field: ``{value!conversion:spec}``."""
    if conversion in _CONVERT:
        value = bounded_text(g, value, _CONVERT[conversion])
    if spec:
        check_spec(g, spec)
        if type(value) is not str:
            check_text(g, value)
            if isinstance(value, _STRFTIME_TYPES):  # the spec is a strftime format
                g.meter.check_str(len(spec) * STRFTIME_GROWTH)
        text = format(value, spec)
        g.meter.made_text(len(text))
        return text
    if type(value) is str:
        return value
    return bounded_text(g, value)


def safe_format(g: Guards, value: Any, spec: str = "") -> str:
    """The ``format()`` builtin."""
    if not isinstance(spec, str):
        raise TypeError("format() argument 2 must be str")
    return format_value(g, value, -1, spec)


class SafeFormatter(string.Formatter):
    """``str.format`` whose field walks are guarded and whose output is bounded."""

    def __init__(self, g: Guards) -> None:
        self._g = g
        self._size = 0

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[Any, Any]:
        first, rest = _string.formatter_field_name_split(field_name)
        obj = self.get_value(first, args, kwargs)
        for is_attr, key in rest:
            obj = self._g.getattr(obj, key) if is_attr else obj[key]
        return obj, first

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion is None:
            return value
        convert = {"s": str, "r": repr, "a": ascii}.get(conversion)
        if convert is None:
            raise ValueError(f"Unknown conversion specifier {conversion}")
        return bounded_text(self._g, value, convert)

    def format_field(self, value: Any, format_spec: str) -> str:
        text = format_value(self._g, value, -1, format_spec)
        self._size += len(text)
        self._g.meter.check_str(self._size)
        return text


def str_format(g: Guards, template: str, *args: Any, **kwargs: Any) -> str:
    """``template.format(*args, **kwargs)``."""
    text = SafeFormatter(g).vformat(template, args, kwargs)
    g.meter.made_text(len(text))
    return text


def str_format_map(g: Guards, template: str, mapping: Any) -> str:
    """``template.format_map(mapping)``."""
    text = SafeFormatter(g).vformat(template, (), mapping)
    g.meter.made_text(len(text))
    return text


def percent_format(g: Guards, template: str | bytes, args: Any) -> str | bytes:
    """``template % args`` for str or bytes, bounded before formatting."""
    raw = str.encode(template, "utf-8", "surrogatepass") if isinstance(template, str) else template
    for width, precision in _PERCENT_SPEC.findall(raw):
        for number in (width, precision):
            if number == b"*":
                g.meter.trip(ActionLimitExceeded, "'*' width in % formatting is not supported")
            if number and (len(number) > 9 or int(number) > g.meter.max_str):
                g.meter.trip(ActionLimitExceeded, "format width or precision too large")
    check_text(g, args, g.meter.max_str - len(template))
    result = template % args
    g.meter.made_text(len(result))
    return result
