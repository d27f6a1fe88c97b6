"""Each ported risk rule replays from its recording with its service gone.

A login runs with the stand-in up while its exchanges are recorded; the stand-in stops; the same
login runs again answered only from the recording (``--http recorded``) and must decide, log
and write exactly as it did live. Two logins per port: one the service scores (a decision, or
the enrichment), one the service fails (the rule's fallback). The stand-in sees no request
during the replay: it is stopped, and a call that reached the network would fail and change
the outcome.
"""

from __future__ import annotations

import pytest
from auth0_ports import ALLOW
from risk_ports import SCENARIOS, recorded
from risk_stand_ins import StandIn, running


def live_then_replayed(online, port, make_event, stem: str, fail: bool):
    scenario = SCENARIOS[stem]
    with running(scenario.service()) as stand_in:
        stand_in.status = 503 if fail else None
        secrets = scenario.secrets(stand_in.url)
        live = online(stem, stand_in, scenario.login, secrets)
        calls = len(stand_in.seen)
    assert calls >= 1 and len(live.exchanges) == calls
    replay = recorded(
        port(stem), make_event(**scenario.login), secrets, [stand_in.url], live.exchanges
    )
    assert len(stand_in.seen) == calls, "the replay reached the stand-in"
    return scenario, live, replay


@pytest.mark.parametrize("stem", SCENARIOS)
def test_a_scored_login_replays_to_the_same_outcome(online, port, make_event, stem):
    scenario, live, replay = live_then_replayed(online, port, make_event, stem, fail=False)
    assert live.decision == scenario.scored
    assert live.run.error is None
    assert replay.outcome() == live.outcome()
    assert replay.exchanges == live.exchanges or [
        {k: v for k, v in e.items() if k != "elapsed_ms"} for e in replay.exchanges
    ] == [{k: v for k, v in e.items() if k != "elapsed_ms"} for e in live.exchanges]


@pytest.mark.parametrize("stem", SCENARIOS)
def test_a_failed_call_replays_to_the_same_fallback(online, port, make_event, stem):
    scenario, live, replay = live_then_replayed(online, port, make_event, stem, fail=True)
    assert live.decision == scenario.failed
    assert replay.outcome() == live.outcome()


@pytest.mark.parametrize("stem", ["fraud_prevention_with_minfraud", "incognia_authentication"])
def test_an_unrecorded_call_is_an_error_not_a_network_call(port, make_event, stem):
    scenario = SCENARIOS[stem]
    stand_in = StandIn(scenario.service())
    secrets = scenario.secrets("http://127.0.0.1:9")
    replay = recorded(port(stem), make_event(**scenario.login), secrets, ["http://127.0.0.1:9"], [])
    assert replay.run.error is not None
    assert "was not recorded for this login" in replay.run.error.message
    assert replay.decision == ALLOW and stand_in.seen == []
