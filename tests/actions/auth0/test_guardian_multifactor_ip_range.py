"""actions/auth0/guardian_multifactor_ip_range.py: every branch of auth0/rules
guardian-multifactor-ip-range.js (MFA outside the corporate range)."""

import pytest
from auth0_ports import ALLOW, cases, mfa

GUARDIAN = mfa("guardian")
OFFICES = {"CORP_NETWORK": "145.100.0.0/16, 2001:db8:ace::/48"}


def ip(address):
    return {"request": {"ip": address}}


CASES = cases(
    "guardian_multifactor_ip_range",
    ("inside the original's range: no MFA", ip("192.168.1.140")),
    ("the range's network, despite its host bits", ip("192.168.1.128")),
    ("just below the range: MFA", ip("192.168.1.127"), GUARDIAN),
    ("a public address: MFA", {}, GUARDIAN),
    ("IPv6 against an IPv4 range: MFA, not an error", ip("2001:db8::5"), GUARDIAN),
    ("an IPv4-mapped address inside the range", ip("::ffff:192.168.1.140")),
    ("inside the first of several ranges", ip("145.100.7.1"), ALLOW, OFFICES),
    ("inside an IPv6 range", ip("2001:db8:ace:12::9"), ALLOW, OFFICES),
    ("outside all of them: MFA", {}, GUARDIAN, OFFICES),
    (
        "a malformed range is an error",
        {},
        ALLOW,
        {"CORP_NETWORK": "192.168.1.0/33"},
        "does not appear to be an IPv4 or IPv6 network",
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)
