"""The fast ``new_*`` makers give the same frozen objects as the classes' own constructors."""

from __future__ import annotations

import dataclasses

import pytest

from contextmfa.decision.model import (
    Resolution,
    ResolvedStep,
    TraceEntry,
    new_entry,
    new_resolution,
    new_step,
)


def test_new_step_equals_the_constructed_step():
    made = new_step("challenge", ("otp",), "rule:x")
    assert made == ResolvedStep("challenge", ("otp",), "rule:x")
    assert made.to_dict() == {"kind": "challenge", "factors": ["otp"], "source": "rule:x"}


def test_new_entry_equals_the_constructed_entry_and_reads_as_a_mapping():
    made = new_entry("rule:x", "require", {"factors": "any", "remember": True})
    assert made == TraceEntry("rule:x", "require", {"factors": "any", "remember": True})
    assert dict(made) == {
        "source": "rule:x",
        "directive": "require",
        "detail": {"factors": "any", "remember": True},
    }


def test_new_resolution_equals_the_constructed_resolution():
    step = new_step("enroll", ("otp",), "policy:always")
    entry = new_entry("policy:always", "resolve", {"resolution": "policy_applied"})
    made = new_resolution("enroll", ("otp",), (step,), True, None, "policy:always", (entry,))
    built = Resolution(
        outcome="enroll",
        factors=("otp",),
        steps=(step,),
        allow_remember_browser=True,
        deny_reason=None,
        source="policy:always",
        trace=(entry,),
    )
    assert made == built and hash(made.steps) == hash(built.steps)


@pytest.mark.parametrize(
    "made",
    [
        new_step("challenge", ("otp",), "rule:x"),
        new_entry("rule:x", "skip", {}),
        new_resolution("allow", (), (), False, None, "session-mfa", ()),
    ],
)
def test_what_the_makers_give_is_frozen(made):
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.source = "changed"
