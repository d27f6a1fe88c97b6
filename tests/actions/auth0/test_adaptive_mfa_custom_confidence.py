"""actions/auth0/adaptive_mfa_custom_confidence.py: every branch of auth0/rules
adaptive-mfa-custom-confidence.js (the ImpossibleTravel confidence decides)."""

import pytest
from auth0_ports import ALLOW, cases, login, mfa, risk, user

NO_FACTOR = user(enrolled_factors=[])
IMPOSSIBLE = risk(impossible_travel="impossible_travel_from_last_login")

CASES = cases(
    "adaptive_mfa_custom_confidence",
    ("low: impossible travel prompts", IMPOSSIBLE, mfa()),
    (
        "medium: substantial travel prompts",
        risk(impossible_travel="substantial_travel_from_last_login"),
        mfa(),
    ),
    ("high: ordinary travel does not prompt", risk(impossible_travel="travel_from_last_login")),
    (
        "high: minimal travel does not prompt",
        risk(impossible_travel="minimal_travel_from_last_login"),
    ),
    ("neutral: a first login does not prompt", risk(impossible_travel="initial_login")),
    ("neutral: no GeoIP does not prompt", risk(impossible_travel="missing_geoip")),
    ("low, but no enrolled factor: cannot prompt", login(IMPOSSIBLE, NO_FACTOR)),
    (
        "a code the port does not know prompts (fail closed)",
        risk(impossible_travel="anonymous_proxy"),
        mfa(),
    ),
    ("the device assessor does not count", risk(new_device="no_match"), ALLOW),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)
