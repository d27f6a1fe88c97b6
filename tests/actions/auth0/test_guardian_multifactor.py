"""actions/auth0/guardian_multifactor.py: auth0/rules guardian-multifactor.js has one branch."""

import pytest
from auth0_ports import cases, mfa, user

CASES = cases(
    "guardian_multifactor",
    ("every login requires the Guardian factors", {}, mfa("guardian")),
    ("a user without a factor too (and enrolls)", user(enrolled_factors=[]), mfa("guardian")),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)
