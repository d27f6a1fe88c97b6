"""The shipped samples: every expectation holds, and together they show every outcome, every
kind of decision source a tenant meets, and every risk code."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from contextmfa.config import load_config
from contextmfa.engine import Engine
from contextmfa.events import read_events
from contextmfa.replay import replay

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
PAIRS = [
    (SAMPLES / "tenant.toml", SAMPLES / "logins.jsonl"),
    (SAMPLES / "always" / "tenant.toml", SAMPLES / "always" / "logins.jsonl"),
]
RISK_CODES = {
    "new_device": {"initial_login", "match", "partial_match", "unknown_device", "no_match"},
    "impossible_travel": {
        "initial_login",
        "missing_geoip",
        "impossible_travel_from_last_login",
        "substantial_travel_from_last_login",
        "travel_from_last_login",
        "minimal_travel_from_last_login",
    },
    "untrusted_ip": {"assessment_not_available", "found_on_deny_list", "not_found_on_deny_list"},
}


@pytest.fixture(scope="module")
def decisions():
    found = []
    for config, logins in PAIRS:
        loaded = load_config(config)
        # A generous Action timeout: a busy machine must not change a recorded decision.
        sandbox = loaded.sandbox.model_copy(update={"timeout_ms": 5000})
        engine = Engine(dataclasses.replace(loaded, sandbox=sandbox))
        try:
            items = list(replay(engine, read_events(logins), source=str(logins)))
        finally:
            engine.close()
        assert all(item.error is None for item in items)
        assert [str(m) for item in items for m in item.mismatches] == []
        assert all(item.checked for item in items)
        found.extend(item.decision for item in items)
    return found


def test_the_main_sample_has_sixty_logins_or_more():
    records = [r for r in read_events(SAMPLES / "logins.jsonl")]
    assert len(records) >= 60 and all(r.event.expect for r in records)


def test_every_outcome(decisions):
    assert {d.outcome for d in decisions} == {"allow", "challenge", "enroll", "deny"}


def test_every_source_kind(decisions):
    kinds = {d.source.split(":")[0] if ":" in d.source else d.source for d in decisions}
    policies = {d.source for d in decisions if d.source.startswith("policy:")}
    assert kinds >= {"rule", "action", "on_error", "policy", "acr", "session-mfa"}
    assert "remembered-browser" in kinds
    assert policies == {"policy:adaptive", "policy:always"}


def test_every_risk_code(decisions):
    for assessment, codes in RISK_CODES.items():
        seen = {d.risk["assessments"][assessment]["code"] for d in decisions}
        assert seen == codes, assessment
    assert {d.risk["confidence"] for d in decisions} == {"low", "medium", "high"}


def test_every_resolution_deny_reason(decisions):
    reasons = {d.deny_reason for d in decisions}
    assert {"action_error", "mfa_factor_unavailable", "adaptive_mfa_unenrolled"} <= reasons
