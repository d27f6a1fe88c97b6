"""``match`` statements decide as in Python, and read the subject only through the guards
(match_rewrite.py at compile time, matching.py at run time)."""

from __future__ import annotations

import pytest

from contextmfa.errors import CompileError
from contextmfa.sandbox import compile_action

DESCRIBE = """
class Point:
    __match_args__ = ("x", "y")
    def __init__(self, x, y):
        self.x = x
        self.y = y
class Color:
    RED = "red"
def describe(v):
    match v:
        case None:
            return "none"
        case True:
            return "true"
        case 0 | 1:
            return "small"
        case "admin":
            return "admin"
        case Color.RED:
            return "red"
        case int(n) if n > 100:
            return f"big {n}"
        case float() | int():
            return "number"
        case str(s):
            return "str " + s
        case []:
            return "empty"
        case [x]:
            return f"one {x}"
        case [x, *rest] if len(rest) > 2:
            return f"long {x} {rest}"
        case [x, y, *_]:
            return f"pair {x} {y}"
        case {"type": "otp", **others}:
            return f"otp {others}"
        case {"type": t}:
            return "type " + t
        case Point(0, 0):
            return "origin"
        case Point(x=0, y=yy):
            return f"on y {yy}"
        case Point(xx, yy) as p:
            return f"point {xx} {yy} {p.x}"
        case _:
            return "other"
VALUES = [
    None, True, 0, 1, "admin", "red", 500, 7, 2.5, "zz", [], [9], [1, 2, 3, 4], [1, 2],
    {"type": "otp", "a": 1}, {"type": "sms"}, Point(0, 0), Point(0, 5), Point(3, 4), (1,),
    (1, 2, 3), {"kind": 1}, b"x",
]
"""


def test_every_kind_of_pattern_decides_as_in_python(sb):
    source = DESCRIBE + "def on_execute_post_login(event, api):\n    for v in VALUES:\n"
    source += "        print(describe(v))\n"
    plain: dict = {}
    exec(compile(source, "describe", "exec"), plain)
    expected = [plain["describe"](v) for v in plain["VALUES"]]
    result = sb.execute(compile_action(source, sb.PATH))
    assert sb.logs(sb.succeeded(result)) == expected


def test_event_objects_and_lists_match_like_the_dicts_and_lists_they_show(sb):
    body = """
    match event.user:
        case {"email": str(email), "app_metadata": {"plan": plan, **meta}}:
            print("user", email, plan, meta)
    match event.authorization.roles:
        case ["admin", *others]:
            print("admin with", others)
    match event.user.enrolled_factors:
        case [{"type": first}, *_]:
            print("first", first)
    match event:
        case {"user": {"email": e}, "request": {"geoip": None}}:
            print("event", e)
    match event.user:
        case dict():
            print("a dict")
    """
    assert sb.logs(sb.succeeded(sb.run(body))) == [
        "user ada@acme.test pro {'mfa_required': True, 'tags': ['a', 'b']}",
        "admin with ['billing']",
        "first otp",
        "event ada@acme.test",
        "a dict",
    ]


def test_captures_are_bound_before_the_guard_and_kept_when_it_fails(sb):
    body = """
    seen = []
    match [1, 2]:
        case [a, b] if seen.append((a, b)):
            print("never")
        case [first, *rest]:
            print(a, b, first, rest, seen)
    """
    assert sb.logs(sb.succeeded(sb.run(body))) == ["1 2 1 [2] [(1, 2)]"]


@pytest.mark.parametrize(
    ("body", "kind", "message"),
    [
        (
            "try:\n    [].nope\nexcept AttributeError as e:\n    match e:\n"
            "        case AttributeError(obj=o):\n            print(o)",
            "forbidden",
            "AttributeError.obj is not available in Actions",
        ),
        ("import re\nmatch 1:\n    case re.enum:\n        pass", "forbidden", "re.enum"),
        ('match event:\n    case {"user": u}:\n        u["x"] = 1', "forbidden", "read-only"),
        ("f = len\nmatch 1:\n    case f():\n        pass", "exception", "must be a type"),
        ("match range(10**9):\n    case [a, *rest]:\n        pass", "limit", "too large"),
        ("class P:\n    pass\nmatch P():\n    case P(1):\n        pass", "exception", "accepts 0"),
    ],
)
def test_patterns_read_only_through_the_guards(sb, body, kind, message):
    assert message in sb.failed(sb.run(body), kind)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("match 1:\n    case _x:\n        pass", 'name "_x" is not allowed'),
        ("match [1]:\n    case [*_rest]:\n        pass", 'name "_rest" is not allowed'),
        ("match {}:\n    case {**_rest}:\n        pass", 'name "_rest" is not allowed'),
        ("match 1:\n    case int(__class__=c):\n        pass", '"__class__" is not allowed'),
        ("match 1:\n    case x:\n        pass\n    case 2:\n        pass", "unreachable"),
        ("match 1:\n    case [a] | [b]:\n        pass", "bind different names"),
        ("class A:\n    __match_args__ = ['x']", "other than a tuple of attribute names"),
        ('class A:\n    __match_args__ = ("_data",)', 'write __match_args__ = ("x", "y")'),
    ],
)
def test_refused_patterns_are_located_at_compile_time(sb, body, message):
    with pytest.raises(CompileError) as info:
        sb.compile(body)
    assert message in str(info.value)
    assert all(p.line >= 2 for p in info.value.problems)


def test_a_name_a_pattern_rebinds_is_not_followed_as_an_event_field(sb):
    body = """
    user = event.user
    match event.authorization.roles:
        case [*user]:
            pass
    print(user.count("admin"))
    """
    assert sb.logs(sb.succeeded(sb.run(body))) == ["1"]


def test_a_long_match_compiles_and_decides(sb):
    cases = "".join(f"    case {i}:\n        print('case', {i})\n" for i in range(1200))
    body = "match event.stats.logins_count * 70:\n" + cases + "    case _:\n        print('none')"
    assert sb.logs(sb.succeeded(sb.run(body))) == ["case 490"]
