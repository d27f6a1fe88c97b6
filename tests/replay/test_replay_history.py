"""A recorded challenge that never passed MFA is replayed without joining the user's history,
as the service kept it (the export says ``recorded.mfa_passed``)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from contextmfa.config import load_config
from contextmfa.engine import Engine
from contextmfa.events import EventRecord, parse_event
from contextmfa.replay.run import replay

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _events(mfa_passed: bool | None) -> list[EventRecord]:
    base = json.loads((SAMPLES / "events" / "admin-office.json").read_text())
    first = copy.deepcopy(base)
    first["id"] = "l-stranger-1"
    first["device"] = {"id": "d-stranger"}
    if mfa_passed is not None:
        first["recorded"] = {
            "config_version": "cfg-test",
            "recorded_at": first["timestamp"],
            "decision": {"outcome": "challenge"},
            "mfa_passed": mfa_passed,
        }
    second = copy.deepcopy(first)
    second["id"] = "l-stranger-2"
    second.pop("recorded", None)
    return [
        EventRecord(line=n, event=parse_event(e, where=f"test:{n}"))
        for n, e in enumerate((first, second), 1)
    ]


def _second_new_device(mfa_passed: bool | None) -> str:
    engine = Engine(load_config(SAMPLES / "tenant.toml"))
    try:
        items = list(replay(engine, _events(mfa_passed)))
    finally:
        engine.close()
    return items[1].decision.risk["assessments"]["new_device"]["code"]


def test_an_unpassed_challenge_does_not_make_its_device_known():
    assert _second_new_device(mfa_passed=False) != "match"


def test_a_passed_challenge_and_a_plain_record_do():
    assert _second_new_device(mfa_passed=True) == "match"
    assert _second_new_device(mfa_passed=None) == "match"
