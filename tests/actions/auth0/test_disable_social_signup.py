"""actions/auth0/disable_social_signup.py: every branch of auth0/rules disable-social-signup.js."""

import pytest
from auth0_ports import ALLOW, cases, deny, login, user

DENIED = deny("Signup disabled")
ENABLED = {"CLIENTS_ENABLED": "payroll-web, y5Ut7cLYtOjSmSEW8gB1dAqOyKeQO2Rk"}
GOOGLE = {"connection": {"name": "google-oauth2", "strategy": "google-oauth2"}}
RENAMED = {"connection": {"name": "google", "strategy": "google-oauth2"}}
FIRST = {"stats": {"logins_count": 1}}
FLAGGED = user(app_metadata={"is_signup": True})

CASES = cases(
    "disable_social_signup",
    ("the original's placeholder enables no client", login(GOOGLE, FIRST)),
    (
        "a social signup is denied and flagged",
        login(GOOGLE, FIRST),
        DENIED,
        ENABLED,
        None,
        {"is_signup": True},
    ),
    ("a database signup passes", FIRST, ALLOW, ENABLED),
    ("a later social login passes", GOOGLE, ALLOW, ENABLED),
    ("a flagged user is denied on any connection", FLAGGED, DENIED, ENABLED),
    ("a flagged user's social login is denied too", login(GOOGLE, FLAGGED), DENIED, ENABLED),
    ("a renamed social connection is not recognised", login(RENAMED, FIRST), ALLOW, ENABLED),
    ("a login without stats is not a signup", login(GOOGLE, {"stats": None}), ALLOW, ENABLED),
    (
        "a login without a connection is not social",
        login({"connection": None}, FIRST),
        ALLOW,
        ENABLED,
    ),
    (
        "another client is left alone",
        login(GOOGLE, FIRST, {"client": {"client_id": "x"}}),
        ALLOW,
        ENABLED,
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)
