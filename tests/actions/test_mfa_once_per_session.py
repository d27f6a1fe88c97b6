"""actions/mfa_once_per_session.py run in the sandbox. The login is at 2026-11-25T10:15:00Z."""

import pytest

from contextmfa.directives import Require

STEM = "mfa_once_per_session"
REQUIRE = (Require(None, True, f"action:{STEM}"),)
PASSWORD = {"name": "pwd", "timestamp": "2026-11-25T10:14:58Z", "type": None}


def session(make_event, *mfa_times, mfa_type="otp"):
    methods = [PASSWORD] + [{"name": "mfa", "timestamp": t, "type": mfa_type} for t in mfa_times]
    return make_event(authentication={"methods": methods})


def test_session_without_mfa_requires_it_with_remember_browser(run, make_event):
    result = run(STEM, make_event())
    assert result.error is None
    assert result.directives == REQUIRE


@pytest.mark.parametrize(
    "when",
    ["2026-11-25T10:14:59Z", "2026-11-24T22:15:00Z", "2026-11-25T11:15:00+01:00"],
)
def test_recent_mfa_needs_nothing(run, make_event, when):
    result = run(STEM, session(make_event, when))
    assert result.error is None
    assert result.directives == ()
    assert any("MFA already passed" in log.line for log in result.logs)


def test_mfa_older_than_the_session_window_asks_again(run, make_event):
    assert run(STEM, session(make_event, "2026-11-24T22:14:59Z")).directives == REQUIRE


def test_the_newest_mfa_counts(run, make_event):
    event = session(make_event, "2026-11-20T09:00:00Z", "2026-11-25T09:00:00Z")
    assert run(STEM, event).directives == ()


def test_session_hours_secret(run, make_event):
    event = session(make_event, "2026-11-25T09:00:00Z")
    assert run(STEM, event, {"SESSION_HOURS": "1"}).directives == REQUIRE
    assert run(STEM, event, {"SESSION_HOURS": "1.5"}).directives == ()


@pytest.mark.parametrize(
    "when",
    ["2026-11-25T10:30:00Z", "yesterday", "2026-11-25T10:00:00", None],
)
def test_future_malformed_or_naive_timestamps_do_not_count(run, make_event, when):
    result = run(STEM, session(make_event, when))
    assert result.error is None
    assert result.directives == REQUIRE


def test_other_methods_do_not_count(run, make_event):
    methods = [PASSWORD, {"name": "passkey", "timestamp": "2026-11-25T10:14:00Z", "type": None}]
    assert run(STEM, make_event(authentication={"methods": methods})).directives == REQUIRE


@pytest.mark.parametrize("value", ["0", "-2", "twelve", ""])
def test_bad_session_hours_fail(run, make_event, value):
    result = run(STEM, make_event(), {"SESSION_HOURS": value})
    assert result.error is not None
    assert "SESSION_HOURS" in result.error.message
