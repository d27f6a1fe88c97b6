"""What the runs of one Action share: guards, meter, printer, api and bound hooks, built once.

Building a run's objects (a meter, a printer, the guards, a dozen hooks bound to them, the
``api``) costs more than an empty Action's whole run. A :class:`RunKit` holds them for one
Action and one set of limits, and a run resets only its per-run state: the meter's budget and
clock, the printed lines, what the recorder holds, the ``event`` view's login, the login's
instant, tenant and secrets.

Reuse must never let one login's code touch another's run. Action code reaches the run only
through these objects, so a kit goes back to its pool only when nothing outside it still holds
any of them: after a run that succeeded, every watched object's reference count is back where
it was when the kit was built. A generator left suspended in a garbage cycle, a class instance
holding ``sorted``, a stored ``api`` or ``print``: any of them raises a count, and the kit is
dropped (closed, as a run's meter always was) instead of reused. A failed run drops its kit too.
Module-level state never survives from one login to the next: a module body that only binds
values no run can change runs once per kit (shared_module.py); any other runs in each run, into
a fresh copy of the kit's template.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from types import CodeType
from typing import Any, cast

from contextmfa.sandbox.api import Api, Recorder
from contextmfa.sandbox.cache import ActionCache
from contextmfa.sandbox.event_view import EventView
from contextmfa.sandbox.guards import Guards
from contextmfa.sandbox.limits import Meter, SandboxLimits
from contextmfa.sandbox.printing import Printer, Redactor
from contextmfa.sandbox.runtime_names import run_globals
from contextmfa.sandbox.shared_module import SharedModule, build, runs_once

MAX_IDLE_KITS = 4
"""Kits kept per Action: one per login running it at once, beyond that they are rebuilt."""
_NO_SECRETS = Redactor({})
_NO_EVENT: dict[str, Any] = {}
_NO_SECRETS_GIVEN: dict[str, str] = {}


class RunKit:
    """One Action's reusable run objects (see the module docstring)."""

    __slots__ = (
        "_baseline",
        "_secrets",
        "_watched",
        "api",
        "event",
        "guards",
        "limits",
        "meter",
        "printer",
        "recorder",
        "redact",
        "shared",
        "source",
        "template",
    )

    def __init__(
        self,
        name: str,
        path: str,
        needs: tuple[str, ...],
        limits: SandboxLimits,
        code: CodeType | None = None,
    ) -> None:
        self.limits = limits
        self.source = f"action:{name}"
        self.meter = meter = Meter(limits, path)
        self.redact = _NO_SECRETS
        self._secrets: tuple[tuple[Any, Any], ...] = ()
        self.printer = printer = Printer(
            name, limits.max_output_lines, limits.max_line_chars, _NO_SECRETS
        )
        self.guards = guards = Guards(meter, _EPOCH, printer, ("", name))
        printer.bind(guards.to_text)
        self.recorder = Recorder(name, 0, self.source)
        self.api = Api(self.recorder, meter, cast(ActionCache, None), "", name, _EPOCH)
        self.template = run_globals(name, needs, guards)
        self.event = EventView(_NO_EVENT, _NO_SECRETS_GIVEN)
        """The run's ``event``: shows each run's login from :meth:`start`."""
        self.shared: SharedModule | None = None
        """The module namespace its runs share, when they can (None: executed per run)."""
        if code is not None:
            self.shared = build(code, self.template, guards)
        watched = [guards, meter, printer, self.api, self.api._run, self.event]
        watched.extend(value for key, value in self.template.items() if key in needs)
        if self.shared is not None:
            watched.extend(self.shared.watched)
        self._watched = tuple(watched)
        del guards, meter, printer, watched  # the baseline counts only the kit's own holds
        self._baseline = self._counts()

    def _counts(self) -> list[int]:
        return list(map(sys.getrefcount, self._watched))

    def start(
        self,
        event: dict[str, Any],
        secrets: Mapping[str, str],
        now: datetime,
        tenant_id: str,
        cache: ActionCache,
        steps_so_far: int,
    ) -> dict[str, Any] | None:
        """Reset the per-run state; the run's fresh namespace (a copy of the template), or None
        when its runs share one (``shared``)."""
        if not secrets:
            self.redact = _NO_SECRETS
            self._secrets = ()  # so the next run with secrets builds its redactor again
        else:
            items = tuple(secrets.items())
            if items != self._secrets:
                self.redact = Redactor(secrets)
                self._secrets = items
        printer = self.printer
        if printer._lines or printer._dropped or printer._redact is not self.redact:
            printer.reset(self.redact)  # no call when the last run printed nothing
        self.event.show(event, secrets)
        guards = self.guards
        guards.now = now
        if guards.scope[0] != tenant_id:
            guards.scope = (tenant_id, guards.scope[1])
        # Nothing recorded yet. A run's result takes the containers it holds out of the
        # recorder (runner.py): those left are empty and were never handed over; one that is
        # not empty (no result built) is replaced all the same.
        recorder = self.recorder
        recorder.steps = steps_so_far
        recorder.denied = False
        if recorder.directives:
            recorder.directives = []
        if recorder.app_metadata:
            recorder.app_metadata = {}
        if recorder.user_metadata:
            recorder.user_metadata = {}
        if recorder.id_token_claims:
            recorder.id_token_claims = {}
        if recorder.access_token_claims:
            recorder.access_token_claims = {}
        if recorder.transaction_metadata:
            recorder.transaction_metadata = {}
        run = self.api._run  # the api's run state: its recorder is the kit's, always
        run.cache = cache
        run.tenant_id = tenant_id
        run.now = now
        run.recorded = 0
        self.meter.reset()
        return None if self.shared is not None else self.template.copy()

    def reusable(self) -> bool:
        """Whether nothing outside the kit holds any of its objects (a successful run's end),
        and no code of a finished run reached its meter."""
        if self.meter.reached_after_end:
            return False
        if list(map(sys.getrefcount, self._watched)) != self._baseline:
            return False
        self.guards._classes.clear()  # the last run's classes are its own (no call: every run)
        return True


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class KitPool:
    """Idle kits of one Action, shared by the threads that run it (list ops are atomic)."""

    __slots__ = ("_code", "_idle", "_name", "_needs", "_path")

    def __reduce__(self) -> tuple[Any, ...]:
        return KitPool, (self._name, self._path, self._needs, self._code)  # starts with no kits

    def __init__(
        self, name: str, path: str, needs: tuple[str, ...], code: CodeType | None = None
    ) -> None:
        self._name = name
        self._path = path
        self._needs = needs
        self._code = code if code is not None and runs_once(code, needs) else None
        """The code whose module body each kit runs once (shared_module.py), if it may."""
        self._idle: list[RunKit] = []

    def take(self, limits: SandboxLimits) -> RunKit:
        idle = self._idle
        while idle:
            try:
                kit = idle.pop()
            except IndexError:  # another thread took the last one
                break
            if kit.meter.reached_after_end:  # reached while idle (a late finalizer)
                continue
            if kit.limits is limits or kit.limits == limits:
                return kit
        return RunKit(self._name, self._path, self._needs, limits, self._code)

    def give_back(self, kit: RunKit) -> None:
        """Keep ``kit`` for a later run if nothing escaped this one; else drop it. Its meter is
        closed (Meter.finish), so nothing runs on it between runs."""
        if len(self._idle) < MAX_IDLE_KITS and kit.reusable():
            self._idle.append(kit)
