"""actions/auth0/mfa.py: auth0/rules mfa.js has one branch."""

import pytest
from auth0_ports import cases, mfa, user

CASES = cases(
    "mfa",
    ("every login requires MFA", {}, mfa()),
    ("a user without a factor too (and enrolls)", user(enrolled_factors=[]), mfa()),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)
