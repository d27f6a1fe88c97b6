"""Every compile-time error, each with its exact ``path:line:col: error: message``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from contextmfa.errors import CompileError
from contextmfa.rules import compile_rule_files

Errors = Callable[[str], list[str]]


def rule(condition: str, outcome: str = "skip mfa") -> str:
    return f'rule "r" {{ when {condition} {outcome} }}'


CHECKS = [
    # unknown names, with "did you mean"
    (rule('geo.contry == "NL"'), "1:17", "unknown field 'geo.contry'; did you mean 'geo.country'?"),
    (
        rule('"x" in authorization.roles'),
        "1:24",
        "unknown field 'authorization.roles'; did you mean 'user.roles'?",
    ),
    (
        rule("user.app_metdata.tier == 1"),
        "1:17",
        "unknown field 'user.app_metdata.tier'; did you mean 'user.app_metadata.tier'?",
    ),
    (
        rule("user.app_metadata == 1"),
        "1:17",
        "user.app_metadata is an object: name a key, as in user.app_metadata.<key>",
    ),
    (rule("monday == time.weekday"), "1:17", "unknown name 'monday'; did you mean 'mon'?"),
    (
        rule("geo.country == NL"),
        "1:32",
        "unknown name 'NL'; strings are written in double quotes: \"NL\"",
    ),
    (rule("geo.unknown is missing"), "1:17", "unknown field 'geo.unknown'"),
    (
        "list corp_networks = [10.0.0.0/8]\n" + rule("ip in corp_netwroks"),
        "2:23",
        "unknown list 'corp_netwroks'; did you mean 'corp_networks'?",
    ),
    (
        rule("ip in corp") + "\nlist corp = [10.0.0.0/8]",
        "1:23",
        "list corp is used before its declaration on line 2",
    ),
    (rule('"x" in user.rolez'), "1:24", "unknown field 'user.rolez'; did you mean 'user.roles'?"),
    # type mismatches
    (rule("ip == 5"), "1:20", "type mismatch: ip is an IP address but 5 is a number"),
    (rule('time.hour > "x"'), "1:27", "type mismatch: time.hour is a number but 'x' is a string"),
    (
        rule('time.weekday == "mon"'),
        "1:33",
        'time.weekday holds weekdays, written without quotes: "mon" never matches; '
        "did you mean mon?",
    ),
    (rule('ip in ["a"]'), "1:17", "type mismatch: ip is an IP address but the list holds strings"),
    (
        "list nets = [10.0.0.0/8]\n" + rule("geo.country in nets"),
        "2:17",
        "type mismatch: geo.country is a string but nets holds IP addresses",
    ),
    (rule("5 in user.roles"), "1:17", "type mismatch: 5 is a number but user.roles holds strings"),
    (
        rule("time.weekday < fri"),
        "1:30",
        "< compares numbers, times of day and strings, not weekdays "
        "(use `between mon and fri` or `in [sat, sun]`)",
    ),
    (
        rule("device.remembered >= true"),
        "1:35",
        ">= compares numbers, times of day and strings, not booleans",
    ),
    (
        rule('user.roles == "admin"'),
        "1:17",
        'user.roles is a list: test an element with `in`, as in "x" in user.roles',
    ),
    ('list l = ["a"]\n' + rule('l == "a"'), "2:17", "l is a list: test membership with `in`"),
    (
        rule("ip == 10.0.0.0/8"),
        "1:23",
        "10.0.0.0/8 is a CIDR: test an address against it with `ip in 10.0.0.0/8`",
    ),
    (
        rule("ip in 1.2.3.4"),
        "1:23",
        "1.2.3.4 is an address, not a list: compare with `==` or use a CIDR",
    ),
    (rule('"x" in geo.country'), "1:24", "geo.country is not a list"),
    (rule('"x" in "y"'), "1:24", "'y' is not a list"),
    (rule('ip startswith "10."'), "1:17", "startswith tests strings, but ip is an IP address"),
    (
        rule('user.logins_count matches "1+"'),
        "1:17",
        "matches tests strings, but user.logins_count is a number",
    ),
    (
        rule("local.time between ip and 08:00"),
        "1:17",
        "the bounds of between are values, such as 08:00 and 18:00 or 1 and 10",
    ),
    (
        rule("user.app_metadata.x between 1 and 08:00"),
        "1:51",
        "type mismatch: 1 is a number but 08:00 is a time of day",
    ),
    (
        rule("local.time between 1 and 5"),
        "1:17",
        "type mismatch: local.time is a time of day but 1 is a number",
    ),
    (
        rule("ip between 1.1.1.1 and 2.2.2.2"),
        "1:17",
        "between takes numbers, times of day, weekdays or strings, not IP addresses",
    ),
    (
        rule("user.logins_count between 10 and 1"),
        "1:43",
        "the bounds are reversed: write `between 1 and 10`",
    ),
    # literals
    (
        rule("ip in 10.0.0.1/8"),
        "1:23",
        "bad address: 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?",
    ),
    (rule("ip == 300.1.1.1"), "1:23", "bad address: 300.1.1.1 is not an IP address or CIDR"),
    (rule("ip in 10.0.0.0/33"), "1:23", "bad address: 10.0.0.0/33 is not an IP address or CIDR"),
    (rule("ip == 2001:db8:::1"), "1:23", "bad address: 2001:db8:::1 is not an IP address or CIDR"),
    (
        rule("ip == 08:00:00"),
        "1:23",
        "bad address: 08:00:00 is not an IP address (times of day are written HH:MM)",
    ),
    (rule("local.time == 25:00"), "1:31", "bad time: 25:00 is not a time of day (00:00 to 23:59)"),
    (
        rule("local.time == 8:00"),
        "1:31",
        "bad time: 8:00 is not a time of day: write HH:MM with two digits each",
    ),
    (
        rule("user.logins_count == 1234567890123456789012345678901"),
        "1:38",
        "bad number: 12345678901234567890... has more than 30 digits",
    ),
    (
        rule('request.user_agent matches "([a-z"'),
        "1:44",
        "bad regular expression: unterminated character set at position 1",
    ),
    (
        rule('risk.confidence == "hgh"'),
        "1:36",
        '"hgh" is never a value of risk.confidence; did you mean "high"?',
    ),
    (
        rule('risk.untrusted_ip in ["found_on_denylist", "x"]'),
        "1:39",
        '"found_on_denylist" is never a value of risk.untrusted_ip; '
        'did you mean "found_on_deny_list"?',
    ),
    (
        rule('risk.confidence != "zzz"'),
        "1:36",
        '"zzz" is never a value of risk.confidence (one of: "low", "medium", "high")',
    ),
    (
        rule('"webauthn" in user.enrolled_factors'),
        "1:17",
        '"webauthn" is never a value of user.enrolled_factors; did you mean "webauthn-roaming"?',
    ),
    (
        rule('time.date == "2026-1-1"'),
        "1:30",
        '"2026-1-1" is not a date: time.date is written YYYY-MM-DD',
    ),
    (rule("within 0 km of (52.37, 4.89)"), "1:24", "the distance in km must be above 0, not 0"),
    (rule("within 5 km of (91, 4.89)"), "1:33", "the latitude must be between -90 and 90, not 91"),
    (
        rule("within 5 km of (52.37, -181)"),
        "1:40",
        "the longitude must be between -180 and 180, not -181",
    ),
    # lists
    (
        'list l = [1, "a"]',
        "1:14",
        "a list holds one type: this one holds numbers, but 'a' is a string",
    ),
    ("list l = [geo.city]", "1:11", "a list holds values, not fields such as geo.city"),
    (
        "list l = [NL]",
        "1:11",
        "unknown name 'NL' in list; strings are written in double quotes: \"NL\"",
    ),
    ("list l = [[1]]", "1:11", "a list cannot hold another list"),
    ("list l = [1]\nlist l = [2]", "2:6", "list l is already declared on line 1"),
    ("list and = [1]", "1:6", "'and' is a word of the language: choose another name"),
    ("list mon = [1]", "1:6", "'mon' is a word of the language: choose another name"),
    ("list ip = [1]", "1:6", "'ip' is a word of the language: choose another name"),
    ("list a.b = [1]", "1:6", "'a.b' is not a valid list name: choose another name"),
    # rules and outcomes
    (
        rule("ip is present") + "\n" + rule("ip is present"),
        "2:6",
        "rule 'r' is already defined at test.rules:1",
    ),
    (
        'rule "" { when ip is present skip mfa }',
        "1:6",
        "a rule name is 1 to 100 printable characters, without outer spaces",
    ),
    (
        'rule " r" { when ip is present skip mfa }',
        "1:6",
        "a rule name is 1 to 100 printable characters, without outer spaces",
    ),
    (
        'rule "r" priority 1.5 { when ip is present skip mfa }',
        "1:19",
        "priority is a whole number from -1000000 to 1000000, not 1.5",
    ),
    (
        'rule "r" priority 2000000 { when ip is present skip mfa }',
        "1:19",
        "priority is a whole number from -1000000 to 1000000, not 2000000",
    ),
    (
        rule("ip is present", "require mfa with [otpp]"),
        "1:49",
        "unknown factor 'otpp'; did you mean 'otp'?",
    ),
    (
        rule("ip is present", 'enroll mfa with ["yubikey"]'),
        "1:48",
        "unknown factor 'yubikey' (factors: otp, sms, voice, email, push-notification, "
        "webauthn-roaming, webauthn-platform, duo, recovery-code)",
    ),
    (
        rule("ip is present", "require mfa with []"),
        "1:48",
        "name at least one factor (or write `with any`)",
    ),
    (rule("ip is present", 'deny ""'), "1:36", "a deny reason is 1 to 500 printable characters"),
]


@pytest.mark.parametrize(("source", "where", "message"), CHECKS)
def test_compile_error(errors: Errors, source: str, where: str, message: str) -> None:
    assert f"test.rules:{where}: error: {message}" in errors(source)


SYNTAX = [
    (
        'rule "x" { deny "y" }',
        "1:12",
        "unexpected 'deny'; expected 'when' (a rule's body starts with `when <condition>`)",
    ),
    (
        "rule x { when ip is present skip mfa }",
        "1:6",
        "unexpected 'x'; expected a quoted string (\"...\") "
        '(rule names are written in double quotes, as in rule "block-tor")',
    ),
    ('rule "x" { when ip = 1.2.3.4 skip mfa }', "1:20", "use '==' to compare"),
    ('rule "x" { when ip is present }', "1:31", "(every rule ends with an outcome before its '}')"),
    ('rule "x" { when a && b skip mfa }', "1:19", "unexpected '&'; expected an operator"),
    ('rule "x" { when a || b skip mfa }', "1:19", "(write `or` to combine conditions)"),
    (
        "rule \"x\" { when a == 'b' skip mfa }",
        "1:22",
        '(strings are written in double quotes ("..."))',
    ),
    (
        'rule "x" { when a == "b skip mfa }',
        "1:22",
        '(the string is not closed: a string ends with " on the same line)',
    ),
    (
        'rule "x" { when a == "b" skip }',
        "1:31",
        "unexpected '}'; expected 'mfa' (write `skip mfa`)",
    ),
    (
        'rule "x" { when a skip mfa }',
        "1:19",
        "(a condition compares a field with something, as in `device.remembered == true`)",
    ),
    (
        'rule "x" { when a == 1 and b skip mfa }',
        "1:30",
        "(a condition compares a field with something",
    ),
    ('rule "x" { when (a == 1 skip mfa }', "1:25", "unexpected 'skip'; expected ')'"),
    ('rule "x" { when a == 1 skip mfa', "1:32", "unexpected end of file; expected '}'"),
    (
        'rule "x" { when a == 1 require mfa remember browser maybe }',
        "1:53",
        "unexpected 'maybe'; expected 'no' or 'yes' (`remember browser` takes yes or no)",
    ),
    ('rule "x" { when  }', "1:18", "unexpected '}'; expected a condition"),
    (
        "list x 5",
        "1:8",
        '(a list is declared as `list <name> = [...]` or `list <name> = file "<path>"`)',
    ),
    (
        'rule "x" { when a == 1 require otp }',
        "1:32",
        "(the outcome `require mfa` is written `require mfa [with [<factors>] | with any]`)",
    ),
    ("@", "1:1", "unexpected '@'; expected 'list' or 'rule'"),
    (
        'rule "x" { when ' + "not " * 70 + "a == 1 skip mfa }",
        "1:",
        "condition is nested more than 64 deep",
    ),
]


@pytest.mark.parametrize(("source", "where", "fragment"), SYNTAX)
def test_syntax_error(errors: Errors, source: str, where: str, fragment: str) -> None:
    (only,) = errors(source)
    assert only.startswith(f"test.rules:{where}")
    assert ": error: " in only
    assert fragment in only


def test_every_error_of_every_file_is_reported(tmp_path: Path) -> None:
    first = tmp_path / "a.rules"
    first.write_text(
        'rule "dup" { when ip == 5 skip mfa }\nrule "ok" { when geo.contry == "NL" skip mfa }\n',
        encoding="utf-8",
    )
    second = tmp_path / "b.rules"
    second.write_text('rule "dup" { when ip is present skip mfa }\nrule "x" { deny }\n')
    missing = tmp_path / "missing.rules"
    with pytest.raises(CompileError) as caught:
        compile_rule_files([first, second, missing], display=lambda p: p.name)
    lines = [str(p) for p in caught.value.problems]
    assert lines == [
        "a.rules:1:22: error: type mismatch: ip is an IP address but 5 is a number",
        "a.rules:2:18: error: unknown field 'geo.contry'; did you mean 'geo.country'?",
        "b.rules:2:12: error: unexpected 'deny'; expected 'when' "
        "(a rule's body starts with `when <condition>`)",
        "missing.rules: error: cannot read rule file: No such file or directory",
    ]


def test_duplicate_rule_names_across_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a.rules", tmp_path / "b.rules"
    first.write_text('rule "same" { when ip is present skip mfa }\n')
    second.write_text('\n\nrule "same" { when ip is present skip mfa }\n')
    with pytest.raises(CompileError) as caught:
        compile_rule_files([first, second], display=lambda p: p.name)
    assert [str(p) for p in caught.value.problems] == [
        "b.rules:3:6: error: rule 'same' is already defined at a.rules:1"
    ]


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bad.rules"
    path.write_bytes(b'rule "x" { when ip is present deny "\xff" }')
    with pytest.raises(CompileError) as caught:
        compile_rule_files([path], display=lambda p: p.name)
    assert (
        str(caught.value.problems[0]) == "bad.rules: error: cannot read rule file: not UTF-8 text"
    )


def test_error_carries_a_code(tmp_path: Path) -> None:
    path = tmp_path / "r.rules"
    path.write_text(rule("geo.contry is missing"))
    with pytest.raises(CompileError) as caught:
        compile_rule_files([path])
    assert caught.value.problems[0].code == "unknown_field"


def test_rule_file_that_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(CompileError) as caught:
        compile_rule_files([tmp_path], display=lambda p: "rules.d")
    assert str(caught.value) == "rules.d: error: cannot read rule file: not a regular file"
