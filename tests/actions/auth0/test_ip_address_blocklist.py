"""actions/auth0/ip_address_blocklist.py: every branch of auth0/rules ip-address-blocklist.js."""

import pytest
from auth0_ports import ALLOW, cases, deny

DENIED = deny("Access denied from this IP address.")
FEED = {"BLOCKED_IPS": "198.51.100.0/24, 203.0.113.66, 2001:db8:bad::/48"}


def ip(address):
    return {"request": {"ip": address}}


CASES = cases(
    "ip_address_blocklist",
    ("an address on the original's list is denied", ip("1.2.3.4"), DENIED),
    ("an address not on the list passes", {}),
    ("an address inside a listed CIDR is denied", ip("198.51.100.200"), DENIED, FEED),
    ("a listed address is denied", ip("203.0.113.66"), DENIED, FEED),
    ("IPv6 inside a listed range is denied", ip("2001:DB8:BAD::1"), DENIED, FEED),
    ("IPv4-mapped IPv6 is denied", ip("::ffff:203.0.113.66"), DENIED, FEED),
    ("a neighbour passes", ip("203.0.113.67"), ALLOW, FEED),
    ("an empty list denies nobody", ip("1.2.3.4"), ALLOW, {"BLOCKED_IPS": ""}),
    (
        "a malformed entry is an error, not a miss",
        ip("1.2.3.4"),
        ALLOW,
        {"BLOCKED_IPS": "1.2.3"},
        "does not appear to be an IPv4 or IPv6 network",
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)
