"""actions/auth0/disable_resource_owner.py: every branch of auth0/rules
disable-resource-owner.js."""

import pytest
from auth0_ports import cases, deny

CASES = cases(
    "disable_resource_owner",
    (
        "the resource owner grant is denied",
        {"transaction": {"protocol": "oauth2-resource-owner"}},
        deny("The resource owner endpoint cannot be used."),
    ),
    ("an OpenID Connect login passes", {}),
    ("a refresh token passes", {"transaction": {"protocol": "oauth2-refresh-token"}}),
    ("a login without a transaction passes", {"transaction": None}),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)
