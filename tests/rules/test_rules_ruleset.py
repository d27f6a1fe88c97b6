"""RuleSet: outcomes as directives, evaluation order (priority, then file order, files in config
order), deny stops, warnings, and the spec's example file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from contextmfa.directives import Deny, Require, Skip, Step
from contextmfa.errors import CompileError
from contextmfa.rules import RuleContext, RuleSet, compile_rule_files, compile_text

Ctx = Callable[..., RuleContext]
Compile = Callable[[str], RuleSet]
ALWAYS = "ip is present"


@pytest.mark.parametrize(
    ("outcome", "directive"),
    [
        ('deny "Not from here"', Deny("Not from here", "rule:r")),
        ("require mfa", Require(None, False, "rule:r")),
        ("require mfa with any", Require(None, False, "rule:r")),
        ("require mfa remember browser yes", Require(None, True, "rule:r")),
        ("require mfa with any remember browser no", Require(None, False, "rule:r")),
        (
            "require mfa with [webauthn-roaming, otp] remember browser no",
            Require(frozenset({"webauthn-roaming", "otp"}), False, "rule:r"),
        ),
        ('require mfa with ["otp",]', Require(frozenset({"otp"}), False, "rule:r")),
        (
            "enroll mfa with [webauthn-roaming, webauthn-platform]",
            Step("enroll", frozenset({"webauthn-roaming", "webauthn-platform"}), "rule:r"),
        ),
        ("skip mfa", Skip("rule:r")),
    ],
)
def test_outcomes(compile_rules: Compile, make_ctx: Ctx, outcome: str, directive: object) -> None:
    rules = compile_rules(f'rule "r" {{ when {ALWAYS} {outcome} }}')
    assert rules.evaluate(make_ctx()) == [directive]


def test_priority_first_then_file_order(compile_rules: Compile, make_ctx: Ctx) -> None:
    rules = compile_rules(
        f'rule "low" priority -5 {{ when {ALWAYS} require mfa with [sms] }}\n'
        f'rule "first-zero" {{ when {ALWAYS} require mfa with [otp] }}\n'
        f'rule "high" priority 10 {{ when {ALWAYS} skip mfa }}\n'
        f'rule "second-zero" priority 0 {{ when {ALWAYS} require mfa with [voice] }}\n'
        f'rule "never" priority 99 {{ when ip is missing skip mfa }}\n'
    )
    assert rules.names == ("never", "high", "first-zero", "second-zero", "low")
    assert rules.rule_count == 5
    assert [d.source for d in rules.evaluate(make_ctx())] == [
        "rule:high",
        "rule:first-zero",
        "rule:second-zero",
        "rule:low",
    ]


def test_ties_across_files_follow_config_order(tmp_path: Path, make_ctx: Ctx) -> None:
    a, b = tmp_path / "a.rules", tmp_path / "b.rules"
    a.write_text(f'rule "a1" {{ when {ALWAYS} skip mfa }}\nrule "a2" {{ when {ALWAYS} skip mfa }}')
    b.write_text(
        f'rule "b1" priority 1 {{ when {ALWAYS} skip mfa }}\nrule "b2" {{ when {ALWAYS} skip mfa }}'
    )
    assert compile_rule_files([b, a]).names == ("b1", "b2", "a1", "a2")
    assert compile_rule_files([a, b]).names == ("b1", "a1", "a2", "b2")


def test_a_matching_deny_stops_evaluation(compile_rules: Compile, make_ctx: Ctx) -> None:
    rules = compile_rules(
        f'rule "before" priority 3 {{ when {ALWAYS} require mfa }}\n'
        f'rule "deny" priority 2 {{ when {ALWAYS} deny "stop" }}\n'
        f'rule "after" priority 1 {{ when {ALWAYS} skip mfa }}\n'
    )
    assert rules.evaluate(make_ctx()) == [
        Require(None, False, "rule:before"),
        Deny("stop", "rule:deny"),
    ]


def test_a_deny_that_does_not_match_does_not_stop(compile_rules: Compile, make_ctx: Ctx) -> None:
    rules = compile_rules(
        'rule "deny" priority 2 { when geo.country == "CU" deny "embargo" }\n'
        f'rule "after" {{ when {ALWAYS} skip mfa }}\n'
    )
    assert rules.evaluate(make_ctx()) == [Skip("rule:after")]


def test_an_empty_rule_set(tmp_path: Path, make_ctx: Ctx) -> None:
    path = tmp_path / "empty.rules"
    path.write_text("# nothing yet\n")
    rules = compile_rule_files([path])
    assert (rules.rule_count, rules.names, rules.warnings) == (0, (), ())
    assert rules.evaluate(make_ctx()) == []
    assert compile_rule_files([]).evaluate(make_ctx()) == []


def test_rule_names_may_hold_spaces_and_punctuation(compile_rules: Compile, make_ctx: Ctx) -> None:
    rules = compile_rules(f'rule "Admins: off-hours (EU)" {{ when {ALWAYS} skip mfa }}')
    assert rules.evaluate(make_ctx()) == [Skip("rule:Admins: off-hours (EU)")]


def test_quotes_and_backslashes_in_strings(compile_rules: Compile, make_ctx: Ctx) -> None:
    rules = compile_rules(
        'rule "r" { when request.user_agent matches ".*\\d+\\.\\d.*" '
        'and user.name != "say \\"hi\\"" deny "a \\\\ b" }'
    )
    assert rules.evaluate(make_ctx()) == [Deny("a \\ b", "rule:r")]


def test_compile_text_places_list_files_relative_to_the_given_path(
    tmp_path: Path, make_ctx: Ctx
) -> None:
    (tmp_path / "n.txt").write_text("145.100.0.0/16\n")
    rules = compile_text(
        'list n = file "n.txt"\nrule "r" { when ip in n skip mfa }', tmp_path / "x.rules"
    )
    assert rules.evaluate(make_ctx()) == [Skip("rule:r")]


def test_repr(compile_rules: Compile) -> None:
    rules = compile_rules('rule "r" { when geo.country != "NL" skip mfa }')
    assert repr(rules) == "RuleSet(rules=1, warnings=1)"


SPEC_EXAMPLE = """
# comments run to the end of the line
list corp_networks = [10.0.0.0/8, 192.168.0.0/16, 2001:db8::/32]
list embargoed = ["CU", "IR", "KP", "SY"]
list tor_exits = file "lists/tor-exits.txt"        # one IP/CIDR or string per line

rule "block-embargoed" priority 100 {
    when geo.country in embargoed
    deny "Sign-in from this region is not allowed"
}

rule "corp-network-skips-mfa" {
    when ip in corp_networks and risk.confidence != "low"
    skip mfa
}

rule "admins-off-hours" {
    when "admin" in user.roles
         and not (local.weekday in [mon, tue, wed, thu, fri] and local.time between 08:00 and 18:00)
    require mfa with [webauthn-roaming, otp] remember browser no
}

rule "far-from-hq" {
    when not within 500 km of (52.37, 4.89)
    require mfa remember browser yes
}

rule "new-admins-enroll-keys" {
    when "admin" in user.roles and user.logins_count < 3
    enroll mfa with [webauthn-roaming]
}

rule "tor" { when ip in tor_exits deny "tor" }
"""


@pytest.fixture
def spec_rules(tmp_path: Path) -> RuleSet:
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "tor-exits.txt").write_text("185.220.101.0/24\n")
    path = tmp_path / "spec.rules"
    path.write_text(SPEC_EXAMPLE)
    return compile_rule_files([path])


def test_spec_example(spec_rules: RuleSet, make_ctx: Ctx) -> None:
    assert spec_rules.warnings == ()
    office_morning = make_ctx()  # admin, Amsterdam, Monday 09:30
    assert spec_rules.evaluate(office_morning) == []
    evening = make_ctx(timestamp="2026-03-02T20:00:00+01:00")
    assert spec_rules.evaluate(evening) == [
        Require(frozenset({"webauthn-roaming", "otp"}), False, "rule:admins-off-hours")
    ]
    havana = make_ctx(geoip={"country_code": "CU", "latitude": 23.1, "longitude": -82.4})
    assert spec_rules.evaluate(havana) == [
        Deny("Sign-in from this region is not allowed", "rule:block-embargoed")
    ]
    new_admin_far = make_ctx(
        stats={"logins_count": 1},
        request={"ip": "10.1.2.3"},
        geoip={"country_code": "JP", "latitude": 35.7, "longitude": 139.7},
    )
    assert [d.source for d in spec_rules.evaluate(new_admin_far)] == [
        "rule:corp-network-skips-mfa",
        "rule:far-from-hq",
        "rule:new-admins-enroll-keys",
    ]


def test_evaluate_never_raises_even_if_a_condition_does(spec_rules: RuleSet, make_ctx: Ctx) -> None:
    """A defect in a condition costs that rule (unknown), never the login."""

    def broken(ctx: RuleContext) -> bool | None:
        raise RuntimeError("a bug")

    rules = RuleSet([spec_rules.rules[0].__class__("b", 1, broken, Skip("rule:b"), "p", 1)])
    assert rules.evaluate(make_ctx()) == []


def test_a_file_with_errors_contributes_no_rules(tmp_path: Path) -> None:
    path = tmp_path / "r.rules"
    path.write_text(
        'rule "good" { when ip is present skip mfa }\nrule "bad" { when ip == 1 skip mfa }'
    )
    with pytest.raises(CompileError):
        compile_rule_files([path])
