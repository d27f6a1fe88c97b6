"""The Action's ``re`` module: ``re``'s API on the ``regex`` engine, every match under a deadline.

A pattern like ``(a|aa)+$`` backtracks for minutes inside one C call that no step hook can
interrupt, and Python's ``re`` has no timeout: one tenant could stall a worker at will. The
``regex`` package, in its ``re``-compatible ``VERSION0`` mode, accepts a ``timeout`` on every
matching call; each call here passes what is left of the run's wall-time budget and turns the
engine's ``TimeoutError`` into the run's ``timeout``.

Only ``re``'s API is exposed (``regex`` extras such as ``subf``/``expandf``, which format with
``str.format`` semantics, or ``scanner`` are not), through allowlists on patterns and matches.
``match``/``search``/``fullmatch`` results on short strings are memoized per process; match
objects are read-only to Actions (``detach_string``, the one mutator, is not exposed), so a shared
result cannot carry anything from one run to another.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import regex

from contextmfa.errors import ActionForbidden, ActionTimeout
from contextmfa.sandbox.callables import BoundGuard

if TYPE_CHECKING:
    from contextmfa.sandbox.guards import Guards

Pattern = regex.Pattern
Match = regex.Match
_VERSION = regex.VERSION0

FLAGS = {
    name: getattr(regex, name)
    for name in (
        "A",
        "ASCII",
        "I",
        "IGNORECASE",
        "M",
        "MULTILINE",
        "S",
        "DOTALL",
        "X",
        "VERBOSE",
        "U",
        "UNICODE",
    )
}


@lru_cache(maxsize=1024)
def _compiled(pattern: str | bytes, flags: int) -> Pattern:
    return regex.compile(pattern, flags | _VERSION)


def compile_pattern(pattern: Any, flags: int = 0) -> Pattern:
    """``re.compile``: compiled once per (pattern, flags) for the process."""
    if isinstance(pattern, Pattern):
        return pattern
    if not isinstance(pattern, (str, bytes)) or not isinstance(flags, int):
        raise TypeError("first argument must be a string or compiled pattern")
    return _compiled(pattern, flags)


def _deadline(g: Guards) -> float:
    left = g.meter.seconds_left()
    if left <= 0:
        g.meter.trip(ActionTimeout, f"timed out after {g.meter.limits.timeout_ms} ms")
    return left


def _timed(g: Guards, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, **kwargs, timeout=_deadline(g))
    except TimeoutError:
        g.meter.trip(ActionTimeout, f"timed out after {g.meter.limits.timeout_ms} ms (regex)")


# -- pattern methods: fn(g, pattern, *args) -----------------------------------------------------


_MEMO: dict[tuple[Pattern, str, str], Any] = {}
MEMO_ENTRIES = 16_384
MEMO_TEXT = 256
"""Short-text results kept per process: Actions match the same secrets and ids login after login,
and a deadline costs the regex engine ~4 µs per call against ~0.4 µs for the match itself."""


def _matcher(name: str) -> Callable[..., Any]:
    def method(g: Guards, pattern: Pattern, string: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or type(string) is not str or len(string) > MEMO_TEXT:
            return _timed(g, getattr(pattern, name), string, *args, **kwargs)
        key = (pattern, name, string)
        try:
            return _MEMO[key]
        except KeyError:
            pass
        result = _timed(g, getattr(pattern, name), string)
        if len(_MEMO) >= MEMO_ENTRIES:
            _MEMO.clear()
        _MEMO[key] = result
        return result

    method.__name__ = name
    return method


def _listing(name: str) -> Callable[..., Any]:
    def method(g: Guards, pattern: Pattern, string: Any, *args: Any, **kwargs: Any) -> Any:
        result = _timed(g, getattr(pattern, name), string, *args, **kwargs)
        g.meter.made_items(len(result))
        return result

    method.__name__ = name
    return method


def _finditer(g: Guards, pattern: Pattern, string: Any, *args: Any, **kwargs: Any) -> Any:
    return g.counted(_timed(g, pattern.finditer, string, *args, **kwargs))


def _expand_bound(template: Any, match: Match) -> int:
    groups = [g for g in (match.group(0), *match.groups()) if g is not None]
    widest = max((len(g) for g in groups), default=0)
    return len(template) + template.count("\\" if isinstance(template, str) else b"\\") * widest


def pattern_subn(g: Guards, pattern: Pattern, repl: Any, string: Any, count: int = 0) -> Any:
    """``Pattern.subn`` with the output built piece by piece against ``max_string``."""
    produced = [len(string)]

    def replace(match: Match) -> Any:
        g.meter.step()
        if callable(repl):
            text = repl(match)
        else:
            g.meter.check_str(produced[0] + _expand_bound(repl, match))
            text = match.expand(repl)
        produced[0] += len(text)
        g.meter.check_str(produced[0])
        return text

    result = _timed(g, pattern.subn, replace, string, count)
    g.meter.charge(len(result[0]) >> 6)
    return result


def _pattern_sub(g: Guards, pattern: Pattern, repl: Any, string: Any, count: int = 0) -> Any:
    return pattern_subn(g, pattern, repl, string, count)[0]


def _match_expand(g: Guards, match: Match, template: Any) -> Any:
    g.meter.check_str(_expand_bound(template, match))
    return match.expand(template)


PATTERN_METHODS: dict[str, Callable[..., Any]] = {
    "match": _matcher("match"),
    "search": _matcher("search"),
    "fullmatch": _matcher("fullmatch"),
    "finditer": _finditer,
    "findall": _listing("findall"),
    "split": _listing("split"),
    "sub": _pattern_sub,
    "subn": pattern_subn,
}
_PATTERN_VALUES = frozenset({"pattern", "flags", "groups", "groupindex"})
_MATCH_VALUES = frozenset(
    [
        "group",
        "groups",
        "groupdict",
        "start",
        "end",
        "span",
        "string",
        "re",
        "pos",
        "endpos",
        "lastindex",
        "lastgroup",
        "regs",
        "captures",
        "starts",
        "ends",
        "spans",
        "capturesdict",
        "allcaptures",
        "allspans",
    ]
)


def pattern_attribute(g: Guards, pattern: Pattern, name: str) -> Any:
    method = PATTERN_METHODS.get(name)
    if method is not None:
        return BoundGuard(method, g, pattern)
    if name in _PATTERN_VALUES:
        return getattr(pattern, name)
    g.meter.trip(ActionForbidden, f"Pattern.{name} is not available in Actions")


def match_attribute(g: Guards, match: Match, name: str) -> Any:
    if name == "expand":
        return BoundGuard(_match_expand, g, match)
    if name in _MATCH_VALUES:
        return getattr(match, name)
    g.meter.trip(ActionForbidden, f"Match.{name} is not available in Actions")


# -- the module's functions: fn(g, pattern, ...) -------------------------------------------------


def _module_call(name: str) -> Callable[..., Any]:
    method = PATTERN_METHODS[name]

    def function(g: Guards, pattern: Any, string: Any, flags: int = 0) -> Any:
        return method(g, compile_pattern(pattern, flags), string)

    function.__name__ = name
    return function


def _split(g: Guards, pattern: Any, string: Any, maxsplit: int = 0, flags: int = 0) -> Any:
    return PATTERN_METHODS["split"](g, compile_pattern(pattern, flags), string, maxsplit)


def _sub(g: Guards, pattern: Any, repl: Any, string: Any, count: int = 0, flags: int = 0) -> Any:
    return pattern_subn(g, compile_pattern(pattern, flags), repl, string, count)[0]


def _subn(g: Guards, pattern: Any, repl: Any, string: Any, count: int = 0, flags: int = 0) -> Any:
    return pattern_subn(g, compile_pattern(pattern, flags), repl, string, count)


def _compile(g: Guards, pattern: Any, flags: int = 0) -> Pattern:
    return compile_pattern(pattern, flags)


VALUES: dict[str, Any] = {
    **FLAGS,
    "NOFLAG": 0,
    "escape": regex.escape,
    "error": regex.error,
    "Pattern": Pattern,
    "Match": Match,
}
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "compile": _compile,
    "sub": _sub,
    "subn": _subn,
    "split": _split,
    **{
        name: _module_call(name) for name in ("match", "search", "fullmatch", "finditer", "findall")
    },
}
