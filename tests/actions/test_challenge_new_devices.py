"""actions/challenge_new_devices.py run in the sandbox."""

import pytest

from contextmfa.directives import Require

STEM = "challenge_new_devices"
SOURCE = f"action:{STEM}"


def device(make_event, with_risk, code, confidence="high"):
    return with_risk(make_event(), confidence, new_device=code)


def test_known_device_needs_nothing(run, make_event):
    result = run(STEM, make_event())
    assert result.error is None
    assert result.directives == ()


@pytest.mark.parametrize("code", ["no_match", "unknown_device"])
def test_new_device_requires_mfa_without_remember(run, make_event, with_risk, code):
    result = run(STEM, device(make_event, with_risk, code, "medium"))
    assert result.error is None
    assert result.directives == (Require(None, False, SOURCE),)
    assert any(code in log.line for log in result.logs)


def test_partial_match_lets_a_remembered_browser_skip(run, make_event, with_risk):
    event = device(make_event, with_risk, "partial_match")
    event["device"] = {"id": None, "remembered": True}
    result = run(STEM, event)
    assert result.error is None
    assert result.directives == (Require(None, True, SOURCE),)


def test_initial_login_requires_mfa_by_default(run, make_event, with_risk):
    event = device(make_event, with_risk, "initial_login")
    assert run(STEM, event).directives == (Require(None, False, SOURCE),)


def test_initial_login_can_be_let_through(run, make_event, with_risk):
    event = device(make_event, with_risk, "initial_login")
    result = run(STEM, event, {"CHALLENGE_INITIAL_LOGIN": "false"})
    assert result.error is None
    assert result.directives == ()


def test_missing_risk_assessment_fails_closed(run, make_event):
    result = run(STEM, make_event(authentication={"risk_assessment": None}))
    assert result.error is None
    assert result.directives == (Require(None, False, SOURCE),)


def test_unknown_code_fails_closed(run, make_event, with_risk):
    result = run(STEM, device(make_event, with_risk, "cloned"))
    assert result.directives == (Require(None, False, SOURCE),)


def test_bad_flag_fails(run, make_event):
    result = run(STEM, make_event(), {"CHALLENGE_INITIAL_LOGIN": "perhaps"})
    assert result.error is not None
    assert "CHALLENGE_INITIAL_LOGIN" in result.error.message
