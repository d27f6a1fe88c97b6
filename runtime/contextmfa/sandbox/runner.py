"""``run_action``: one Action against one login, every failure turned into data.

A run never raises for anything the Action does. It returns an :class:`ActionRun` whose
``error`` says what went wrong (``exception``, ``timeout``, ``limit`` or ``forbidden``), with a
message scrubbed of secrets and host paths and the Action's line. A sandbox error the Action
caught still counts (errors are sticky, see limits.py).

When a run fails, what it recorded before failing is discarded except a ``deny``: the login
follows the tenant's ``on_error`` as if the Action had contributed nothing, but a deny already
issued stands (fail closed). Logs are always kept: they are how the author finds the bug.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import perf_counter_ns
from typing import Any, Literal

from contextmfa.directives import Deny, Directive
from contextmfa.errors import SandboxError
from contextmfa.sandbox import unraisable
from contextmfa.sandbox.api import Recorder
from contextmfa.sandbox.cache import ActionCache
from contextmfa.sandbox.clock import NAIVE_AWARE_HINT
from contextmfa.sandbox.compiler import CompiledAction
from contextmfa.sandbox.fetch import Fetch, HttpPort
from contextmfa.sandbox.kit import RunKit
from contextmfa.sandbox.limits import SandboxLimits
from contextmfa.sandbox.no_entries import NO_ENTRIES
from contextmfa.sandbox.policy import ENTRY_POINT
from contextmfa.sandbox.printing import LogLine, Redactor, scrub_message
from contextmfa.sandbox.textsize import TooLarge, text_size

unraisable.install()  # Action code reached after its run ended: see unraisable.py

ErrorKind = Literal["compile", "exception", "timeout", "limit", "forbidden"]
MAX_MESSAGE_CHARS = 512


@dataclass(frozen=True, slots=True)
class ActionError:
    """Why an Action failed, as recorded in the decision's ``errors``."""

    action: str
    kind: ErrorKind
    message: str
    line: int | None = None


@dataclass(frozen=True)
class ActionRun:
    """Everything one run of one Action produced."""

    action: str
    directives: tuple[Directive, ...] = ()
    logs: tuple[LogLine, ...] = ()
    error: ActionError | None = None
    app_metadata: dict[str, Any] = field(default_factory=dict)
    user_metadata: dict[str, Any] = field(default_factory=dict)
    id_token_claims: dict[str, Any] = field(default_factory=dict)
    access_token_claims: dict[str, Any] = field(default_factory=dict)
    transaction_metadata: dict[str, Any] = field(default_factory=dict)
    denied: bool = False
    duration_us: int = 0

    @classmethod
    def built(cls, fields: dict[str, Any]) -> ActionRun:
        """An ActionRun from every one of its fields at once (the hot path of a run that
        succeeded): a frozen dataclass's ``__init__`` sets them one by one through
        ``object.__setattr__``, which costs about as much as an empty Action's run. Still
        frozen once built."""
        run = object.__new__(cls)
        run.__dict__.update(fields)
        return run


_MAPPINGS = (
    "app_metadata",
    "user_metadata",
    "id_token_claims",
    "access_token_claims",
    "transaction_metadata",
)
for _name in _MAPPINGS:
    setattr(ActionRun, _name, NO_ENTRIES)  # what a run built by _result without it reads
del _name

_AWARE = [datetime(1970, 1, 1, tzinfo=UTC)]
"""The last ``now`` found timezone-aware, held so that no other object can take its id: a
login's Actions share one, and asking its tzinfo for the offset costs a call each time."""


def run_action(
    action: CompiledAction,
    event: dict[str, Any],
    *,
    secrets: Mapping[str, str],
    now: datetime,
    cache: ActionCache,
    tenant_id: str,
    limits: SandboxLimits,
    steps_so_far: int = 0,
    http: HttpPort | None = None,
) -> ActionRun:
    """Run ``action``'s ``on_execute_post_login`` against ``event`` (the enriched event dict).

    ``now`` is the login's timestamp (timezone-aware): the Action's clock and the cache's.
    ``steps_so_far`` counts the challenge/enroll steps earlier Actions of the login queued.
    ``http`` answers the Action's ``fetch`` calls (none: every call is a ``FetchError``).
    """
    started = perf_counter_ns()
    if now is not _AWARE[0]:
        zone = now.tzinfo
        if zone is not UTC and (zone is None or now.utcoffset() is None):
            raise ValueError("run_action: now must be timezone-aware")
        _AWARE[0] = now
    kit = action.kits.take(limits)
    namespace = kit.start(event, secrets, now, tenant_id, cache, steps_so_far)
    recorder = kit.recorder
    failure: BaseException | None = None
    try:
        if namespace is None:  # the module body ran when the kit was built
            shared = kit.shared
            try:
                shared.entry(kit.event, kit.api)  # type: ignore[union-attr]
            finally:
                if shared.fresh:  # type: ignore[union-attr]
                    shared.restore(kit.meter)  # type: ignore[union-attr]
            del shared  # kit.reusable() counts who holds the shared module's objects
        else:
            _execute(action, namespace, kit, http)
    except Exception as exc:
        failure = exc
    kit.meter.finish()  # and closes it; no local holds it: kit.reusable() counts who does
    if kit.meter.tripped is not None:
        failure = kit.meter.tripped
    logs = kit.printer.lines() if kit.printer._lines or kit.printer._dropped else ()
    if failure is not None:  # a failed run's kit is never reused (finish() closed its meter)
        return _failed(action.name, recorder, logs, describe(failure, action, kit.redact), started)
    fields: dict[str, Any] = {
        "action": action.name,
        "duration_us": (perf_counter_ns() - started) // 1000,
    }  # a field left out is read from the class: its default, or NO_ENTRIES for a mapping
    if logs:
        fields["logs"] = logs
    if recorder.directives:
        fields["directives"] = tuple(recorder.directives)
    if recorder.denied:
        fields["denied"] = True
    # A mapping handed over leaves the recorder, which never fills it again.
    for name in _HANDED_OVER:
        entries = getattr(recorder, name)
        if entries:
            fields[name] = entries
            setattr(recorder, name, {})
    run = _new(ActionRun)  # ActionRun.built, inlined: every run that succeeds
    _set_attribute(run, "__dict__", fields)  # the instance's own dict: nothing is copied
    action.kits.give_back(kit)  # after the result: the next run resets the kit's recorder
    return run


_HANDED_OVER = (
    "app_metadata",
    "user_metadata",
    "id_token_claims",
    "access_token_claims",
    "transaction_metadata",
)
"""The recorder's mappings a successful run's result takes over when they hold anything."""


def _execute(action: CompiledAction, namespace: dict[str, Any], kit: RunKit, http: Any) -> None:
    """Run the module body into ``namespace``, then the entry point."""
    if action.fetches:
        namespace["fetch"] = Fetch(kit.meter, http, action.name)
    try:
        exec(action.code, namespace)
        entry = namespace.get(ENTRY_POINT)
        if not callable(entry):
            raise TypeError(f"{ENTRY_POINT} is not a function")
        entry(kit.event, kit.api)
    finally:
        namespace.clear()  # finalize the Action's objects while the meter still runs


def _failed(
    name: str, rec: Recorder, logs: tuple[LogLine, ...], error: ActionError, started: int
) -> ActionRun:
    """A failed run's result: its logs and error, and a deny it issued (fail closed)."""
    return ActionRun(
        action=name,
        directives=tuple(d for d in rec.directives if isinstance(d, Deny))[:1],
        logs=logs,
        error=error,
        denied=rec.denied,
        duration_us=(perf_counter_ns() - started) // 1000,
    )


_new = object.__new__
_set_attribute = object.__setattr__


def describe(exc: BaseException, action: CompiledAction, redact: Redactor) -> ActionError:
    """The decision's view of a failure: kind, a scrubbed one-line message, the Action's line."""
    kind: ErrorKind
    if isinstance(exc, SandboxError):
        kind, message, line = exc.kind, str(exc), exc.line  # type: ignore[assignment]
    elif isinstance(exc, RecursionError):
        kind, message, line = "limit", "recursion too deep", _recursion_line(exc, action.path)
    elif isinstance(exc, MemoryError):
        kind, message, line = "limit", "out of memory", _action_line(exc, action.path)
    else:
        kind, line = "exception", _action_line(exc, action.path)
        message = f"{type(exc).__name__}: {_exception_text(exc)}"
        if isinstance(exc, TypeError) and "offset-naive and offset-aware" in message:
            message += f" ({NAIVE_AWARE_HINT})"
    message = scrub_message(message, redact, action.path, MAX_MESSAGE_CHARS)
    return ActionError(action.name, kind, message, line)


_EXCEPTION_ARGS = BaseException.args
"""The real ``args``, even when the Action's exception class shadows the name."""


def _exception_text(exc: BaseException) -> str:
    try:
        text_size(_EXCEPTION_ARGS.__get__(exc), 4 * MAX_MESSAGE_CHARS)
        return str(exc)  # __str__ of a host class: an Action class cannot define one
    except TooLarge:
        return "(message too long)"
    except Exception:
        return "(message cannot be shown)"


def _recursion_line(exc: BaseException, path: str) -> int | None:
    """The line of the recursive call. When the Action's deepest frame runs a function already
    on the stack, its caller's line is a recursive call (the deepest frame itself may have been
    stopped on entry, at its ``def`` line); otherwise (deep data in a host call) the deepest."""
    frames: list[tuple[Any, int]] = []
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == path:
            frames.append((tb.tb_frame.f_code, tb.tb_lineno))
        tb = tb.tb_next
    if not frames:
        return None
    code = frames[-1][0]
    if len(frames) > 1 and any(other is code for other, _ in frames[:-1]):
        return frames[-2][1]
    return frames[-1][1]


def _action_line(exc: BaseException, path: str) -> int | None:
    """The line of the deepest traceback frame that belongs to the Action."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
