"""Importable modules and the two helper globals (``datetime``'s clock: test_clock.py)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('ip_in_range("10.1.2.3", "10.0.0.0/8")', "True"),
        ('ip_in_range("11.1.2.3", "10.0.0.0/8", "192.168.0.0/16")', "False"),
        ('ip_in_range("192.168.4.4", ["10.0.0.0/8", "192.168.0.0/16"])', "True"),
        ('ip_in_range("2001:db8::1", "2001:db8::/32")', "True"),
        ('ip_in_range("2001:db8::1", "10.0.0.0/8")', "False"),
        ('ip_in_range("::ffff:10.0.0.1", "10.0.0.0/8")', "True"),
        ('ip_in_range(event.request.ip, "10.1.2.3")', "True"),
        ('ip_in_range("10.0.0.1")', "False"),
    ],
)
def test_ip_in_range(sb, expression, expected):
    assert sb.logs(sb.succeeded(sb.run(f"print({expression})"))) == [expected]


@pytest.mark.parametrize(
    "expression", ['ip_in_range("not-an-ip", "10.0.0.0/8")', 'ip_in_range("10.0.0.1", "10.0.0/33")']
)
def test_ip_in_range_rejects_malformed_input(sb, expression):
    assert "ValueError" in sb.failed(sb.run(expression), "exception")


def test_distance_km_amsterdam_paris(sb):
    result = sb.succeeded(sb.run("print(round(distance_km(52.3676, 4.9041, 48.8566, 2.3522), 1))"))
    assert 425 < float(sb.logs(result)[0]) < 435
    same = sb.succeeded(sb.run("print(distance_km(10, 20, 10, 20))"))
    assert sb.logs(same) == ["0.0"]


def test_distance_km_antipodes_is_half_the_circumference(sb):
    result = sb.succeeded(sb.run("print(round(distance_km(0, 0, 0, 180)))"))
    assert sb.logs(result) == ["20015"]


def test_allowed_modules_work(sb):
    result = sb.run(
        """
        import math, re, json, ipaddress
        print(math.floor(math.pi * 100), math.factorial(10), math.prod([2, 3, 4]))
        match = re.match(r"(?P<user>[^@]+)@(?P<domain>.+)", event.user.email)
        print(match.group("domain"), re.sub(r"\\d", "#", "a1b22"), re.findall("a", "banana"))
        print(json.dumps({"b": [1, 2.5, None], "a": True}, sort_keys=True), json.loads("[1, 2]"))
        print(json.dumps(event.user.app_metadata, sort_keys=True))
        net = ipaddress.ip_network("10.0.0.0/30")
        print([str(h) for h in net.hosts()], ipaddress.ip_address("10.0.0.2") in net)
        """
    )
    assert sb.logs(sb.succeeded(result)) == [
        "314 3628800 24",
        "acme.test a#b## ['a', 'a', 'a']",
        '{"a": true, "b": [1, 2.5, null]} [1, 2]',
        '{"mfa_required": true, "plan": "pro", "tags": ["a", "b"]}',
        "['10.0.0.1', '10.0.0.2'] True",
    ]


@pytest.mark.parametrize(
    "expression",
    [
        "re.enum",
        "re.functools",
        "json.decoder",
        "json.load",
        "math.__loader__",
        "ipaddress.functools",
    ],
)
def test_module_internals_are_forbidden(sb, expression):
    module = expression.split(".")[0]
    body = f'import {module}\nprint("{{0.{expression.split(".", 1)[1]}}}".format({module}))'
    sb.failed(sb.run(body), "forbidden")


def test_datetime_module_has_no_host_internals(sb):
    sb.failed(sb.run("import datetime\nprint(datetime.sys)"), "forbidden")


def test_a_naive_now_is_refused_by_the_runner(sb):
    with pytest.raises(ValueError):
        sb.execute(sb.compile("pass"), now=datetime(2026, 1, 1))
    sb.succeeded(sb.execute(sb.compile("pass"), now=datetime(2026, 1, 1, tzinfo=UTC)))


@pytest.mark.parametrize(
    "body",
    [
        'import re\nre.match(r"(a|aa)+$", "a" * 60 + "!")',
        'import re\np = re.compile(r"(a|aa)+$")\np.search("a" * 60 + "!")',
        'import re\nre.findall(r"(a|aa)+$", "a" * 60 + "!")',
        'import re\nre.sub(r"(a|aa)+$", "x", "a" * 60 + "!")',
        'import re\nprint(list(re.finditer(r"(a|aa)+$", "a" * 60 + "!")))',
    ],
)
def test_catastrophic_backtracking_times_out(sb, body):
    started = time.perf_counter()
    assert "timed out" in sb.failed(sb.run(body), "timeout")
    assert time.perf_counter() - started < 2


def test_a_regex_call_cannot_lift_its_deadline(sb):
    result = sb.run('import re\nre.compile("a").match("a", timeout=None)')
    assert "timeout" in sb.failed(result, "exception")


def test_regex_api_matches_re(sb):
    result = sb.run(
        """
        import re
        p = re.compile(r"(?P<user>[a-z]+)@(?P<host>[a-z.]+)", re.IGNORECASE)
        m = p.match("Ada@Acme.test")
        print(m.group("user"), m.groupdict(), m.span(), m.expand(r"\\g<host>/\\1"))
        print(p.split("a@b.c, d@e.f"), re.split(r",\\s*", "a, b,c", 1), p.pattern[:4], p.groups)
        print(re.fullmatch(r"\\d+", "123") is not None, re.search("x", "abc"), re.escape("a.b"))
        found = [x.group() for x in re.finditer("b", "abab")]
        print(isinstance(p, re.Pattern), isinstance(m, re.Match), found)
        """
    )
    assert sb.logs(sb.succeeded(result)) == [
        "Ada {'user': 'Ada', 'host': 'Acme.test'} (0, 13) Acme.test/Ada",
        "['', 'a', 'b.c', ', ', 'd', 'e.f', ''] ['a', 'b,c'] (?P< 2",
        "True None a\\.b",
        "True True ['b', 'b']",
    ]


@pytest.mark.parametrize(
    "expression",
    [
        'm.expandf("{0.__class__}")',
        'p.subf("{0}", "a")',
        'p.scanner("a")',
        "p.splititer('a')",
        're.Pattern.match(p, "a" * 60 + "!")',
        're.Match.expandf(m, "{0}")',
    ],
)
def test_regex_extras_beyond_re_are_forbidden(sb, expression):
    body = f'import re\np = re.compile("a")\nm = p.match("a")\nprint({expression})'
    sb.failed(sb.run(body), "forbidden")
