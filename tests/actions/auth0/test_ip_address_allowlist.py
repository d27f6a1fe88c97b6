"""actions/auth0/ip_address_allowlist.py: every branch of auth0/rules ip-address-allowlist.js."""

import pytest
from auth0_ports import ALLOW, cases, deny

DENIED = deny("Access denied from this IP address.")
OFFICE = {"ALLOWED_IPS": "203.0.113.0/24, 198.51.100.7, 2001:db8::1"}

CASES = cases(
    "ip_address_allowlist",
    ("an address on the original's list passes", {"request": {"ip": "2.3.4.5"}}),
    ("an address not on the list is denied", {"request": {"ip": "77.161.34.157"}}, DENIED),
    ("a listed address passes", {"request": {"ip": "198.51.100.7"}}, ALLOW, OFFICE),
    ("an address inside a listed CIDR passes", {"request": {"ip": "203.0.113.9"}}, ALLOW, OFFICE),
    (
        "an address outside every entry is denied",
        {"request": {"ip": "203.0.114.9"}},
        DENIED,
        OFFICE,
    ),
    ("IPv6 is compared as an address", {"request": {"ip": "2001:DB8:0::1"}}, ALLOW, OFFICE),
    ("IPv4-mapped IPv6 matches", {"request": {"ip": "::ffff:198.51.100.7"}}, ALLOW, OFFICE),
    ("an empty list denies every login", {}, DENIED, {"ALLOWED_IPS": " "}),
    (
        "a malformed entry is an error, not a miss",
        {},
        ALLOW,
        {"ALLOWED_IPS": "203.0.113.300"},
        "does not appear to be an IPv4 or IPv6 network",
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)
