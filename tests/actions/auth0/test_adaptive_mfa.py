"""actions/auth0/adaptive_mfa.py: every branch of auth0/rules adaptive-mfa.js.

The original switches on the NewDevice confidence (low, medium: prompt; high, neutral: do not)
and prompts only users with an enrolled factor.
"""

import pytest
from auth0_ports import ALLOW, cases, login, mfa, risk, user

NO_FACTOR = user(enrolled_factors=[])

CASES = cases(
    "adaptive_mfa",
    ("low: a device never seen prompts", risk(new_device="no_match"), mfa()),
    (
        "medium: a device seen only by its user agent prompts",
        risk(new_device="partial_match"),
        mfa(),
    ),
    ("high: a known device does not prompt", risk(new_device="match")),
    ("neutral: a first login does not prompt", risk(new_device="initial_login")),
    ("neutral: no device id nor user agent does not prompt", risk(new_device="unknown_device")),
    ("low, but no enrolled factor: cannot prompt", login(risk(new_device="no_match"), NO_FACTOR)),
    (
        "medium, but no enrolled factor: cannot prompt",
        login(risk(new_device="partial_match"), NO_FACTOR),
    ),
    (
        "a code the port does not know prompts (fail closed)",
        risk(new_device="no_device_history"),
        mfa(),
    ),
    (
        "the other assessors do not count",
        login(risk(impossible_travel="impossible_travel_from_last_login")),
        ALLOW,
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)
