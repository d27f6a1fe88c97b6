"""Budgets: steps, wall time, recursion, string/collection/integer sizes; sticky errors."""

from __future__ import annotations

import time

import pytest

from contextmfa.sandbox import SandboxLimits


def test_step_limit(sb):
    result = sb.run("while True:\n    pass")
    assert "step limit" in sb.failed(result, "limit")
    assert result.error.line == 3


def test_comprehension_iterations_count_as_steps(sb):
    result = sb.run("x = sum(1 for _ in range(10**9))")
    sb.failed(result, "limit")


def test_builtins_walking_a_range_count_steps(sb):
    sb.failed(sb.run("print(sum(range(10**12)))"), "limit")


def test_timeout(sb):
    limits = SandboxLimits(timeout_ms=30, max_steps=10**9)
    started = time.perf_counter()
    result = sb.execute(sb.compile("n = 0\nwhile True:\n    n += 1"), limits=limits)
    elapsed_ms = (time.perf_counter() - started) * 1000
    assert "timed out after 30 ms" in sb.failed(result, "timeout")
    assert elapsed_ms < 1000


def test_slow_c_work_between_hooks_still_times_out(sb):
    limits = SandboxLimits(timeout_ms=5, max_steps=10**9)
    body = "import re\nfor i in range(100000):\n    re.findall('a', 'a' * 5000)"
    sb.failed(sb.execute(sb.compile(body), limits=limits), "timeout")


def test_recursion_depth(sb):
    result = sb.run("def f(n):\n    return f(n + 1)\nf(0)")
    assert "recursion depth" in sb.failed(result, "limit")
    assert result.error.line == 3  # the recursive call, not the def


@pytest.mark.parametrize(
    ("body", "lines"),
    [
        ("def f(n):\n    x = n + 1\n    return f(x)\nf(0)", {4}),
        ("def a(n):\n    return b(n)\ndef b(n):\n    return a(n)\na(0)", {3, 5}),
        ("def f(n):\n    return sorted([n], key=f)\nf(0)", {3}),
        ("class Node:\n    def walk(self):\n        return self.walk()\nNode().walk()", {4}),
    ],
)
@pytest.mark.parametrize("max_recursion", [50, 5_000])
def test_a_recursion_error_points_at_the_recursive_call(sb, body, lines, max_recursion):
    """At 50 the sandbox's own depth limit stops it; at 5,000 Python's RecursionError does."""
    limits = SandboxLimits(max_recursion=max_recursion, timeout_ms=5_000)
    result = sb.execute(sb.compile(body), limits=limits)
    assert "recursion" in sb.failed(result, "limit")
    assert result.error.line in lines


def test_recursion_limit_follows_the_setting(sb):
    body = "def f(n):\n    return 0 if n == 0 else f(n - 1)\nprint(f(20))"
    sb.succeeded(sb.execute(sb.compile(body), limits=SandboxLimits(max_recursion=30)))
    sb.failed(sb.execute(sb.compile(body), limits=SandboxLimits(max_recursion=10)), "limit")


def test_lambda_recursion_is_bounded(sb):
    sb.failed(sb.run("f = lambda n: f(n + 1)\nf(0)"), "limit")


@pytest.mark.parametrize(
    "body",
    [
        'x = "x" * 10**9',
        'x = 10**9 * "x"',
        's = "x"\nfor _ in range(40):\n    s = s + s',
        's = "x"\nfor _ in range(40):\n    s += s',
        'x = "a".ljust(10**9)',
        'x = str.center("a", 10**9)',
        'x = "a".zfill(10**9)',
        'x = ("a" * 1000).replace("a", "b" * 1000)',
        'x = "".join(["x" * 100000] * 10000)',
        'x = f"{1:>1000000000}"',
        'x = "{:>1000000000}".format(1)',
        'x = "%1000000000d" % 1',
        'x = str(["x" * 10000] * 10000)',
        'import json\nx = json.dumps(["x" * 10000] * 10000)',
        'import re\nx = re.sub("", "x" * 1000, "a" * 1000)',
        'x = "abc".encode().ljust(10**9)',
    ],
)
def test_string_size_limits(sb, body):
    started = time.perf_counter()
    sb.failed(sb.run(body), "limit")
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    "body",
    [
        "x = [0] * 10**9",
        "x = (0,) * 10**9",
        "x = list(range(10**9))",
        "x = tuple(range(10**9))",
        "x = set(range(10**9))",
        "x = dict.fromkeys(range(10**9))",
        "x = sorted(range(10**9))",
        "x = [i for i in range(20000)]",
        "x = {i: i for i in range(20000)}",
        "l = [1]\nfor _ in range(40):\n    l.extend(l)",
        "l = [1]\nfor _ in range(40):\n    l += l",
        "l = []\nl[:] = range(10**9)",
        "a, *b = range(10**9)",
        "print(*range(10**9))",
        "x = [*range(10**9)]",
        "x = set().union(range(10**9))",
        "l = []\nfor i in range(20000):\n    l.append(i)",
        "d = {}\nfor i in range(20000):\n    d[i] = i",
    ],
)
def test_collection_size_limits(sb, body):
    started = time.perf_counter()
    sb.failed(sb.run(body), "limit")
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    "body",
    [
        "x = 10 ** 10 ** 8",
        "x = 1 << 10**9",
        "x = pow(7, 10**9)",
        "import math\nx = math.factorial(10**7)",
        'x = (1).to_bytes(10**9, "big")',
        "x = round(5, -(10**9))",
        'x = int("f" * 100000, 16)',
        'x = int.from_bytes(b"\\xff" * 100000, "big")',
        "x = 7\nfor _ in range(30):\n    x = x * x",
    ],
)
def test_integer_size_limits(sb, body):
    sb.failed(sb.run(body), "limit")


def test_sizes_at_the_limit_pass(sb):
    body = """
    s = "x" * 100000
    l = [0] * 10000
    t = list(range(10000))
    print(len(s), len(l), len(t), len(s.ljust(100000)))
    """
    assert sb.logs(sb.succeeded(sb.run(body))) == ["100000 10000 10000 100000"]


def test_size_limits_follow_the_settings(sb):
    limits = SandboxLimits(max_string=1000, max_sequence=100)
    sb.failed(sb.execute(sb.compile('x = "a" * 1001'), limits=limits), "limit")
    sb.failed(sb.execute(sb.compile("x = [0] * 101"), limits=limits), "limit")
    sb.succeeded(sb.execute(sb.compile('x = "a" * 1000\ny = [0] * 100'), limits=limits))


def test_limit_errors_are_sticky_when_caught(sb):
    result = sb.run(
        """
        try:
            x = "x" * 10**9
        except Exception:
            print("caught")
        api.multifactor.enable("none")
        """
    )
    sb.failed(result, "limit")
    assert result.directives == ()
    assert sb.logs(result) == []


def test_bare_except_catches_exceptions_but_not_a_limit(sb):
    caught = sb.run("try:\n    int('x')\nexcept:\n    print('caught')")
    assert sb.logs(sb.succeeded(caught)) == ["caught"]
    sb.failed(sb.run("try:\n    x = [0] * 10**9\nexcept:\n    pass"), "limit")


def test_finally_cannot_swallow_a_limit(sb):
    result = sb.run(
        """
        def spin():
            try:
                while True:
                    pass
            finally:
                return 1
        spin()
        api.multifactor.enable("none")
        """
    )
    sb.failed(result, "limit")
    assert result.directives == ()


def test_a_run_after_a_failing_run_is_unaffected(sb):
    action = sb.compile(
        """
        if event.stats.logins_count > 5:
            while True:
                pass
        print("ok")
        """
    )
    sb.failed(sb.execute(action), "limit")
    quiet = sb.event_copy()
    quiet["stats"]["logins_count"] = 1
    assert sb.logs(sb.succeeded(sb.execute(action, event=quiet))) == ["ok"]
    sb.failed(sb.execute(action), "limit")


@pytest.mark.parametrize(
    "build",
    [
        "[0] * 10000",
        "big[:]",
        "text.upper()",
        'f"{text}!"',
        "text + '!'",
        "{**table}",
        "dict(table)",
        "set(table) - {-1}",
        "list(big)",
        "big.copy()",
        "text.encode()",
    ],
)
def test_total_allocation_is_bounded_by_the_step_budget(sb, build):
    """Each value is within the size limits; keeping thousands of them is not."""
    body = f"""
    big = list(range(10000))
    table = dict.fromkeys(range(10000))
    text = "x" * 99999
    keep = []
    for _ in range(5000):
        keep.append({build})
    """
    started = time.perf_counter()
    assert "step limit" in sb.failed(sb.run(body), "limit")
    assert time.perf_counter() - started < 2
