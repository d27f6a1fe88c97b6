"""Runs the ported Auth0 rules through the real sandbox, in this process and in a worker process.

``decide(case)`` compiles the port's file as a tenant's flow does (compile_action), runs it
in-process (run_action), runs the same login in a confined worker (``isolation = "process"``,
ProcessFlow), checks that both runs decided, logged and failed alike, then checks the case's
expectations and returns the in-process run.

Starting a worker's fork server costs about a quarter of a second, so the session starts one
ProcessFlow for all the cases it collected rather than one per case: the flow holds one copy of
each port per set of secrets the cases use (secrets are fixed when a flow starts). Each copy is
the port's file unchanged, with a dispatcher appended below it, so the port keeps its line
numbers; the dispatcher runs the port only for the login whose id names that copy, and the
other copies contribute nothing. A case the session did not collect runs in a worker of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import astuple
from typing import Any

import pytest
from auth0_ports import (
    DISPATCH,
    LIMITS,
    PORTS_DIR,
    TENANT,
    Case,
    decision_of,
    moment_of,
    port_source,
    run_inline,
)
from risk_ports import Online, live
from risk_stand_ins import StandIn

from contextmfa.sandbox import ActionRun, CompiledAction, InMemoryActionCache, compile_action
from contextmfa.sandbox.process import ProcessFlow, run_action_isolated


class Worker:
    """One ProcessFlow with a copy of each (port, secrets) pair of ``cases``."""

    def __init__(self, cases: Iterable[Case]) -> None:
        self.copies: dict[tuple[str, tuple[tuple[str, str], ...]], str] = {}
        secrets: dict[str, dict[str, str]] = {}
        actions: list[CompiledAction] = []
        for case in cases:
            if case.config in self.copies:
                continue
            name = f"{case.stem}__{len(self.copies)}"
            self.copies[case.config] = name
            secrets[name] = dict(case.secrets)
            source = port_source(case.stem) + DISPATCH.format(name=name)
            actions.append(compile_action(source, f"/tenant/actions/auth0/{name}.py"))
        self.flow = None
        if actions:
            self.flow = ProcessFlow(
                actions,
                secrets_for=secrets.__getitem__,
                cache=InMemoryActionCache(),
                limits=LIMITS,
                on_error="deny",
            )

    def login_id(self, case: Case) -> str:
        return self.copies.get(case.config, "l-7f3a2c19")

    def run(self, case: Case, action: CompiledAction, event: dict[str, Any]) -> ActionRun:
        name = self.copies.get(case.config)
        if name is None or self.flow is None:
            return run_action_isolated(
                action,
                event,
                secrets=dict(case.secrets),
                now=moment_of(event),
                cache=InMemoryActionCache(),
                tenant_id=TENANT,
                limits=LIMITS,
            )
        runs = self.flow.run_actions(event, now=moment_of(event), tenant_id=TENANT)
        found = [run for run in runs if run.action == name]
        assert len(found) == 1, f"the worker ran {[run.action for run in runs]}, not {name}"
        return found[0]

    def close(self) -> None:
        if self.flow is not None:
            self.flow.close()


def summary(run: ActionRun) -> dict[str, Any]:
    """What a run decided, logged and failed with, without the Action's name or timing."""
    return {
        "decision": decision_of(run.directives),
        "logs": [line.line for line in run.logs],
        "error": None if run.error is None else astuple(run.error)[1:],
        "denied": run.denied,
        "app_metadata": run.app_metadata,
        "user_metadata": run.user_metadata,
        "id_token": run.id_token_claims,
        "access_token": run.access_token_claims,
        "transaction": run.transaction_metadata,
    }


@pytest.fixture(scope="session")
def worker(request: pytest.FixtureRequest) -> Iterable[Worker]:
    """The session's worker, set up with every case the session collected."""
    collected = [
        item.callspec.params["case"]
        for item in request.session.items
        if isinstance(getattr(item, "callspec", None) and item.callspec.params.get("case"), Case)
    ]
    pool = Worker(collected)
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def port() -> Callable[[str], CompiledAction]:
    """``port(stem)``: ``actions/auth0/<stem>.py`` compiled, once per session."""
    compiled: dict[str, CompiledAction] = {}

    def get(stem: str) -> CompiledAction:
        if stem not in compiled:
            path = PORTS_DIR / f"{stem}.py"
            compiled[stem] = compile_action(path.read_text(encoding="utf-8"), str(path))
        return compiled[stem]

    return get


@pytest.fixture
def decide(
    make_event: Callable[..., dict[str, Any]],
    worker: Worker,
    port: Callable[[str], CompiledAction],
) -> Callable[[Case], ActionRun]:
    """``decide(case)``: run the case inline and in a worker, check both agree and meet it."""

    def run(case: Case) -> ActionRun:
        action = port(case.stem)
        event = make_event(**case.login)
        event["id"] = worker.login_id(case)
        inline = run_inline(action, event, dict(case.secrets))
        isolated = worker.run(case, action, event)
        assert summary(isolated) == summary(inline), "the worker decided otherwise"
        if case.error is None:
            assert inline.error is None, inline.error
        else:
            assert inline.error is not None and case.error in inline.error.message, inline.error
        assert {d.source for d in inline.directives} <= {f"action:{case.stem}"}
        if case.expect is None:
            return inline
        assert decision_of(inline.directives) == case.expect
        assert inline.app_metadata == dict(case.app_metadata)
        if case.log is not None:
            assert any(case.log in line.line for line in inline.logs), inline.logs
        return inline

    return run


@pytest.fixture
def online(
    make_event: Callable[..., dict[str, Any]], port: Callable[[str], CompiledAction]
) -> Callable[..., Online]:
    """``online(stem, stand_in, login={}, secrets={})``: the port's run against a loopback
    stand-in of its service, and the exchanges recorded (risk_ports.py)."""

    def run(
        stem: str,
        stand_in: StandIn,
        login: dict[str, Any] | None = None,
        secrets: dict[str, str] | None = None,
    ) -> Online:
        event = make_event(**(login or {}))
        result = live(port(stem), event, secrets or {}, stand_in)
        assert {d.source for d in result.run.directives} <= {f"action:{stem}"}
        return result

    return run
