"""actions/auth0/active_directory_groups.py: every branch of auth0/rules
active-directory-groups.js."""

import pytest
from auth0_ports import ALLOW, cases, deny, user

DENIED = deny("Access denied.")
STAFF = {"GROUP_ALLOWED": "Acme-Staff"}


def groups(value):
    return user(app_metadata={"groups": value})


CASES = cases(
    "active_directory_groups",
    ("no groups: left alone", {}),
    ("an empty list is no groups", groups([])),
    ("a member of group1 passes", groups(["Domain Users", "group1"])),
    ("not a member: denied", groups(["Domain Users"]), DENIED),
    ("one group as a string, group1: passes", groups("group1")),
    ("one group as a string, another: denied", groups("Domain Users"), DENIED),
    ("group names are compared exactly", groups(["Group1"]), DENIED),
    ("a member of the configured group passes", groups(["Acme-Staff"]), ALLOW, STAFF),
    ("group1 is not the configured group", groups(["group1"]), DENIED, STAFF),
    (
        "groups of another type are an error",
        groups({"name": "group1"}),
        ALLOW,
        {},
        "must be a group name or a list of names",
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)
