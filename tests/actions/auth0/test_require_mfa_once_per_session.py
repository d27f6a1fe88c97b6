"""actions/auth0/require_mfa_once_per_session.py: every branch of auth0/rules
require-mfa-once-per-session.js."""

import pytest
from auth0_ports import cases, mfa

PASSWORD = {"name": "pwd", "timestamp": "2026-11-25T10:14:58Z", "type": None}


def methods(*entries):
    return {"authentication": {"methods": list(entries)}}


CASES = cases(
    "require_mfa_once_per_session",
    ("a session with a password only: MFA", methods(PASSWORD), mfa()),
    ("a session without any method: MFA", methods(), mfa()),
    (
        "a session that passed MFA: nothing",
        methods(PASSWORD, {"name": "mfa", "timestamp": "2026-11-25T10:15:00Z", "type": "otp"}),
    ),
    (
        "an MFA of any age counts, as in the original",
        methods({"name": "mfa", "timestamp": "2025-01-01T00:00:00Z", "type": "sms"}),
    ),
    ("a passkey is not MFA", methods({"name": "passkey", "timestamp": None, "type": None}), mfa()),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)
