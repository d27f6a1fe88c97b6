"""actions/auth0/guardian_multifactor_authorization_extension.py: every branch of auth0/rules
guardian-multifactor-authorization-extension.js."""

import pytest
from auth0_ports import ALLOW, cases, mfa, user

GUARDIAN = mfa("guardian")
FINANCE = {"GROUPS_WITH_MFA": "finance, admins"}


def groups(value):
    return user(app_metadata={"authorization": {"groups": value}})


CASES = cases(
    "guardian_multifactor_authorization_extension",
    ("no authorization data: nothing", {}),
    (
        "authorization that is not an object: nothing",
        user(app_metadata={"authorization": "admins"}),
    ),
    ("authorization without groups: nothing", user(app_metadata={"authorization": {"roles": []}})),
    ("groups that are not a list: nothing", groups("admins")),
    ("a member of admins: Guardian MFA", groups(["staff", "admins"]), GUARDIAN),
    ("a member of no MFA group: nothing", groups(["staff"])),
    ("no groups at all: nothing", groups([])),
    ("groups that are not names do not match", groups([{"name": "admins"}, 7])),
    ("a group of the secret's list", groups(["finance"]), GUARDIAN, FINANCE),
    ("not a group of the secret's list", groups(["staff"]), ALLOW, FINANCE),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)
