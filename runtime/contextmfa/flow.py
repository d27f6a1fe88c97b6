"""The Action flow: a tenant's compiled Actions run in order against one login.

A flow runs every Action in flow order, stops at the first deny (an ``api.access.deny`` or an
``on_error = "deny"``), and gathers what they asked for into one :class:`FlowOutcome`. The engine
puts the outcome's directives after acr's and the rules', then resolves.

``InlineFlow`` runs in this process (fast: replay). Process isolation runs the same flow in a
worker process behind the same ``run`` signature.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from contextmfa.directives import Deny, Directive, Require, Step
from contextmfa.sandbox import ActionCache, ActionRun, CompiledAction, SandboxLimits, run_action
from contextmfa.sandbox.fetch import HttpPort
from contextmfa.sandbox.timezones import preload

__all__ = ["ActionFlow", "FlowOutcome", "InlineFlow"]


@dataclass(slots=True, init=False)
class FlowOutcome:
    """What one login's Actions produced, in flow order."""

    directives: list[Directive] = field(default_factory=list)
    logs: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    app_metadata: dict[str, Any] = field(default_factory=dict)
    user_metadata: dict[str, Any] = field(default_factory=dict)
    id_token: dict[str, Any] = field(default_factory=dict)
    access_token: dict[str, Any] = field(default_factory=dict)
    transaction: dict[str, Any] = field(default_factory=dict)
    steps: int = 0
    stopped: bool = False

    def __init__(
        self,
        directives: list[Directive] | None = None,
        logs: list[dict[str, Any]] | None = None,
        errors: list[dict[str, Any]] | None = None,
        app_metadata: dict[str, Any] | None = None,
        user_metadata: dict[str, Any] | None = None,
        id_token: dict[str, Any] | None = None,
        access_token: dict[str, Any] | None = None,
        transaction: dict[str, Any] | None = None,
        steps: int = 0,
        stopped: bool = False,
    ) -> None:
        """The dataclass's own ``__init__``, with literals for the empty containers: its
        default factories cost a call each, and an outcome is built per login."""
        self.directives = [] if directives is None else directives
        self.logs = [] if logs is None else logs
        self.errors = [] if errors is None else errors
        self.app_metadata = {} if app_metadata is None else app_metadata
        self.user_metadata = {} if user_metadata is None else user_metadata
        self.id_token = {} if id_token is None else id_token
        self.access_token = {} if access_token is None else access_token
        self.transaction = {} if transaction is None else transaction
        self.steps = steps
        self.stopped = stopped

    def absorb(self, run: ActionRun, on_error: str) -> None:
        """Add one Action's run; a failed run contributes ``on_error``'s directive instead."""
        directives = run.directives
        if directives:  # most runs ask for nothing and print nothing: skip the walks
            self.directives.extend(directives)
            self.steps += sum(1 for d in directives if isinstance(d, Step))
            if any(isinstance(d, Deny) for d in directives):
                self.stopped = True
        if run.logs:
            self.logs.extend({"action": log.action, "line": log.line} for log in run.logs)
        if run.error is None:
            if run.app_metadata:
                self.app_metadata.update(run.app_metadata)
            if run.user_metadata:
                self.user_metadata.update(run.user_metadata)
            if run.id_token_claims:
                self.id_token.update(run.id_token_claims)
            if run.access_token_claims:
                self.access_token.update(run.access_token_claims)
            if run.transaction_metadata:
                self.transaction.update(run.transaction_metadata)
        else:
            self.fail(run.action, run.error.kind, run.error.message, run.error.line, on_error)
        if run.denied:
            self.stopped = True

    def fail(self, action: str, kind: str, message: str, line: int | None, on_error: str) -> None:
        """Record an Action's failure and follow ``on_error``."""
        self.errors.append({"action": action, "kind": kind, "message": message, "line": line})
        source = f"on_error:{action}"
        if on_error == "deny":
            self.directives.append(Deny("action_error", source))
            self.stopped = True
        else:
            self.directives.append(Require(None, False, source))


_new = object.__new__


def new_outcome(steps: int) -> FlowOutcome:
    """``FlowOutcome(steps=steps)`` at about half the cost (once per login): the empty
    containers set directly, without ``__init__``'s ten keyword parameters and tests."""
    outcome = _new(FlowOutcome)
    outcome.directives = []
    outcome.logs = []
    outcome.errors = []
    outcome.app_metadata = {}
    outcome.user_metadata = {}
    outcome.id_token = {}
    outcome.access_token = {}
    outcome.transaction = {}
    outcome.steps = steps
    outcome.stopped = False
    return outcome


class ActionFlow(Protocol):
    def run(
        self,
        event: dict[str, Any],
        *,
        now: datetime,
        tenant_id: str,
        steps_so_far: int = 0,
        http: HttpPort | None = None,
    ) -> FlowOutcome: ...

    def close(self) -> None: ...


class InlineFlow:
    """Runs the Actions in this process, one after the other."""

    def __init__(
        self,
        actions: Sequence[CompiledAction],
        *,
        secrets_for: Callable[[str], Mapping[str, str]],
        cache: ActionCache,
        limits: SandboxLimits,
        on_error: str,
    ) -> None:
        self.actions = tuple(actions)
        self._secrets = [secrets_for(action.name) for action in self.actions]
        """Read once, as ProcessFlow does: a config change means a new flow."""
        self._runs = tuple(zip(self.actions, self._secrets, strict=True))
        self._cache = cache
        self._limits = limits
        self._on_error = on_error
        if any("local_time" in action.needs for action in self.actions):
            preload()  # the zones are read now, not under the first run's time limit

    def run(
        self,
        event: dict[str, Any],
        *,
        now: datetime,
        tenant_id: str,
        steps_so_far: int = 0,
        http: HttpPort | None = None,
    ) -> FlowOutcome:
        """``http`` answers the Actions' ``fetch`` calls for this login (engine.py)."""
        outcome = new_outcome(steps_so_far)
        for action, secrets in self._runs:
            run = run_action(
                action,
                event,
                secrets=secrets,
                now=now,
                cache=self._cache,
                tenant_id=tenant_id,
                limits=self._limits,
                steps_so_far=outcome.steps,
                http=http,
            )
            outcome.absorb(run, self._on_error)
            if outcome.stopped:
                break
        return outcome

    def close(self) -> None:
        """Nothing to release in-process."""
