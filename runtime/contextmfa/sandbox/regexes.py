"""The Action's ``re`` module: ``re``'s API on the ``regex`` engine, every match under a deadline.

A pattern like ``(a|aa)+$`` backtracks for minutes inside one C call that no step hook can
interrupt, and Python's ``re`` has no timeout: one tenant could stall a worker at will. The
``regex`` package, in its ``re``-compatible ``VERSION0`` mode, accepts a ``timeout`` on every
matching call; each call here passes what is left of the run's wall-time budget and turns the
engine's ``TimeoutError`` into the run's ``timeout``.

Only ``re``'s API is exposed (``regex`` extras such as ``subf``/``expandf``, which format with
``str.format`` semantics, or ``scanner`` are not), through allowlists on patterns and matches.
``match``/``search``/``fullmatch`` results on short strings are memoized per process, keyed by
tenant and Action too (no tenant can time another's lookups); match objects are read-only to
Actions (``detach_string``, the one mutator, is not exposed), so a shared result cannot carry
anything from one run to another. Compiling has no deadline, so patterns are bounded before it
(:func:`check_complexity`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import regex

from contextmfa.errors import ActionForbidden, ActionLimitExceeded, ActionTimeout
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


MAX_PATTERN_CHARS = 4_096
MAX_REPEAT_PRODUCT = 40_000
"""The engine expands fixed repeats while compiling: ``((a{100}){100}){100}`` takes seconds and
``(?:(?:(?:a{100}){100}){100}){100}`` minutes, in host code that no deadline reaches. A pattern
whose nested minimum repeat counts multiply past this bound is refused before compiling."""
_QUANTIFIER = regex.compile(r"\{(\d*)(?:,(\d*))?\}")
_BRACED_ESCAPES = frozenset("pPNxuUg")


class PatternTooComplex(Exception):
    """Raised by :func:`check_complexity`; the guards turn it into a ``limit`` error."""


def check_complexity(pattern: str | bytes) -> None:
    """Refuse a pattern that is too long, or whose nested repeats would take long to compile."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise PatternTooComplex(f"regular expression longer than {MAX_PATTERN_CHARS} characters")
    text = pattern if isinstance(pattern, str) else pattern.decode("latin-1")
    if _repeat_product(text) > MAX_REPEAT_PRODUCT:
        raise PatternTooComplex("regular expression with too many nested repeats")


def _repeat_product(text: str) -> int:
    """About how many nodes compiling ``text`` builds: every atom counts one, a repeat
    multiplies what it repeats by its minimum count, nested repeats multiply again."""
    frames = [[0, 0]]  # per open group: [nodes so far, nodes of the last atom or group]
    i, size = 0, len(text)
    while i < size:
        char = text[i]
        frame = frames[-1]
        if char == "\\":
            i += 2
            if i - 1 < size and text[i - 1] in _BRACED_ESCAPES and text[i : i + 1] in "{<":
                close = text.find("}" if text[i] == "{" else ">", i)
                i = size if close < 0 else close + 1
            frame[0], frame[1] = frame[0] + 1, 1
            continue
        if char == "[":
            i = _class_end(text, i + 1)
            frame[0], frame[1] = frame[0] + 1, 1
            continue
        if char == "(":
            if text.startswith("(?#", i):
                close = text.find(")", i)
                i = size if close < 0 else close + 1
                continue
            frames.append([0, 0])
        elif char == ")" and len(frames) > 1:
            inner = max(frames.pop()[0], 1)
            frames[-1][0] += inner
            frames[-1][1] = inner
        elif char == "{" and (found := _QUANTIFIER.match(text, i)) is not None:
            count = max(int(found.group(1) or 0), 1)
            frame[0] += frame[1] * (count - 1)
            frame[1] *= count
            i = found.end()
            continue
        elif char not in "*+?|":
            frame[0], frame[1] = frame[0] + 1, 1
        i += 1
    return sum(frame[0] for frame in frames)


def _class_end(text: str, i: int) -> int:
    if text[i : i + 1] == "^":
        i += 1
    if text[i : i + 1] == "]":
        i += 1
    while i < len(text) and text[i] != "]":
        i += 2 if text[i] == "\\" else 1
    return i + 1


@lru_cache(maxsize=1024)
def _compiled(pattern: str | bytes, flags: int) -> Pattern:
    """Checked and compiled once per (pattern, flags); a refused pattern raises and is not kept."""
    check_complexity(pattern)
    return regex.compile(pattern, flags | _VERSION)


def compile_pattern(g: Guards, pattern: Any, flags: int = 0) -> Pattern:
    """``re.compile``: compiled once per (pattern, flags) for the process, after the checks of
    :func:`check_complexity` (compiling runs in the host, with no deadline)."""
    if isinstance(pattern, Pattern):
        return pattern
    if not isinstance(pattern, (str, bytes)) or not isinstance(flags, int):
        raise TypeError("first argument must be a string or compiled pattern")
    pattern = str(pattern) if isinstance(pattern, str) else bytes(pattern)
    try:
        return _compiled(pattern, int(flags))
    except PatternTooComplex as exc:
        g.meter.trip(ActionLimitExceeded, str(exc))


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


_MEMO: dict[tuple[tuple[str, str], Pattern, str, str], Any] = {}
MEMO_ENTRIES = 16_384
MEMO_TEXT = 256
"""Short-text results kept per process: Actions match the same secrets and ids login after login,
and a deadline costs the regex engine ~4 µs per call against ~0.4 µs for the match itself."""


def _matcher(name: str) -> Callable[..., Any]:
    def method(g: Guards, pattern: Pattern, string: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or type(string) is not str or len(string) > MEMO_TEXT:
            return _timed(g, getattr(pattern, name), string, *args, **kwargs)
        key = (g.scope, pattern, name, string)
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
    if isinstance(template, str):
        slashes = str.count(template, "\\")
    else:
        slashes = bytes.count(template, b"\\")
    return len(template) + slashes * widest


def pattern_subn(g: Guards, pattern: Pattern, repl: Any, string: Any, count: int = 0) -> Any:
    """``Pattern.subn`` with the output built piece by piece against ``max_string``."""
    produced = [len(string)]
    if isinstance(repl, str):
        repl = str(repl)
    elif isinstance(repl, bytes):
        repl = bytes(repl)

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
        return method(g, compile_pattern(g, pattern, flags), string)

    function.__name__ = name
    return function


def _split(g: Guards, pattern: Any, string: Any, maxsplit: int = 0, flags: int = 0) -> Any:
    return PATTERN_METHODS["split"](g, compile_pattern(g, pattern, flags), string, maxsplit)


def _sub(g: Guards, pattern: Any, repl: Any, string: Any, count: int = 0, flags: int = 0) -> Any:
    return pattern_subn(g, compile_pattern(g, pattern, flags), repl, string, count)[0]


def _subn(g: Guards, pattern: Any, repl: Any, string: Any, count: int = 0, flags: int = 0) -> Any:
    return pattern_subn(g, compile_pattern(g, pattern, flags), repl, string, count)


def _compile(g: Guards, pattern: Any, flags: int = 0) -> Pattern:
    return compile_pattern(g, pattern, flags)


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
