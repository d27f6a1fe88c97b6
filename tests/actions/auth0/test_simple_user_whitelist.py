"""actions/auth0/simple_user_whitelist.py: every branch of auth0/rules simple-user-whitelist.js."""

import pytest
from auth0_ports import ALLOW, cases, deny, user

DENIED = deny("Access denied.")
STAFF = {"ALLOWED_EMAILS": "sanne.devries@acme.test, ops@acme.test"}

CASES = cases(
    "simple_user_whitelist",
    ("no email: denied", user(email=""), DENIED),
    ("an unverified email: denied", user(email="user1@example.com", email_verified=False), DENIED),
    ("an address on the original's list passes", user(email="user2@example.com")),
    ("an address not on the list: denied", {}, DENIED),
    ("the comparison is exact", user(email="User1@example.com"), DENIED),
    ("a listed address passes", {}, ALLOW, STAFF),
    ("an address not listed: denied", user(email="eve@acme.test"), DENIED, STAFF),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)
