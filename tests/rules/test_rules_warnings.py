"""Warnings: reported by `check`, never failing a compile."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from contextmfa.errors import CompileError
from contextmfa.rules import RuleSet, compile_rule_files

Compile = Callable[[str], RuleSet]

UNGUARDED = (
    "{field} may be missing, and `{op}` over a missing value is unknown, so the rule does not "
    "fire then; write `{field} is missing or ...` if it should"
)


def warnings(rules: RuleSet) -> list[str]:
    return [str(w) for w in rules.warnings]


@pytest.mark.parametrize(
    ("condition", "where", "field", "op"),
    [
        ('geo.country != "NL"', "1:29", "geo.country", "!="),
        ('geo.country not in ["NL"]', "1:17", "geo.country", "not in"),
        ('"admin" not in transaction.acr_values', "1:17", "transaction.acr_values", "not in"),
        ('user.app_metadata.home_country != "NL"', "1:48", "user.app_metadata.home_country", "!="),
        ("geo.country != user.app_metadata.home_country", "1:29", "geo.country", "!="),
    ],
)
def test_unguarded_negation_on_an_optional_field(
    compile_rules: Compile, condition: str, where: str, field: str, op: str
) -> None:
    rules = compile_rules(f'rule "r" {{ when {condition} skip mfa }}')
    expected = f"test.rules:{where}: warning: " + UNGUARDED.format(field=field, op=op)
    assert expected in warnings(rules)


@pytest.mark.parametrize(
    "condition",
    [
        'geo.country is missing or geo.country not in ["NL"]',
        'geo.country is present and geo.country != "NL"',
        'risk.confidence != "low"',  # always present
        '"admin" not in user.roles',  # always a list
        "ip not in 10.0.0.0/8",
        'geo.country == "NL"',
    ],
)
def test_no_warning_when_guarded_or_never_missing(compile_rules: Compile, condition: str) -> None:
    rules = compile_rules(f'rule "r" {{ when {condition} skip mfa }}')
    assert rules.warnings == ()


def test_other_warnings(compile_rules: Compile) -> None:
    rules = compile_rules(
        "list unused = [1]\n"
        'rule "case" { when geo.subdivision in ["nh", "UT"] deny "x" }\n'
        'rule "email" { when ip is present enroll mfa with [email, recovery-code] }\n'
        'rule "twice" { when ip is present require mfa with [otp, otp] }\n'
    )
    assert warnings(rules) == [
        "test.rules:1:6: warning: list unused is never used",
        "test.rules:2:40: warning: geo.subdivision holds upper-case codes: 'nh' never matches "
        "(write 'NH')",
        "test.rules:3:35: warning: email and recovery-code are never enrolled by a step: "
        "this rule does nothing",
        "test.rules:4:58: warning: factor otp is listed twice",
    ]
    assert all(w.severity == "warning" for w in rules.warnings)


def test_warnings_accompany_errors(tmp_path: Path) -> None:
    path = tmp_path / "r.rules"
    path.write_text(
        'rule "a" { when geo.country != "NL" skip mfa }\nrule "b" { when ip == 1 skip mfa }'
    )
    with pytest.raises(CompileError) as caught:
        compile_rule_files([path], display=lambda p: p.name)
    assert [p.severity for p in caught.value.problems] == ["warning", "error"]


def test_list_file_values_are_checked_once_with_at_most_ten_reports(tmp_path: Path) -> None:
    (tmp_path / "codes.txt").write_text("".join(f"x{n}\n" for n in range(12)))
    path = tmp_path / "r.rules"
    path.write_text(
        'list codes = file "codes.txt"\n'
        'rule "a" { when geo.subdivision in codes deny "x" }\n'
        'rule "b" { when geo.subdivision is present and geo.subdivision not in codes '
        "require mfa }\n"
    )
    found = [str(w) for w in compile_rule_files([path], display=lambda p: p.name).warnings]
    assert found[0] == (
        "codes.txt:1:1: warning: geo.subdivision holds upper-case codes: 'x0' never matches "
        "(write 'X0')"
    )
    assert found[10:] == ["codes.txt:11:1: warning: ... and 2 more like these"]


@pytest.mark.parametrize("text", ["", "\n\n", "# refreshed daily by the feed job\n\n# none yet\n"])
def test_a_list_file_without_entries_is_a_warning(tmp_path: Path, text: str) -> None:
    (tmp_path / "tor.txt").write_text(text)
    path = tmp_path / "r.rules"
    path.write_text('list tor = file "tor.txt"\nrule "tor" { when ip in tor deny "tor" }\n')
    rules = compile_rule_files([path], display=lambda p: p.name)
    assert warnings(rules) == [
        "r.rules:1:17: warning: list file tor.txt has no entries (only blank lines or comments), "
        "so nothing is ever in list tor"
    ]


def test_asn_fields_without_an_asn_database_are_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "r.rules"
    path.write_text(
        'rule "hosting" { when asn.number in [16509, 14618] require mfa }\n'
        'rule "no-asn" { when asn.organization is missing require mfa }\n'
    )
    rules = compile_rule_files([path], display=lambda p: p.name, asn_database=False)
    always = "is always missing: the tenant has no ASN database (set [geoip] asn_database)"
    assert warnings(rules) == [
        f"r.rules:1:23: warning: asn.number {always}",
        f"r.rules:2:22: warning: asn.organization {always}",
    ]
    assert compile_rule_files([path], display=lambda p: p.name).warnings == ()
