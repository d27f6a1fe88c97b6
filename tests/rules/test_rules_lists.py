"""Named lists: literal lists, `file "..."` lists (IP and string), their errors and sharing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from contextmfa.directives import Deny, Require
from contextmfa.errors import CompileError
from contextmfa.rules import RuleContext, RuleSet, compile_rule_files

Ctx = Callable[..., RuleContext]
SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def compile_file(path: Path) -> RuleSet:
    return compile_rule_files([path], display=lambda p: p.name)


def test_ip_list_file_relative_to_the_rule_file(tmp_path: Path, make_ctx: Ctx) -> None:
    write(
        tmp_path / "lists" / "tor.txt",
        "# exits\n185.220.101.0/24   # an operator\n\n2001:67c:e60:c0c::/64\n204.85.191.30\n",
    )
    rules = compile_file(
        write(
            tmp_path / "rules" / "tor.rules",
            'list tor = file "../lists/tor.txt"\nrule "tor" { when ip in tor deny "tor" }\n',
        )
    )
    for address, fired in [
        ("185.220.101.7", True),
        ("204.85.191.30", True),
        ("2001:67c:e60:c0c::99", True),
        ("::ffff:185.220.101.7", True),
        ("204.85.191.31", False),
        ("145.100.0.1", False),
    ]:
        ctx = make_ctx(request={"ip": address})
        assert (rules.evaluate(ctx) == [Deny("tor", "rule:tor")]) is fired, address


def test_string_list_file(tmp_path: Path, make_ctx: Ctx) -> None:
    write(tmp_path / "countries.txt", "# embargo\nCU\nIR  # trailing comment\nKP\n")
    rules = compile_file(
        write(
            tmp_path / "e.rules",
            'list embargo = file "countries.txt"\n'
            'rule "e" { when geo.country in embargo deny "no" }\n',
        )
    )
    assert rules.evaluate(make_ctx(geoip={"country_code": "IR"})) == [Deny("no", "rule:e")]
    assert rules.evaluate(make_ctx()) == []


def test_sample_tor_list_loads(tmp_path: Path, make_ctx: Ctx) -> None:
    tor = SAMPLES / "lists" / "tor-exits.txt"
    rules = compile_file(
        write(
            tmp_path / "t.rules",
            f'list tor = file "{tor}"\nrule "t" {{ when ip in tor require mfa }}\n',
        )
    )
    assert rules.evaluate(make_ctx(request={"ip": "185.220.100.241"}))
    assert not rules.evaluate(make_ctx(request={"ip": "185.220.100.1"}))


def test_bad_entry_in_an_ip_list_file_names_file_and_line(tmp_path: Path) -> None:
    write(tmp_path / "nets.txt", "10.0.0.0/8\n# fine\n10.0.0.300\nexample.com\n")
    path = write(
        tmp_path / "r.rules", 'list n = file "nets.txt"\nrule "r" { when ip in n skip mfa }\n'
    )
    with pytest.raises(CompileError) as caught:
        compile_file(path)
    assert [str(p) for p in caught.value.problems] == [
        "nets.txt:3:1: error: '10.0.0.300' is not an IP address or CIDR "
        "(list n is a list of addresses: its first entry is one)",
        "nets.txt:4:1: error: 'example.com' is not an IP address or CIDR "
        "(list n is a list of addresses: its first entry is one)",
    ]


def test_many_bad_entries_are_counted_not_listed(tmp_path: Path) -> None:
    write(tmp_path / "nets.txt", "10.0.0.0/8\n" + "bad\n" * 25)
    path = write(
        tmp_path / "r.rules", 'list n = file "nets.txt"\nrule "r" { when ip in n skip mfa }\n'
    )
    with pytest.raises(CompileError) as caught:
        compile_file(path)
    problems = caught.value.problems
    assert len(problems) == 11
    assert (
        str(problems[-1]) == "nets.txt:12:1: error: 15 more entries are not IP addresses or CIDRs"
    )


def test_unreadable_list_file_is_located_at_the_reference(tmp_path: Path) -> None:
    path = write(
        tmp_path / "r.rules",
        'list n = file "lists/none.txt"\nrule "r" { when ip in n skip mfa }\n',
    )
    with pytest.raises(CompileError) as caught:
        compile_rule_files([path], display=lambda p: str(p.relative_to(tmp_path)))
    assert [str(p) for p in caught.value.problems] == [
        "r.rules:1:15: error: cannot read list file lists/none.txt: No such file or directory"
    ]


def test_list_file_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "n.txt").write_bytes(b"\xff\xfe\x00")
    path = write(
        tmp_path / "r.rules", 'list n = file "n.txt"\nrule "r" { when ip in n skip mfa }\n'
    )
    with pytest.raises(CompileError) as caught:
        compile_file(path)
    assert "cannot read list file n.txt: not UTF-8 text" in str(caught.value)


def test_a_list_file_named_by_two_rule_files_is_read_once(tmp_path: Path, make_ctx: Ctx) -> None:
    write(tmp_path / "nets.txt", "145.100.0.0/16\n")
    first = write(
        tmp_path / "a.rules", 'list a = file "nets.txt"\nrule "a" { when ip in a skip mfa }\n'
    )
    second = write(
        tmp_path / "b.rules",
        'list b = file "nets.txt"\nrule "b" { when ip in b require mfa }\n',
    )
    rules = compile_rule_files([first, second])
    assert len(rules.evaluate(make_ctx())) == 2


def test_empty_list_holds_nothing(tmp_path: Path, make_ctx: Ctx) -> None:
    write(tmp_path / "empty.txt", "# nothing yet\n")
    rules = compile_file(
        write(
            tmp_path / "r.rules",
            'list none = file "empty.txt"\nlist also = []\n'
            'rule "in" { when ip in none or geo.country in also deny "x" }\n'
            'rule "not-in" { when ip not in none and geo.country not in also require mfa }\n',
        )
    )
    assert rules.evaluate(make_ctx()) == [Require(None, False, "rule:not-in")]


def test_a_list_used_by_several_rules_gives_the_same_answer_to_each(
    compile_rules: Callable[[str], RuleSet], make_ctx: Ctx
) -> None:
    rules = compile_rules(
        "list office = [145.100.0.0/16, 62.72.64.0/19]\n"
        'rule "a" priority 3 { when ip in office require mfa with [otp] }\n'
        'rule "b" priority 2 { when ip not in office require mfa with [sms] }\n'
        'rule "c" priority 1 { when not (ip in office) require mfa with [voice] }\n'
        'rule "d" { when ip in office require mfa with [email] }\n'
    )
    inside = rules.evaluate(make_ctx())
    assert [d.source for d in inside] == ["rule:a", "rule:d"]
    outside = rules.evaluate(make_ctx(request={"ip": "8.8.8.8"}))
    assert [d.source for d in outside] == ["rule:b", "rule:c"]
    ctx = make_ctx()
    assert rules.evaluate(ctx) == rules.evaluate(ctx)  # the per-login cache changes nothing


def test_list_of_weekdays_times_and_numbers(
    compile_rules: Callable[[str], RuleSet], make_ctx: Ctx
) -> None:
    rules = compile_rules(
        "list workdays = [mon, tue, wed, thu, fri]\n"
        "list shifts = [09:30, 21:30]\n"
        "list vip = [28, 29]\n"
        'rule "r" { when local.weekday in workdays and local.time in shifts '
        "and user.logins_count in vip skip mfa }\n"
    )
    assert rules.evaluate(make_ctx()) != []


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("lists", "not a regular file"),  # a directory
        ("/dev/null", "not a regular file"),
        ("bad\x00name.txt", "not a valid file name"),
    ],
)
def test_list_file_that_cannot_be_a_list(tmp_path: Path, written: str, reason: str) -> None:
    (tmp_path / "lists").mkdir()
    path = tmp_path / "r.rules"
    path.write_text(f'list n = file "{written}"\nrule "r" {{ when ip in n skip mfa }}\n')
    with pytest.raises(CompileError) as caught:
        compile_file(path)
    (problem,) = caught.value.problems
    assert (problem.line, problem.col) == (1, 15)
    assert problem.message.endswith(f": {reason}")
