"""actions/auth0/simple_whitelist_on_a_connection.py: every branch of auth0/rules
simple-whitelist-on-a-connection.js."""

import pytest
from auth0_ports import ALLOW, cases, deny, login, user

DENIED = deny("Access denied.")
FITBIT = {"connection": {"name": "fitbit", "strategy": "fitbit"}}
GOOGLE = {"connection": {"name": "google-oauth2", "strategy": "google-oauth2"}}
PARTNERS = {"CONNECTION": "google-oauth2", "ALLOWED_EMAILS": "partner@example.org"}

CASES = cases(
    "simple_whitelist_on_a_connection",
    ("an unverified email is denied (the template's branch)", user(email_verified=False), DENIED),
    ("no email is denied", login(FITBIT, user(email=None)), DENIED),
    ("another connection is left alone", {}),
    ("a login without a connection is left alone", {"connection": None}),
    ("fitbit, a listed address: passes", login(FITBIT, user(email="user2@example.com"))),
    ("fitbit, an address not listed: denied", FITBIT, DENIED),
    (
        "the configured connection, a listed address",
        login(GOOGLE, user(email="partner@example.org")),
        ALLOW,
        PARTNERS,
    ),
    ("the configured connection, not listed: denied", GOOGLE, DENIED, PARTNERS),
    ("fitbit is no longer checked when configured away", FITBIT, ALLOW, PARTNERS),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)
