"""Values a field can never hold are compile errors, with what the author most likely meant.

`geo.country in ["CUB", "IRN", "PRK"]` (alpha-3 codes where geo.country holds alpha-2) would
let a login from Cuba through without a word; so would a country name, a lower-case code, a
date that does not exist or an hour past 23. Each is an error at the literal (or at the list
file's line), with the suggestion a user can paste.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from contextmfa.directives import Deny
from contextmfa.errors import CompileError
from contextmfa.rules import RuleContext, RuleSet, compile_rule_files

Errors = Callable[[str], list[str]]
Ctx = Callable[..., RuleContext]

ALPHA2 = "ISO 3166-1 alpha-2 codes"
ALPHA3 = "ISO 3166-1 alpha-3 codes"
CONTINENTS = "continent codes (AF, AN, AS, EU, NA, OC, SA)"


def rule(condition: str) -> str:
    return f'rule "r" {{ when {condition} deny "no" }}'


def outside(value: str, field: str, holds: str, hint: str = "") -> str:
    return f'"{value}" is never a value of {field}, which holds {holds}{hint}'


def country(value: str, hint: str) -> str:
    return outside(value, "geo.country", ALPHA2, hint)


OUTSIDE = [
    ('geo.country == "CUB"', "1:32", country("CUB", '; did you mean "CU"?')),
    ('geo.country == "Netherlands"', "1:32", country("Netherlands", '; did you mean "NL"?')),
    ('geo.country == "NETHERLANDS"', "1:32", country("NETHERLANDS", '; did you mean "NL"?')),
    (
        'geo.country == "the netherlands"',
        "1:32",
        country("the netherlands", '; did you mean "NL"?'),
    ),
    ('geo.country == "nl"', "1:32", country("nl", '; did you mean "NL"?')),
    ('geo.country == "North Korea"', "1:32", country("North Korea", '; did you mean "KP"?')),
    ('geo.country == "Iran"', "1:32", country("Iran", '; did you mean "IR"?')),
    ('geo.country == "Cote d\'Ivoire"', "1:32", country("Cote d'Ivoire", '; did you mean "CI"?')),
    ('geo.country == "Germny"', "1:32", country("Germny", '; did you mean "DE"?')),
    ('geo.country == "UK"', "1:32", country("UK", '; did you mean "GB"?')),
    (
        'geo.country == "EU"',
        "1:32",
        country("EU", '; "EU" is a continent: write geo.continent == "EU"'),
    ),
    ('geo.country == "ZZ"', "1:32", country("ZZ", ', such as "NL"')),
    ('geo.country != "Atlantis"', "1:32", country("Atlantis", ', such as "NL"')),
    ('"CUB" == geo.country', "1:17", country("CUB", '; did you mean "CU"?')),
    (
        'geo.country3 == "NL"',
        "1:33",
        outside("NL", "geo.country3", ALPHA3, '; did you mean "NLD"?'),
    ),
    (
        'geo.country3 == "Cuba"',
        "1:33",
        outside("Cuba", "geo.country3", ALPHA3, '; did you mean "CUB"?'),
    ),
    (
        'geo.country3 == "nld"',
        "1:33",
        outside("nld", "geo.country3", ALPHA3, '; did you mean "NLD"?'),
    ),
    (
        'geo.continent == "Europe"',
        "1:34",
        outside("Europe", "geo.continent", CONTINENTS, '; did you mean "EU"?'),
    ),
    ('geo.continent == "NL"', "1:34", outside("NL", "geo.continent", CONTINENTS)),
    (
        'geo.continent in ["eu", "AS"]',
        "1:35",
        outside("eu", "geo.continent", CONTINENTS, '; did you mean "EU"?'),
    ),
    (
        'risk.confidence == "hgh"',
        "1:36",
        '"hgh" is never a value of risk.confidence; did you mean "high"?',
    ),
    (
        'risk.confidence != "zzz"',
        "1:36",
        '"zzz" is never a value of risk.confidence (one of: "low", "medium", "high")',
    ),
    ('time.date == "2026-13-45"', "1:30", '"2026-13-45" is not a date: there is no month 13'),
    ('local.date == "2026-02-30"', "1:31", '"2026-02-30" is not a date: 2026-02 has no day 30'),
    (
        'time.date between "2026-12-24" and "2026-12-32"',
        "1:52",
        '"2026-12-32" is not a date: 2026-12 has no day 32',
    ),
    (
        'time.date == "2026-1-1"',
        "1:30",
        '"2026-1-1" is not a date: time.date is written YYYY-MM-DD',
    ),
    ("local.time == 25:00", "1:31", "bad time: 25:00 is not a time of day (00:00 to 23:59)"),
    ("time.hour == 24", "1:30", "24 is never a value of time.hour (a whole number from 0 to 23)"),
    (
        "local.minute in [0, 60]",
        "1:37",
        "60 is never a value of local.minute (a whole number from 0 to 59)",
    ),
    (
        "time.hour != 12.5",
        "1:30",
        "12.5 is never a value of time.hour (a whole number from 0 to 23)",
    ),
    (
        'local.weekday == "monday"',
        "1:34",
        'local.weekday holds weekdays, written without quotes: "monday" never matches; '
        "did you mean mon?",
    ),
    (
        'local.weekday in ["sat", "sun"]',
        "1:17",
        "local.weekday holds weekdays, written without quotes: the list holds strings; "
        "write [sat, sun]",
    ),
    (
        'local.weekday between "Monday" and "fri"',
        "1:39",
        'local.weekday holds weekdays, written without quotes: "Monday" never matches; '
        "did you mean mon?",
    ),
    (
        'local.time == "08:00"',
        "1:31",
        'local.time holds times of day, written without quotes: "08:00" never matches; '
        "did you mean 08:00?",
    ),
]


@pytest.mark.parametrize(("condition", "where", "message"), OUTSIDE)
def test_a_literal_outside_the_fields_domain_is_an_error(
    errors: Errors, condition: str, where: str, message: str
) -> None:
    assert f"test.rules:{where}: error: {message}" in errors(rule(condition))


def test_the_issue_reproduction_every_alpha3_code_is_reported(errors: Errors) -> None:
    found = errors(rule('geo.country in ["CUB", "IRN", "PRK"]'))
    assert found == [
        f'test.rules:1:33: error: "CUB" is never a value of geo.country, which holds {ALPHA2}; '
        'did you mean "CU"?',
        f'test.rules:1:40: error: "IRN" is never a value of geo.country, which holds {ALPHA2}; '
        'did you mean "IR"?',
        f'test.rules:1:47: error: "PRK" is never a value of geo.country, which holds {ALPHA2}; '
        'did you mean "KP"?',
    ]


@pytest.mark.parametrize(
    "condition",
    [
        'geo.country in ["CU", "IR", "KP", "SY", "XK"]',
        'geo.country3 in ["CUB", "IRN", "PRK", "XKX"]',
        'geo.continent in ["AF", "AN", "AS", "EU", "NA", "OC", "SA"]',
        'time.date between "2024-02-29" and "2026-12-31"',
        "time.hour between 0 and 23 and local.minute == 59",
        'geo.country between "AA" and "MZ" and time.hour between 9 and 24',
        "local.weekday in [sat, sun] and local.time between 22:00 and 06:00",
        'geo.country == user.app_metadata.home_country and geo.country_name == "Netherlands"',
    ],
)
def test_values_inside_the_domain_compile(compile_rules: Callable, condition: str) -> None:
    assert compile_rules(rule(condition)).rule_count == 1


def test_a_lower_case_subdivision_is_still_only_a_warning(compile_rules: Callable) -> None:
    rules = compile_rules(rule('geo.subdivision == "nh"'))
    assert [str(w) for w in rules.warnings] == [
        "test.rules:1:36: warning: geo.subdivision holds upper-case codes: 'nh' never matches "
        "(write 'NH')"
    ]


# -- list files used with those fields: located at the list file's line ------------------------


def compile_with_list(tmp_path: Path, entries: str, condition: str) -> RuleSet:
    (tmp_path / "lists").mkdir(exist_ok=True)
    (tmp_path / "lists" / "values.txt").write_text(entries, encoding="utf-8")
    path = tmp_path / "r.rules"
    path.write_text(f'list values = file "lists/values.txt"\n{rule(condition)}\n')
    return compile_rule_files([path], display=lambda p: p.relative_to(tmp_path).as_posix())


def list_errors(tmp_path: Path, entries: str, condition: str) -> list[str]:
    with pytest.raises(CompileError) as caught:
        compile_with_list(tmp_path, entries, condition)
    return [str(p) for p in caught.value.problems if p.severity == "error"]


def test_alpha3_codes_in_a_country_list_file(tmp_path: Path) -> None:
    found = list_errors(tmp_path, "# embargo\nCUB\nIR   # ok\nPRK\n", "geo.country in values")
    assert found == [
        "lists/values.txt:2:1: error: " + country("CUB", '; did you mean "CU"?'),
        "lists/values.txt:4:1: error: " + country("PRK", '; did you mean "KP"?'),
    ]


def test_a_named_literal_list_is_checked_at_its_own_position(errors: Errors) -> None:
    found = errors('list embargo = ["CU", "Iran"]\n' + rule("geo.country in embargo"))
    assert found == [
        f'test.rules:1:23: error: "Iran" is never a value of geo.country, which holds {ALPHA2}; '
        'did you mean "IR"?'
    ]


def test_weekday_list_file(tmp_path: Path, make_ctx: Ctx) -> None:
    rules = compile_with_list(tmp_path, "sat\nsun  # weekend\n", "local.weekday in values")
    assert rules.evaluate(make_ctx()) == []  # a Monday
    saturday = make_ctx(timestamp="2026-03-07T10:00:00+01:00")
    assert rules.evaluate(saturday) == [Deny("no", "rule:r")]
    found = list_errors(tmp_path, "sat\nSunday\nweekend\n", "local.weekday in values")
    assert found == [
        "lists/values.txt:2:1: error: 'Sunday' is not a weekday (mon to sun); did you mean sun?",
        "lists/values.txt:3:1: error: 'weekend' is not a weekday (mon to sun)",
    ]


def test_time_list_file(tmp_path: Path, make_ctx: Ctx) -> None:
    rules = compile_with_list(tmp_path, "08:30\n09:30\n", "time.time in values")
    assert rules.evaluate(make_ctx()) == [Deny("no", "rule:r")]  # 08:30 UTC
    found = list_errors(tmp_path, "08:30\n25:00\n8:30\n", "time.time in values")
    assert found == [
        "lists/values.txt:2:1: error: 25:00 is not a time of day (00:00 to 23:59)",
        "lists/values.txt:3:1: error: 8:30 is not a time of day: write HH:MM with two digits each",
    ]


def test_at_most_ten_list_file_errors_then_a_count(tmp_path: Path) -> None:
    entries = "".join(f"x{n}\n" for n in range(12))
    found = list_errors(tmp_path, entries, "geo.country in values")
    assert len(found) == 11
    assert found[0].startswith('lists/values.txt:1:1: error: "x0" is never a value of geo.country')
    assert found[10] == "lists/values.txt:11:1: error: ... and 2 more like these"


def test_the_sample_rules_and_lists_are_inside_their_domains() -> None:
    samples = Path(__file__).resolve().parents[2] / "samples" / "rules"
    assert compile_rule_files(sorted(samples.glob("*.rules"))).rule_count > 0


def test_a_long_list_file_of_the_wrong_values_is_counted_not_spelled_out(tmp_path: Path) -> None:
    entries = "".join(f"auth0|user-{n}\n" for n in range(20_000))
    found = list_errors(tmp_path, entries, "geo.country in values")
    assert len(found) == 11
    assert found[10] == "lists/values.txt:11:1: error: ... and 19990 more like these"
