"""actions/auth0/guardian_multifactor_stepup_authentication.py: every branch of auth0/rules
guardian-multifactor-stepup-authentication.js (and multi-factor-authentication-stepup)."""

import pytest
from auth0_ports import ALLOW, cases, login, mfa

PAPE = "http://schemas.openid.net/pape/policies/2007/06/multi-factor"
PASSWORD = {"name": "pwd", "timestamp": "2026-11-25T10:14:58Z", "type": None}
PASSED_MFA = {"name": "mfa", "timestamp": "2026-11-25T10:14:59Z", "type": "otp"}


def acr(*values):
    return {"transaction": {"acr_values": list(values)}}


def methods(*entries):
    return {"authentication": {"methods": list(entries)}}


CASES = cases(
    "guardian_multifactor_stepup_authentication",
    ("asked for multi-factor, none in the session: step up", acr(PAPE), mfa()),
    (
        "asked for, MFA already in the session: nothing",
        login(acr(PAPE), methods(PASSWORD, PASSED_MFA)),
    ),
    ("not asked for: nothing", {}),
    ("another acr value only: nothing", acr("urn:acme:loa:1")),
    ("asked for among other values: step up", acr("urn:acme:loa:1", PAPE), mfa()),
    ("no transaction: nothing", {"transaction": None}),
    ("asked for, no methods at all: step up", login(acr(PAPE), methods()), mfa()),
    (
        "asked for, no authentication object: step up",
        login(acr(PAPE), {"authentication": None}),
        mfa(),
    ),
    ("other methods do not count as MFA", login(acr(PAPE), methods(PASSWORD)), mfa()),
    ("MFA in the session without a step-up request: nothing", methods(PASSED_MFA), ALLOW),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)
