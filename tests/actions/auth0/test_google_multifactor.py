"""actions/auth0/google_multifactor.py: every branch of auth0/rules google-multifactor.js."""

import pytest
from auth0_ports import cases, client, mfa

LISTED = {"CLIENTS_WITH_MFA": "payroll-web, y5Ut7cLYtOjSmSEW8gB1dAqOyKeQO2Rk"}

CASES = cases(
    "google_multifactor",
    ("the original's placeholder matches no client", {}),
    ("a listed client requires google-authenticator", {}, mfa("google-authenticator"), LISTED),
    ("another client is left alone", client(client_id="intranet-web"), (), LISTED),
    ("a login without a client is left alone", {"client": None}, (), LISTED),
    (
        "the placeholder itself is a client id like any other",
        client(client_id="REPLACE_WITH_YOUR_CLIENT_ID"),
        mfa("google-authenticator"),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)
