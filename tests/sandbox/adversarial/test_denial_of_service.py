"""Denial-of-service attempts in-process: each ends within its limit, fails closed, and the next
login through the same flow in the same process decides normally.

One Action holds every attack (a dispatcher picked by ``app_metadata.attack``), compiled once
per module, so that "the next login" really is the same compiled Action in the same flow.
"""

from __future__ import annotations

import time

import pytest

from contextmfa.flow import InlineFlow
from contextmfa.sandbox import InMemoryActionCache, SandboxLimits

LIMITS = SandboxLimits(timeout_ms=500)
"""The defaults but for the clock: a loaded test machine must not time a benign login out."""
LIMIT = ("limit",)
CLOCK = ("limit", "timeout")

ATTACKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "infinite loop": ("while True:\n    pass", CLOCK),
    "infinite generator in a comprehension": (
        "def forever():\n    while True:\n        yield 1\nx = [i for i in forever()]",
        CLOCK,
    ),
    "recursion": ("def f():\n    return f()\nf()", LIMIT),
    "mutual recursion": ("def a():\n    return b()\ndef b():\n    return a()\na()", LIMIT),
    "lambda recursion": ("f = lambda n: f(n + 1)\nf(0)", LIMIT),
    "generator recursion": ("def g():\n    yield from g()\nnext(g())", LIMIT),
    "huge string": ('x = "x" * 10**9', LIMIT),
    "huge bytes": ('x = b"x" * 10**9', LIMIT),
    "huge list": ("x = [0] * 10**9", LIMIT),
    "doubling list": ("x = [1]\nfor _ in range(64):\n    x = x + x", LIMIT),
    "big power": ("x = 10 ** 10 ** 8", LIMIT),
    "big shift": ("x = 1 << 10**9", LIMIT),
    "modular power": ("x = pow(3, 2**5000, 2**5000 + 1)", LIMIT),
    "amplifying replace": ('x = ("a" * 1000).replace("a", "b" * 1000)', LIMIT),
    "amplifying join": ('x = "".join(["x" * 100000] * 10000)', LIMIT),
    "f-string width": ('x = f"{1:>1000000000}"', LIMIT),
    "str.format width": ('x = "{:>1000000000}".format(1)', LIMIT),
    "percent width": ('x = "%1000000000d" % 1', LIMIT),
    "padding": ('x = "a".center(10**9)', LIMIT),
    "strftime expansion": (
        'import datetime\nx = datetime.date.today().strftime("%c" * 10000)',
        LIMIT,
    ),
    "print flood": ("for i in range(10**7):\n    print(i)", CLOCK),
    "regex backtracking": ('import re\nre.match(r"(a|aa)+$", "a" * 64 + "!")', ("timeout",)),
    "regex compile bomb": ('import re\nre.compile("((a{100}){100}){100}")', LIMIT),
    "cache entries flood": ('for i in range(10**7):\n    api.cache.set(str(i), "x" * 4096)', CLOCK),
    "cache call flood": ('for i in range(10**7):\n    api.cache.get("k")', CLOCK),
    "metadata flood": (
        'v = "x" * 1000\nfor i in range(10**5):\n    api.user.set_app_metadata(str(i), v)',
        LIMIT,
    ),
    "directive flood": ('for i in range(10**4):\n    api.multifactor.enable("any")', LIMIT),
    "hash collisions": ("x = set([i * (2**61 - 1) for i in range(10000)])", LIMIT),
    "hash collisions in a display": ("x = {*[i * (2**61 - 1) for i in range(10000)]}", LIMIT),
    "nested list to text": ("x = []\nfor _ in range(3000):\n    x = [x]\nprint(str(x))", LIMIT),
    "nested list to JSON": (
        "import json\nx = []\nfor _ in range(3000):\n    x = [x]\njson.dumps(x)",
        LIMIT,
    ),
    "factorial": ("import math\nx = math.factorial(10**6)", LIMIT),
    "sorting a huge range": ("x = sorted(range(10**9))", LIMIT),
    "augmented doubling of an item": ('d = {"s": "x"}\nwhile True:\n    d["s"] += d["s"]', LIMIT),
    "augmented power of an attribute": (
        "class Box:\n    n = 3\nb = Box()\nb.n **= 10**8",
        LIMIT,
    ),
    "augmented repeat of a list item": ('d = {"l": [0]}\nd["l"] *= 10**9', LIMIT),
    "augmented shift of a list item": ("x = [1]\nx[0] <<= 10**9", LIMIT),
    "augmented slice growth": ("x = [0] * 6000\nx[:1] += x", LIMIT),
    "match on a huge range": ("match range(10**9):\n    case [*everything]:\n        pass", LIMIT),
    "match mapping rest copies in a loop": (
        "d = {str(i): i for i in range(9000)}\nwhile True:\n    match d:\n"
        "        case {**rest}:\n            pass",
        CLOCK,
    ),
    "super().__init__ of a list with a huge range": (
        "class L(list):\n    def __init__(self):\n        super().__init__(range(10**9))\nL()",
        LIMIT,
    ),
    "super().__init__ of a dict with an endless generator": (
        "def pairs():\n    i = 0\n    while True:\n        i += 1\n        yield i, i\n"
        "class D(dict):\n    def __init__(self):\n        super().__init__(pairs())\nD()",
        CLOCK,
    ),
    "nonlocal counter in runaway recursion": (
        "def outer():\n    n = 0\n    def down():\n        nonlocal n\n        n += 1\n"
        "        return down()\n    return down()\nouter()",
        LIMIT,
    ),
    "type(x) constructing a huge list": ("x = type([])(range(10**9))", LIMIT),
}


@pytest.fixture(scope="module")
def flow(hostile):
    attacks = {name: body for name, (body, _) in ATTACKS.items()}
    action = hostile.compile(hostile.dispatcher(attacks), "/tenant/actions/dos.py")
    assert not isinstance(action, list), action
    return InlineFlow(
        [action],
        secrets_for=lambda _: {},
        cache=InMemoryActionCache(),
        limits=LIMITS,
        on_error="deny",
    )


@pytest.mark.parametrize("name", list(ATTACKS))
def test_denial_of_service_attempt(hostile, flow, name):
    verdict = hostile.run_attack(flow, name)
    verdict.assert_failed_closed(*ATTACKS[name][1])
    assert verdict.elapsed < 2.0, f"took {verdict.elapsed:.2f} s"
    assert len(verdict.outcome.logs) <= 101  # 100 lines, then how many more were dropped
    hostile.assert_benign_login_is_normal(flow)


def test_at_least_twenty_attempts():
    assert len(ATTACKS) >= 20


def test_deep_expressions_are_refused_at_compile_time_with_a_location(hostile):
    for expression in ("+".join(["1"] * 5000), "-" * 50000 + "1", "[" * 150 + "]" * 150):
        started = time.perf_counter()
        verdict = hostile.judge(hostile.source_of(f"x = {expression}"))
        verdict.assert_failed_closed("compile")
        assert verdict.problems[0].startswith(f"{hostile.PATH}:2:")
        assert time.perf_counter() - started < 2


def test_a_huge_source_is_refused_at_compile_time_with_a_location(hostile):
    started = time.perf_counter()
    verdict = hostile.judge(hostile.source_of("x = 1\n" * 40000))
    verdict.assert_failed_closed("compile")
    assert "too large" in verdict.problems[0]
    assert time.perf_counter() - started < 1


def test_a_timeout_is_kept_within_its_limit(hostile):
    limits = SandboxLimits(timeout_ms=50, max_steps=10**9)
    verdict = hostile.judge_body("while True:\n        pass", limits=limits)
    verdict.assert_failed_closed("timeout")
    assert verdict.elapsed < 0.5
