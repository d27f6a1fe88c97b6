"""The Decision and its JSON: the spec's key order, stable bytes, plain values."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from contextmfa.decision import Decision, resolve
from contextmfa.directives import Require

SPEC_KEYS = [
    "login_id",
    "outcome",
    "factors",
    "steps",
    "allow_remember_browser",
    "deny_reason",
    "source",
    "risk",
    "geoip",
    "trace",
    "logs",
    "errors",
    "metadata_updates",
    "custom_claims",
    "transaction_metadata",
    "timing_us",
]

SPEC_RISK = {
    "confidence": "high",
    "version": "1",
    "assessments": {
        "new_device": {"code": "match", "details": {}},
        "impossible_travel": {"code": "minimal_travel_from_last_login", "details": {}},
        "untrusted_ip": {"code": "not_found_on_deny_list", "details": {}},
    },
}


@pytest.fixture
def spec_example(policy, user) -> Decision:
    """The decisions.md example: rule admins-off-hours requires webauthn-roaming or otp."""
    rule = Require(frozenset({"webauthn-roaming", "otp"}), False, "rule:admins-off-hours")
    resolution = resolve([rule], policy(), user(["otp", "webauthn-roaming"]))
    return Decision.build(
        login_id="l-0001",
        resolution=resolution,
        risk=SPEC_RISK,
        geoip={"country_code": "NL", "city_name": "Amsterdam"},
        logs=[{"action": "step_up_admins", "line": "admin off hours"}],
        timing_us={"enrich": 12, "rules": 3, "actions": 40, "total": 61},
    )


def test_to_dict_has_the_spec_keys_in_the_spec_order(spec_example):
    assert list(spec_example.to_dict()) == SPEC_KEYS
    assert [f.name for f in dataclasses.fields(Decision)] == [*SPEC_KEYS, "http"]


def test_http_is_written_only_when_an_action_called_out(spec_example):
    called = dataclasses.replace(spec_example, http=({"action": "risk", "status": 200},))
    assert list(called.to_dict()) == [*SPEC_KEYS, "http"]
    assert called.to_dict()["http"] == [{"action": "risk", "status": 200}]


def test_the_spec_example_decision(spec_example):
    data = spec_example.to_dict()
    assert {k: data[k] for k in SPEC_KEYS[:7]} == {
        "login_id": "l-0001",
        "outcome": "challenge",
        "factors": ["otp", "webauthn-roaming"],
        "steps": [
            {
                "kind": "challenge",
                "factors": ["otp", "webauthn-roaming"],
                "source": "rule:admins-off-hours",
            }
        ],
        "allow_remember_browser": False,
        "deny_reason": None,
        "source": "rule:admins-off-hours",
    }
    assert data["risk"] == SPEC_RISK
    assert data["trace"][0] == {
        "source": "rule:admins-off-hours",
        "directive": "require",
        "detail": {"factors": ["otp", "webauthn-roaming"], "remember": False},
    }
    assert (data["errors"], data["transaction_metadata"]) == ([], {})


def test_to_json_is_compact_one_line_in_key_order(spec_example):
    text = spec_example.to_json()
    assert "\n" not in text
    assert text == json.dumps(spec_example.to_dict(), separators=(",", ":"), ensure_ascii=False)
    assert text.startswith('{"login_id":"l-0001","outcome":"challenge","factors":["otp",')
    assert list(json.loads(text)) == SPEC_KEYS


def test_to_json_with_indent_is_the_same_document(spec_example):
    text = spec_example.to_json(indent=2)
    assert text.startswith('{\n  "login_id": "l-0001",\n  "outcome": "challenge"')
    assert json.loads(text) == spec_example.to_dict()


def test_to_json_is_stable_and_sorts_sets(policy, user):
    def build(order):
        resolution = resolve([Require(None, True, "rule:r")], policy(), user(list(order)))
        return Decision.build(
            login_id="l",
            resolution=resolution,
            metadata_updates={"app_metadata": {"groups": frozenset(order)}, "user_metadata": {}},
        )

    first = build(["sms", "otp", "voice"]).to_json()
    assert first == build(["voice", "otp", "sms"]).to_json()
    assert json.loads(first)["metadata_updates"]["app_metadata"]["groups"] == [
        "otp",
        "sms",
        "voice",
    ]
    assert json.loads(first)["factors"] == ["otp", "sms", "voice"]


def test_build_fills_the_spec_empty_shapes(policy, user):
    decision = Decision.build(login_id="l", resolution=resolve([], policy(), user()))
    data = decision.to_dict()
    assert (data["outcome"], data["source"]) == ("allow", "policy:never")
    assert (data["risk"], data["geoip"], data["logs"], data["errors"]) == (None, None, [], [])
    assert data["metadata_updates"] == {"app_metadata": {}, "user_metadata": {}}
    assert data["custom_claims"] == {"id_token": {}, "access_token": {}}
    assert data["timing_us"] == {"enrich": 0, "rules": 0, "actions": 0, "total": 0}


def test_build_keeps_what_it_is_given_without_copying(policy, user):
    risk, claims = dict(SPEC_RISK), {"id_token": {"tier": "gold"}, "access_token": {}}
    decision = Decision.build(
        login_id="l", resolution=resolve([], policy(), user()), risk=risk, custom_claims=claims
    )
    assert decision.risk is risk and decision.custom_claims is claims


def test_a_decision_is_frozen(spec_example):
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec_example.outcome = "allow"  # type: ignore[misc]


def test_non_ascii_text_is_written_as_utf8(policy, user):
    decision = Decision.build(
        login_id="l", resolution=resolve([], policy(), user()), geoip={"city_name": "Zürich"}
    )
    assert '"city_name":"Zürich"' in decision.to_json()


def test_nan_is_refused_rather_than_written_as_invalid_json(policy, user):
    decision = Decision.build(
        login_id="l",
        resolution=resolve([], policy(), user()),
        custom_claims={"id_token": {"score": math.nan}, "access_token": {}},
    )
    with pytest.raises(ValueError):
        decision.to_json()


def test_a_value_that_is_not_json_fails_loudly(policy, user):
    decision = Decision.build(
        login_id="l", resolution=resolve([], policy(), user()), transaction_metadata={"x": object()}
    )
    with pytest.raises(TypeError):
        decision.to_json()
