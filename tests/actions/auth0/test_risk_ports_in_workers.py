"""The ported risk rules decide alike in a worker process: the worker has no network, so every
``fetch`` crosses to the parent, which checks, calls the stand-in and records, as inline.

One ProcessFlow holds all the ports (a copy of each, dispatched by the login id, as conftest.py
does for the other ports), each set up with its scenario's secrets against a stand-in that
serves the whole module: starting a worker costs a quarter of a second, a stand-in a
millisecond.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from auth0_ports import DISPATCH, LIMITS, TENANT, moment_of, port_source
from risk_ports import SCENARIOS, Online, live, session_for
from risk_stand_ins import StandIn

from contextmfa.sandbox import InMemoryActionCache, compile_action
from contextmfa.sandbox.process import ProcessFlow


@pytest.fixture(scope="module")
def stand_ins() -> Iterator[dict[str, StandIn]]:
    started = {stem: StandIn(scenario.service()).start() for stem, scenario in SCENARIOS.items()}
    yield started
    for stand_in in started.values():
        stand_in.stop()


@pytest.fixture(scope="module")
def workers(stand_ins: dict[str, StandIn]) -> Iterator[tuple[ProcessFlow, dict[str, Any]]]:
    copies = {}
    secrets = {}
    for stem, scenario in SCENARIOS.items():
        name = f"{stem}__w"
        source = port_source(stem) + DISPATCH.format(name=name)
        copies[stem] = compile_action(source, f"/tenant/actions/auth0/{name}.py")
        secrets[name] = scenario.secrets(stand_ins[stem].url)
    flow = ProcessFlow(
        list(copies.values()),
        secrets_for=secrets.__getitem__,
        cache=InMemoryActionCache(),
        limits=LIMITS,
        on_error="deny",
    )
    yield flow, copies
    flow.close()


def without_timing(exchanges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **{key: value for key, value in exchange.items() if key != "elapsed_ms"},
            "headers": {k: v for k, v in exchange.get("headers", {}).items() if k != "date"},
        }
        for exchange in exchanges
    ]


@pytest.mark.parametrize("fail", [False, True], ids=["scored", "failed"])
@pytest.mark.parametrize("stem", SCENARIOS)
def test_the_worker_decides_and_records_as_inline(stand_ins, workers, port, make_event, stem, fail):
    flow, copies = workers
    scenario = SCENARIOS[stem]
    stand_in = stand_ins[stem]
    stand_in.reset()
    stand_in.status = 503 if fail else None
    secrets = scenario.secrets(stand_in.url)
    event = make_event(**scenario.login)

    inline = live(port(stem), event, secrets, stand_in)
    action = copies[stem]
    event["id"] = action.name
    session = session_for(action, [stand_in.url], secrets)
    runs = flow.run_actions(event, now=moment_of(event), tenant_id=TENANT, http=session)
    [isolated] = [run for run in runs if run.action == action.name]
    in_worker = Online(isolated, list(session.exchanges))

    assert inline.decision == (scenario.failed if fail else scenario.scored)
    assert in_worker.outcome() == inline.outcome()
    assert without_timing(in_worker.exchanges) == without_timing(
        [{**e, "action": action.name} for e in inline.exchanges]
    )
    assert len(stand_in.seen) == 2 * len(inline.exchanges)
