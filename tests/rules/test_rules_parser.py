"""The parser: grammar loading, syntax tree shape and positions, strings, comments."""

from __future__ import annotations

from pathlib import Path

import pytest

from contextmfa.errors import Problem
from contextmfa.rules import nodes as n
from contextmfa.rules import parser as parser_module
from contextmfa.rules.parser import grammar_text, parse, parser, unquote

REPO = Path(__file__).resolve().parents[2]


def parsed(text: str) -> n.RuleFile:
    tree = parse(text, "t.rules")
    assert isinstance(tree, n.RuleFile), tree
    return tree


def test_grammar_is_read_from_the_checkout() -> None:
    assert grammar_text() == (REPO / "grammar" / "rules.lark").read_text(encoding="utf-8")


def test_grammar_is_read_from_the_bundled_package_data_first(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A wheel holds the grammar at contextmfa/_bundled/grammar/rules.lark (force-include)."""
    bundled = tmp_path / "contextmfa" / "_bundled" / "grammar"
    bundled.mkdir(parents=True)
    (bundled / "rules.lark").write_text("// bundled copy\n")
    monkeypatch.setattr(parser_module.resources, "files", lambda _: tmp_path / "contextmfa")
    assert grammar_text() == "// bundled copy\n"


def test_parser_is_built_once() -> None:
    assert parser() is parser()


def test_tree_shape_and_positions() -> None:
    tree = parsed(
        "# header\n"
        "list corp = [10.0.0.0/8, 2001:db8::/32]\n"
        'list tor = file "lists/tor.txt"\n'
        'rule "r" priority -5 {\n'
        '  when geo.country in ["CU"] and not (local.time between 22:00 and 06:00)\n'
        "    or within 5 km of (52.37, -4.89) or user.app_metadata.a is missing\n"
        '  require mfa with [webauthn-roaming, "otp"] remember browser yes\n'
        "}\n"
    )
    corp, tor = tree.lists
    assert (corp.name, corp.name_pos) == ("corp", n.Pos(2, 6))
    assert corp.value == n.ListLit(
        (n.AddressLit("10.0.0.0/8", n.Pos(2, 14)), n.AddressLit("2001:db8::/32", n.Pos(2, 26))),
        n.Pos(2, 13),
    )
    assert tor.value == n.FileRef(n.StringLit("lists/tor.txt", n.Pos(3, 17)), n.Pos(3, 12))
    (rule,) = tree.rules
    assert rule.name == n.StringLit("r", n.Pos(4, 6))
    assert rule.priority == n.NumberLit("-5", n.Pos(4, 19))
    assert isinstance(rule.condition, n.Or)
    first, within, presence = rule.condition.operands
    assert isinstance(first, n.And)
    membership, negation = first.operands
    assert membership == n.In(
        n.Name("geo.country", n.Pos(5, 8)),
        n.ListLit((n.StringLit("CU", n.Pos(5, 24)),), n.Pos(5, 23)),
        False,
        n.Pos(5, 8),
    )
    assert isinstance(negation, n.Not) and isinstance(negation.operand, n.Between)
    assert negation.operand.low == n.TimeLit("22:00", n.Pos(5, 58))
    assert within == n.Within(
        n.NumberLit("5", n.Pos(6, 15)),
        n.NumberLit("52.37", n.Pos(6, 24)),
        n.NumberLit("-4.89", n.Pos(6, 31)),
        n.Pos(6, 8),
    )
    assert presence == n.Presence(n.Name("user.app_metadata.a", n.Pos(6, 41)), False, n.Pos(6, 41))
    assert rule.outcome == n.RequireOutcome(
        (n.FactorRef("webauthn-roaming", n.Pos(7, 21)), n.FactorRef("otp", n.Pos(7, 39))),
        True,
        n.Pos(7, 3),
        n.Pos(7, 20),
    )


def test_compare_records_the_operator_position() -> None:
    (rule,) = parsed('rule "r" { when time.hour   >=  22 skip mfa }').rules
    assert rule.condition == n.Compare(
        ">=",
        n.Name("time.hour", n.Pos(1, 17)),
        n.NumberLit("22", n.Pos(1, 33)),
        n.Pos(1, 17),
        n.Pos(1, 29),
    )


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ('"plain"', "plain"),
        ('"say \\"hi\\""', 'say "hi"'),
        ('"back\\\\slash"', "back\\slash"),
        ('"\\d+\\.\\w"', "\\d+\\.\\w"),  # other backslashes stay: regexes need no doubling
        ('"#not a comment"', "#not a comment"),
        ('""', ""),
    ],
)
def test_strings(written: str, value: str) -> None:
    assert unquote(written) == value


def test_and_or_chains_are_flat() -> None:
    (rule,) = parsed(
        'rule "r" { when ' + " and ".join(["ip is present"] * 500) + " skip mfa }"
    ).rules
    assert isinstance(rule.condition, n.And) and len(rule.condition.operands) == 500


def test_and_binds_tighter_than_or_and_not_tighter_than_and() -> None:
    (rule,) = parsed(
        'rule "r" { when not a is missing and b is missing or c is missing skip mfa }'
    ).rules
    assert isinstance(rule.condition, n.Or)
    left, _ = rule.condition.operands
    assert isinstance(left, n.And) and isinstance(left.operands[0], n.Not)


def test_keywords_may_be_metadata_keys() -> None:
    (rule,) = parsed('rule "r" { when user.app_metadata.in == 1 skip mfa }').rules
    assert rule.condition.left == n.Name("user.app_metadata.in", n.Pos(1, 17))  # type: ignore[union-attr]


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    nested = "(ip is present and " * 70 + "ip is present" + ")" * 70
    problem = parse(f'rule "r" {{ when {nested} skip mfa }}', "t")
    assert isinstance(problem, Problem) and "nested more than 64 deep" in problem.message
    problem = parse('rule "r" { when ' + "not " * 10_000 + "ip is present skip mfa }", "t")
    assert isinstance(problem, Problem) and "nested more than 64 deep" in problem.message


def test_redundant_parentheses_add_no_depth() -> None:
    tree = parsed('rule "r" { when ' + "(" * 500 + "ip is present" + ")" * 500 + " skip mfa }")
    assert isinstance(tree.rules[0].condition, n.Presence)


def test_windows_line_endings_and_a_byte_order_mark(compile_rules) -> None:  # type: ignore[no-untyped-def]
    rules = compile_rules('\ufeffrule "r" {\r\n  when ip is present\r\n  skip mfa\r\n}\r\n')
    assert rules.names == ("r",)
