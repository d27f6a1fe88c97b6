"""Three-valued logic: truth tables of and/or/not over true, false and unknown, and what they mean
for a rule (it fires only when its condition is true)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import product

import pytest

from contextmfa.directives import Deny
from contextmfa.rules import RuleContext, RuleSet

Judge = Callable[..., bool | None]

# Over a login without GeoIP: each stands for one truth value.
T, F, U = "ip is present", "ip is missing", 'geo.country == "NL"'
TERMS = {True: T, False: F, None: U}


def kleene_and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def kleene_or(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


@pytest.fixture
def no_geo(make_ctx: Callable[..., RuleContext]) -> RuleContext:
    return make_ctx(geoip=None)


VALUES = [True, False, None]


@pytest.mark.parametrize(("a", "b"), list(product(VALUES, VALUES)))
def test_and_truth_table(judge: Judge, no_geo: RuleContext, a: bool | None, b: bool | None) -> None:
    assert judge(f"{TERMS[a]} and {TERMS[b]}", no_geo) is kleene_and(a, b)


@pytest.mark.parametrize(("a", "b"), list(product(VALUES, VALUES)))
def test_or_truth_table(judge: Judge, no_geo: RuleContext, a: bool | None, b: bool | None) -> None:
    assert judge(f"{TERMS[a]} or {TERMS[b]}", no_geo) is kleene_or(a, b)


@pytest.mark.parametrize("a", VALUES)
def test_not_truth_table(judge: Judge, no_geo: RuleContext, a: bool | None) -> None:
    assert judge(f"not ({TERMS[a]})", no_geo) is (None if a is None else not a)


@pytest.mark.parametrize(("a", "b", "c"), list(product(VALUES, VALUES, VALUES)))
def test_chains_and_negated_groups(
    judge: Judge, no_geo: RuleContext, a: bool | None, b: bool | None, c: bool | None
) -> None:
    """Three-operand chains, and De Morgan under `not` (which the compiler pushes down)."""
    ta, tb, tc = TERMS[a], TERMS[b], TERMS[c]
    assert judge(f"{ta} and {tb} and {tc}", no_geo) is kleene_and(kleene_and(a, b), c)
    assert judge(f"{ta} or {tb} or {tc}", no_geo) is kleene_or(kleene_or(a, b), c)
    expected = kleene_or(a, b)
    negated = None if expected is None else not expected
    assert judge(f"not ({ta} or {tb})", no_geo) is negated
    both = kleene_and(a, kleene_or(b, c))
    assert judge(f"not not ({ta} and ({tb} or {tc}))", no_geo) is both
    assert judge(f"{ta} and {tb} or {tc}", no_geo) is kleene_or(kleene_and(a, b), c)


@pytest.mark.parametrize(
    "text",
    [
        'geo.country == "NL"',
        'geo.country != "NL"',
        'geo.country in ["NL"]',
        'geo.country not in ["NL"]',
        'not (geo.country in ["NL"])',
        'geo.city < "M"',
        'geo.city between "A" and "Z"',
        'geo.city matches ".*"',
        'geo.city startswith ""',
        'geo.city endswith ""',
        'geo.city contains ""',
        "geo.latitude > 0",
        "within 20000 km of (0, 0)",
        "not within 1 km of (0, 0)",
        "geo.country == user.app_metadata.home_country",
        '"NL" == geo.country',
    ],
)
def test_a_missing_value_makes_every_comparison_unknown(
    judge: Judge, no_geo: RuleContext, text: str
) -> None:
    assert judge(text, no_geo) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("geo.country is missing", True),
        ("geo.country is present", False),
        ("not (geo.country is missing)", False),
        ('geo.country is missing or geo.country not in ["NL"]', True),
        ('geo.country is present and geo.country not in ["NL"]', False),
    ],
)
def test_presence_tests_are_never_unknown(
    judge: Judge, no_geo: RuleContext, text: str, expected: bool
) -> None:
    assert judge(text, no_geo) is expected


def test_a_rule_fires_only_when_its_condition_is_true(
    compile_rules: Callable[[str], RuleSet], no_geo: RuleContext
) -> None:
    rules = compile_rules(
        f'rule "true" {{ when {T} deny "t" }}\n'
        f'rule "unknown" priority 2 {{ when {U} deny "u" }}\n'
        f'rule "not-unknown" priority 1 {{ when not ({U}) deny "nu" }}\n'
    )
    assert rules.evaluate(no_geo) == [Deny("t", "rule:true")]


def test_unknown_is_not_false_for_the_allowlist_pattern(
    compile_rules: Callable[[str], RuleSet], no_geo: RuleContext
) -> None:
    """`country not in allowed` does not fire without a country; the guarded form does."""
    rules = compile_rules(
        'list allowed = ["NL", "DE"]\n'
        'rule "naive" priority 1 { when geo.country not in allowed deny "naive" }\n'
        'rule "guarded" { when geo.country is missing or geo.country not in allowed deny "g" }\n'
    )
    assert rules.evaluate(no_geo) == [Deny("g", "rule:guarded")]
