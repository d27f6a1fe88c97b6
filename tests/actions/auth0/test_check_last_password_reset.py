"""actions/auth0/check_last_password_reset.py: every branch of auth0/rules
check-last-password-reset.js. The login is at 2026-11-25T10:15:00Z."""

import pytest
from auth0_ports import ALLOW, cases, deny, user

DENIED = deny("please change your password")


def reset_at(when, created_at="2024-03-04T09:12:44Z"):
    return user(app_metadata={"last_password_reset": when}, created_at=created_at)


CASES = cases(
    "check_last_password_reset",
    ("never reset, created long ago: denied", {}, DENIED),
    ("never reset, created recently: passes", user(created_at="2026-11-20T08:00:00Z")),
    ("reset 10 days ago: passes", reset_at("2026-11-15T10:15:00Z")),
    (
        "reset exactly 30 days ago: passes (more than 30 is too old)",
        reset_at("2026-10-26T10:15:00Z"),
    ),
    ("reset 30 days and a second ago: denied", reset_at("2026-10-26T10:14:59Z"), DENIED),
    ("the reset date wins over the creation date", reset_at("2026-11-01T00:00:00Z")),
    ("an offset is honoured", reset_at("2026-10-26T11:15:00+01:00")),
    ("a date without an offset is UTC", reset_at("2026-10-26T10:14:59"), DENIED),
    ("a date alone is midnight UTC", reset_at("2026-10-27")),
    ("an empty reset date falls back to the creation date", reset_at("", "2026-11-24T00:00:00Z")),
    ("MAX_DAYS moves the limit", {}, DENIED, {"MAX_DAYS": "90"}),
    ("within MAX_DAYS: passes", reset_at("2026-09-01T00:00:00Z"), ALLOW, {"MAX_DAYS": "90"}),
    ("MAX_DAYS that is not a number is an error", {}, ALLOW, {"MAX_DAYS": "ninety"}, "MAX_DAYS"),
)

UNREADABLE = cases(
    "check_last_password_reset",
    ("an unreadable date is denied (fail closed)", reset_at("last tuesday"), DENIED),
    ("a date that is not a string is denied", reset_at(1700000000, None), DENIED),
    ("no date at all is denied", user(created_at=None), DENIED),
    log="no readable password date",
)


@pytest.mark.parametrize("case", CASES + UNREADABLE, ids=str)
def test_branch(decide, case):
    decide(case)
