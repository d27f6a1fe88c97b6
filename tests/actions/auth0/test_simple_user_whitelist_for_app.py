"""actions/auth0/simple_user_whitelist_for_app.py: every branch of auth0/rules
simple-user-whitelist-for-app.js."""

import pytest
from auth0_ports import ALLOW, cases, client, deny, login, user

DENIED = deny("Access denied.")
THE_APP = client(name="NameOfTheAppWithWhiteList")
PAYROLL = {"CLIENT_NAME": "Acme Payroll", "ALLOWED_EMAILS": "hr@acme.test, sanne.devries@acme.test"}

CASES = cases(
    "simple_user_whitelist_for_app",
    ("an unverified email is denied in any application", user(email_verified=False), DENIED),
    ("no email is denied in any application", user(email=None), DENIED),
    ("another application is left alone", {}),
    ("a login without a client is left alone", {"client": None}),
    ("the application, a listed address: passes", login(THE_APP, user(email="user1@example.com"))),
    ("the application, an address not listed: denied", THE_APP, DENIED),
    ("the configured application, a listed address", client(name="Acme Payroll"), ALLOW, PAYROLL),
    (
        "the configured application, an address not listed",
        login(client(name="Acme Payroll"), user(email="eve@acme.test")),
        DENIED,
        PAYROLL,
    ),
    ("the original's application is not the configured one", THE_APP, ALLOW, PAYROLL),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)
