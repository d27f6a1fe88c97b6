"""actions/auth0/simple_domain_whitelist.py: every branch of auth0/rules
simple-domain-whitelist.js."""

import pytest
from auth0_ports import ALLOW, cases, deny, user

DENIED = deny("Access denied.")
ACME = {"ALLOWED_DOMAINS": "Acme.test, acme-partners.test"}

CASES = cases(
    "simple_domain_whitelist",
    ("no email: denied", user(email=None), DENIED),
    ("an unverified email: denied", user(email="ada@example.com", email_verified=False), DENIED),
    ("a domain not on the original's list: denied", {}, DENIED),
    ("a domain on the original's list passes", user(email="ada@example.org")),
    ("the email's domain is compared lowercased", user(email="Ada@EXAMPLE.com")),
    ("the part after the last @ is the domain", user(email='"a@b"@example.com')),
    ("a subdomain is another domain", user(email="ada@eu.example.com"), DENIED),
    ("a listed domain passes, the list lowercased too", {}, ALLOW, ACME),
    (
        "a domain that only ends like a listed one: denied",
        user(email="x@evilacme.test"),
        DENIED,
        ACME,
    ),
    ("an empty list denies everyone", {}, DENIED, {"ALLOWED_DOMAINS": ""}),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)
