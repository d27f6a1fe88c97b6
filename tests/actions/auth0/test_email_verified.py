"""actions/auth0/email_verified.py: every branch of auth0/rules email-verified.js."""

import pytest
from auth0_ports import cases, deny, user

DENIED = deny("Please verify your email before logging in.")

CASES = cases(
    "email_verified",
    ("a verified email passes", {}),
    ("an unverified email is denied", user(email_verified=False), DENIED),
    ("an email the provider says nothing about is denied", user(email_verified=None), DENIED),
    ("no email at all is denied", user(email=None, email_verified=None), DENIED),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)
