"""actions/auth0/check_domains_against_connection_aliases.py: every branch of auth0/rules
check-domains-against-connection-aliases.js."""

import pytest
from auth0_ports import cases, deny, login, user

DENIED = deny("Access denied")


def domains(**metadata):
    return {"connection": {"name": "exampleco-saml", "strategy": "samlp", "metadata": metadata}}


EXAMPLECO = domains(tenant_domain="exampleco.com", domain_aliases=["ExampleCo.org", ""])

CASES = cases(
    "check_domains_against_connection_aliases",
    ("no domains configured: access allowed", {}),
    ("a login without a connection: access allowed", {"connection": None}),
    ("aliases but no tenant domain: denied", domains(domain_aliases=["exampleco.com"]), DENIED),
    ("the tenant domain passes", login(EXAMPLECO, user(email="ada@exampleco.com"))),
    ("an alias passes, case-insensitive", login(EXAMPLECO, user(email="ada@EXAMPLECO.ORG"))),
    (
        "a look-alike domain is denied",
        login(EXAMPLECO, user(email="ada@examplecocorp.com")),
        DENIED,
    ),
    ("another domain is denied", EXAMPLECO, DENIED),
    (
        "a tenant domain alone",
        login(domains(tenant_domain="exampleco.com"), user(email="a@exampleco.com")),
    ),
    (
        "a tenant domain written in capitals still matches",
        login(domains(tenant_domain="ExampleCo.com"), user(email="a@exampleco.com")),
    ),
    (
        "aliases as one comma-separated string",
        login(
            domains(tenant_domain="a.test", domain_aliases="b.test, exampleco.com"),
            user(email="x@exampleco.com"),
        ),
    ),
    ("no email is denied", login(EXAMPLECO, user(email=None)), DENIED),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)
