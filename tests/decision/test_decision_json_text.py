"""``to_json`` encodes the decision without copying it first: the text must be exactly that of
encoding ``to_dict()``, for the sample tenant's decisions and for every kind of value ``plain``
converts (sets, non-dict mappings, tuples, objects with ``to_dict``)."""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import pytest

from contextmfa.config import load_config
from contextmfa.decision import Decision, resolve
from contextmfa.decision.model import new_entry
from contextmfa.directives import Require, Step
from contextmfa.engine import Engine
from contextmfa.enrich.history import InMemoryHistory
from contextmfa.events import read_events

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def to_dict_text(decision: Decision) -> str:
    return json.dumps(
        decision.to_dict(), separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def test_every_sample_decision_is_the_text_of_its_dict():
    engine = Engine(load_config(SAMPLES / "tenant.toml"))
    history = InMemoryHistory()
    try:
        for record in read_events(SAMPLES / "logins.jsonl"):
            assert record.event is not None
            decision = engine.evaluate(record.event, history)
            assert decision.to_json() == to_dict_text(decision)
    finally:
        engine.close()


class Pair(NamedTuple):
    left: str
    right: int


class Claim:
    def to_dict(self) -> dict[str, Any]:
        return {"tier": "gold", "groups": ("b", "a")}


def test_values_plain_converts_give_the_same_text(policy, user):
    steps = [Step("challenge", frozenset({"otp"}), "rule:a"), Require(None, True, "rule:b")]
    decision = Decision.build(
        login_id="l-ü",
        resolution=resolve(steps, policy(), user(["otp", "sms"])),
        risk=MappingProxyType({"confidence": "high", "scores": (1, 2.5, None)}),
        geoip=OrderedDict(city_name="Zürich", latitude=47.37),
        logs=[{"action": "a", "line": "x"}, MappingProxyType({"action": "b", "line": "y"})],
        errors=(),
        metadata_updates={
            "app_metadata": {"groups": frozenset({"sms", "otp"}), "pair": Pair("p", 1)},
            "user_metadata": MappingProxyType({"nested": [{"deep": {"a", "b"}}]}),
        },
        custom_claims={"id_token": {"claim": Claim()}, "access_token": {}},
        transaction_metadata={"entry": new_entry("s", "skip", {}), 1: True, None: "k"},
        http=[{"method": "GET", "url": "https://example.test/", "status": 200}],
    )
    assert decision.to_json() == to_dict_text(decision)


def test_a_value_that_is_not_json_still_names_its_type(policy, user):
    decision = Decision.build(
        login_id="l", resolution=resolve([], policy(), user()), geoip={"x": {"y": object()}}
    )
    with pytest.raises(TypeError, match="Object of type object is not JSON serializable"):
        decision.to_json()


def test_nan_nested_in_a_set_is_still_refused(policy, user):
    decision = Decision.build(
        login_id="l",
        resolution=resolve([], policy(), user()),
        transaction_metadata={"scores": frozenset({math.inf})},
    )
    with pytest.raises(ValueError):
        decision.to_json()
