"""One Action's run as JSON, both ways; decoding checks everything, as for any untrusted input.

A worker is where hostile code runs, so whatever it sends back is read like a request from the
network: plain JSON only (never pickle or marshal, whose loaders can be made to run code or
crash), every field's type and range checked, directives rebuilt from the spec's vocabulary and
their ``source`` set by the parent, not taken from the worker. A record that does not pass is a
:class:`ValueError`; the parent then treats the worker as failed.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from contextmfa.directives import FACTORS, Deny, Directive, Require, Skip, Step
from contextmfa.sandbox.api_checks import MAX_DIRECTIVES, MAX_REASON_CHARS
from contextmfa.sandbox.printing import LogLine
from contextmfa.sandbox.runner import ActionError, ActionRun

KINDS = frozenset({"exception", "timeout", "limit", "forbidden"})
_FACTORS = frozenset(FACTORS)
_MAX_MESSAGE = 1024


_NOTHING_HEAD = b"[[],[],null,{},{},{},{},{},"
"""How every run that asked for nothing, printed nothing and failed not begins (most runs)."""
_NOTHING = re.compile(re.escape(_NOTHING_HEAD) + rb"(true|false),(0|[1-9][0-9]{0,17})\]")
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
"""One encoder for every run: ``json.dumps`` with options builds a new one per call."""


def encode(run: ActionRun) -> bytes:
    """The worker's side: an ActionRun as compact JSON bytes."""
    error = run.error
    if error is None and not (
        run.directives
        or run.logs
        or run.app_metadata
        or run.user_metadata
        or run.id_token_claims
        or run.access_token_claims
        or run.transaction_metadata
    ):  # what json.dumps gives below, without walking the run
        return b"%s%s,%d]" % (_NOTHING_HEAD, b"true" if run.denied else b"false", run.duration_us)
    data = [
        [_directive(d) for d in run.directives],
        [log.line for log in run.logs],
        None if error is None else [error.kind, error.message, error.line],
        run.app_metadata,
        run.user_metadata,
        run.id_token_claims,
        run.access_token_claims,
        run.transaction_metadata,
        run.denied,
        run.duration_us,
    ]
    return _ENCODER.encode(data).encode("utf-8")


def _directive(d: Directive) -> list[Any]:
    if isinstance(d, Deny):
        return ["deny", d.reason]
    if isinstance(d, Require):
        return ["require", None if d.factors is None else sorted(d.factors), d.remember]
    if isinstance(d, Step):
        return ["step", d.kind, sorted(d.factors)]
    return ["skip"]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-finite number {name}")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_SCAN = _DECODER.scan_once


def _json(record: bytes) -> Any:
    """The one JSON value that is the whole record (no whitespace around it: a worker writes
    none), read by the decoder's scanner without ``JSONDecoder.decode``'s two whitespace
    matches; anything else is ValueError."""
    text = record.decode("utf-8")
    try:
        value, end = _SCAN(text, 0)
    except StopIteration:
        raise ValueError("malformed record") from None
    if end != len(text):
        raise ValueError("malformed record")
    return value


def decode(record: bytes, action: str, max_lines: int, line_chars: int) -> ActionRun:
    """The parent's side: rebuild and check the run of Action ``action``."""
    nothing = _NOTHING.fullmatch(record)
    if nothing is not None:  # the whole record is exactly that of an empty run
        return ActionRun.built(
            {
                "action": action,
                "directives": (),
                "logs": (),
                "error": None,
                "app_metadata": {},
                "user_metadata": {},
                "id_token_claims": {},
                "access_token_claims": {},
                "transaction_metadata": {},
                "denied": nothing[1] == b"true",
                "duration_us": int(nothing[2]),
            }
        )
    data = _json(record)
    if type(data) is not list or len(data) != 10:
        raise ValueError("malformed record")
    directives, logs, error, app, user, id_token, access, transaction, denied, duration = data
    if type(directives) is not list or len(directives) > MAX_DIRECTIVES:
        raise ValueError("malformed directives")
    if type(logs) is not list or len(logs) > max_lines + 1:  # + the "lines dropped" line
        raise ValueError("malformed logs")
    if type(denied) is not bool or type(duration) is not int or duration < 0:
        raise ValueError("malformed flags")
    source = "action:" + action
    return ActionRun.built(  # every field checked above or here; built() skips 11 setattrs
        {
            "action": action,
            "directives": tuple([_rebuild(d, source) for d in directives]) if directives else (),
            "logs": (
                tuple([LogLine(action, _text(line, line_chars)) for line in logs]) if logs else ()
            ),
            "error": None if error is None else _error(error, action),
            "app_metadata": _mapping(app),
            "user_metadata": _mapping(user),
            "id_token_claims": _mapping(id_token),
            "access_token_claims": _mapping(access),
            "transaction_metadata": _mapping(transaction),
            "denied": denied,
            "duration_us": duration,
        }
    )


def decode_unless_empty(
    record: bytes, action: str, max_lines: int, line_chars: int
) -> ActionRun | None:
    """:func:`decode`, but None for a run that asked for nothing, printed nothing, failed not
    and denied not: what :meth:`~contextmfa.flow.FlowOutcome.absorb` would ignore (most runs),
    checked as exactly but never built."""
    nothing = _NOTHING.fullmatch(record)
    if nothing is not None and nothing[1] == b"false":
        return None
    return decode(record, action, max_lines, line_chars)


def _text(value: Any, limit: int) -> str:
    if type(value) is not str or len(value) > limit:
        raise ValueError("malformed text")
    return value


def _factors(value: Any) -> frozenset[str]:
    if type(value) is not list or not value or not all(f in _FACTORS for f in value):
        raise ValueError("malformed factors")
    return frozenset(value)


def _rebuild(item: Any, source: str) -> Directive:
    if type(item) is not list or not item:
        raise ValueError("malformed directive")
    tag, rest = item[0], item[1:]
    if tag == "deny" and len(rest) == 1:
        return Deny(_text(rest[0], MAX_REASON_CHARS), source)
    if tag == "require" and len(rest) == 2 and type(rest[1]) is bool:
        return Require(None if rest[0] is None else _factors(rest[0]), rest[1], source)
    if tag == "step" and len(rest) == 2 and rest[0] in ("challenge", "enroll"):
        return Step(rest[0], _factors(rest[1]), source)
    if tag == "skip" and not rest:
        return Skip(source)
    raise ValueError("malformed directive")


def _error(value: Any, action: str) -> ActionError:
    if type(value) is not list or len(value) != 3 or value[0] not in KINDS:
        raise ValueError("malformed error")
    line = value[2]
    if line is not None and (type(line) is not int or not 0 < line < 1_000_000):
        raise ValueError("malformed error line")
    return ActionError(action, value[0], _text(value[1], _MAX_MESSAGE), line)


def _mapping(value: Any) -> dict[str, Any]:
    if type(value) is not dict:
        raise ValueError("malformed mapping")
    if value:
        _check_plain(value, 0)
    return value


def _check_plain(value: Any, depth: int) -> None:
    """json.loads builds only plain values; bound the nesting (the sandbox allows 32 levels)."""
    if depth > 40:
        raise ValueError("value nested too deeply")
    if type(value) is dict:
        for item in value.values():
            _check_plain(item, depth + 1)
    elif type(value) is list:
        for item in value:
            _check_plain(item, depth + 1)
    elif type(value) is float and not math.isfinite(value):
        raise ValueError("non-finite number")
