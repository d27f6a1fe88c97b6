"""A security team's first rules: an embargo, a country skip, lists in files, a tenant.toml.

The team writes rule files as the README and the rule language reference show (a ``rules/``
and a ``lists/`` directory beside ``tenant.toml``) and runs ``check`` before every change. Their
mistakes are rules that could never fire, lists that hold nothing, and a tenant.toml typed by
hand; each must be said by ``check`` before a login meets it.
"""

from __future__ import annotations

import pytest
from sample_tree import copy_samples
from shell import Shell

EMBARGO = """\
rule "block-embargoed" priority 100 {
    when geo.country in ["CUB", "IRN", "PRK"]
    deny "Sign-in from this region is not allowed"
}

rule "dutch-offices-skip" {
    when geo.country == "Netherlands" and ip in [145.100.0.0/16]
    skip mfa
}
"""

EMBARGO_FROM_FILES = """\
list embargoed = file "../lists/embargoed.txt"
list partners = file "../lists/partners.txt"

rule "block-embargoed" priority 100 {
    when geo.country in embargoed
    deny "Sign-in from this region is not allowed"
}

rule "partners-from-their-network" {
    when user.id in partners and asn.organization == "SURFnet"
    require mfa with [webauthn-roaming]
}
"""


@pytest.fixture(scope="module")
def shell(tmp_path_factory: pytest.TempPathFactory) -> Shell:
    return Shell(copy_samples(tmp_path_factory.mktemp("rules")).parent)


def tenant(shell: Shell, name: str, rules: str, config: str = "") -> str:
    """``NAME/tenant.toml`` with one rule file in its flow, and ``NAME/lists/``."""
    shell.write(f"{name}/rules/embargo.rules", rules)
    shell.write(
        f"{name}/tenant.toml",
        f'[tenant]\nid = "acme"\n\n[flow]\nrules = ["rules/embargo.rules"]\n{config}',
    )
    return f"{name}/tenant.toml"


def test_country_names_and_alpha_3_codes_are_refused_with_the_code_meant(shell: Shell) -> None:
    """geo.country holds alpha-2 codes: "CUB" never matches, so this deny let Cuba in."""
    config = tenant(shell, "codes", EMBARGO)

    checked = shell.contextmfa("check", "--config", config)
    assert checked.code == 1
    assert checked.out == []
    assert checked.err == [
        'codes/rules/embargo.rules:2:26: error: "CUB" is never a value of geo.country, '
        'which holds ISO 3166-1 alpha-2 codes; did you mean "CU"?',
        'codes/rules/embargo.rules:2:33: error: "IRN" is never a value of geo.country, '
        'which holds ISO 3166-1 alpha-2 codes; did you mean "IR"?',
        'codes/rules/embargo.rules:2:40: error: "PRK" is never a value of geo.country, '
        'which holds ISO 3166-1 alpha-2 codes; did you mean "KP"?',
        'codes/rules/embargo.rules:7:25: error: "Netherlands" is never a value of geo.country, '
        'which holds ISO 3166-1 alpha-2 codes; did you mean "NL"?',
        "check failed: 4 errors",
    ]


def test_list_files_are_checked_line_by_line_and_empty_ones_warn(shell: Shell) -> None:
    """The same codes in a list file, a partners file nobody filled in yet, and an asn.* rule
    on a tenant with no ASN database: the first is an error at its line, the others can never
    fire and say so."""
    config = tenant(shell, "files", EMBARGO_FROM_FILES)
    shell.write("files/lists/embargoed.txt", "# embargoed countries\nCU\nIRN\nKP\nSY\n")
    shell.write("files/lists/partners.txt", "# partner user ids, one a line\n")

    checked = shell.contextmfa("check", "--config", config)
    assert checked.code == 1
    assert checked.out == []
    assert checked.err == [
        "files/rules/embargo.rules:2:22: warning: list file files/lists/partners.txt has no "
        "entries (only blank lines or comments), so nothing is ever in list partners",
        "files/rules/embargo.rules:10:34: warning: asn.organization is always missing: the "
        "tenant has no ASN database (set [geoip] asn_database)",
        'files/lists/embargoed.txt:3:1: error: "IRN" is never a value of geo.country, '
        'which holds ISO 3166-1 alpha-2 codes; did you mean "IR"?',
        "check failed: 1 error",
    ]

    shell.write("files/lists/embargoed.txt", "# embargoed countries\nCU\nIR\nKP\nSY\n")
    fixed = shell.contextmfa("check", "--config", config)
    assert (fixed.code, fixed.out) == (
        0,
        ["files/tenant.toml: ok: 0 Actions, 1 rule file, 2 warnings"],
    )
    assert fixed.err == checked.err[:2]

    decided = shell.contextmfa("evaluate", "samples/events/embargoed-cuba.json", "--config", config)
    assert (decided.code, decided.err) == (0, [])
    decision = decided.json()
    assert (decision["outcome"], decision["source"], decision["deny_reason"]) == (
        "deny",
        "rule:block-embargoed",
        "Sign-in from this region is not allowed",
    )


def test_every_config_problem_is_reported_at_once_and_the_rules_still_checked(
    shell: Shell,
) -> None:
    """A tenant.toml typed by hand: a misspelt key, two bad values, secrets for an Action that
    is not in the flow. check names each at its line, then still compiles the rule file."""
    config = tenant(
        shell,
        "typos",
        EMBARGO,
        'actons = ["mfa.py"]\non_error = "allow"\n\n'
        '[policy]\nmfa = "sometimes"\n\n'
        '[secrets.mfa]\nKEY = "value"\n',
    )

    checked = shell.contextmfa("check", "--config", config)
    assert checked.code == 1
    assert checked.out == []
    assert checked.err == [
        "typos/tenant.toml:6: error: flow.actons: unknown key; did you mean 'actions'?",
        "typos/tenant.toml:7: error: flow.on_error: expected one of 'deny' or 'challenge', "
        "got 'allow'",
        "typos/tenant.toml:10: error: policy.mfa: expected one of 'never', 'adaptive' or "
        "'always', got 'sometimes'",
        "typos/tenant.toml:12: warning: secrets.mfa: no Action 'mfa' in flow.actions, so these "
        "secrets are never used",
        'typos/rules/embargo.rules:2:26: error: "CUB" is never a value of geo.country, '
        'which holds ISO 3166-1 alpha-2 codes; did you mean "CU"?',
        'typos/rules/embargo.rules:2:33: error: "IRN" is never a value of geo.country, '
        'which holds ISO 3166-1 alpha-2 codes; did you mean "IR"?',
        'typos/rules/embargo.rules:2:40: error: "PRK" is never a value of geo.country, '
        'which holds ISO 3166-1 alpha-2 codes; did you mean "KP"?',
        'typos/rules/embargo.rules:7:25: error: "Netherlands" is never a value of geo.country, '
        'which holds ISO 3166-1 alpha-2 codes; did you mean "NL"?',
        "check failed: 7 errors",
    ]
