"""The hardening's finer rules, each from both sides: what is refused, and the ordinary use next
to it that still works."""

from __future__ import annotations

import ast

import pytest

from contextmfa.errors import CompileError
from contextmfa.sandbox import compile_action, regexes
from contextmfa.sandbox.policy import transform
from contextmfa.sandbox.source_checks import MAX_DEPTH, MAX_SOURCE_BYTES

ENTRY = "def on_execute_post_login(event, api):\n"


def problems(source: str) -> list[str]:
    with pytest.raises(CompileError) as info:
        compile_action(source, "actions/a.py")
    return [str(p) for p in info.value.problems]


# -- compile time ------------------------------------------------------------------------------


def test_source_size_is_bounded_and_located():
    source = ENTRY + "    x = 1\n" * (MAX_SOURCE_BYTES // 10)
    found = problems(source)
    assert len(found) == 1 and "too large" in found[0]
    line = int(found[0].split(":")[1])
    assert 0 < line <= MAX_SOURCE_BYTES // 10 + 1


def test_nul_bytes_are_located():
    assert problems(ENTRY + "    x = 'a\0'\n") == ["actions/a.py:2:11: error: NUL byte in source"]


def test_nesting_at_the_bound_compiles_and_past_it_is_located():
    compile_action(ENTRY + "    x = " + "+".join(["1"] * 60) + "\n", "actions/a.py")
    found = problems(ENTRY + "    x = " + "+".join(["1"] * (MAX_DEPTH + 20)) + "\n")
    assert found[0].startswith("actions/a.py:2:") and "nested too deeply" in found[0]


def test_annotations_are_checked_then_removed():
    source = ENTRY + "    def f(x: int, *a: str, k: 'Fwd' = 1) -> 'Result':\n        y: list = []\n"
    tree, found = transform(source, "actions/a.py")
    assert found == [] and tree is not None
    assert all(
        getattr(node, "annotation", None) is None and getattr(node, "returns", None) is None
        for node in ast.walk(tree)
        if isinstance(node, (ast.arg, ast.FunctionDef))
    )


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("global _hidden", 'global name "_hidden" is not allowed'),
        ("class A(**{}):\n        pass", "class keywords"),
        ("x = f(_hook_=1)", 'keyword argument "_hook_" is not allowed'),
        ("def f(x: 'a.__dict__'):\n        pass", 'an attribute in a string annotation "__dict__"'),
        ("def f(x: 'not valid('):\n        pass", "string annotation is not a valid expression"),
        ("def f(x: 'await y'):\n        pass", "uses a construct that is not available"),
    ],
)
def test_policy_checks_restrictedpython_does_not(statement, message):
    found = problems(ENTRY + "    " + statement + "\n")
    assert any(message in p for p in found), found


def test_special_methods_only_directly_in_a_class_body():
    compile_action(
        ENTRY + "    class A:\n        def __eq__(self, o):\n            return True\n", "a.py"
    )
    found = problems(ENTRY + "    def __eq__(a, b):\n        return True\n")
    assert any('"__eq__"' in p for p in found)


# -- attributes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("def g():\n    x = yield 1\n    yield x\nit = g()\nnext(it)\nprint(it.send(5))", "5"),
        ("try:\n    next(x for x in [])\nexcept StopIteration as e:\n    print(e.value)", "None"),
        (
            'try:\n    b"\\xff".decode()\nexcept UnicodeDecodeError as e:\n    print(e.reason)',
            "invalid start byte",
        ),
        (
            'import json\ntry:\n    json.loads("[1,")\n'
            "except json.JSONDecodeError as e:\n    print(e.pos)",
            "3",
        ),
        ("print({1: 2}.keys().isdisjoint({3}))", "True"),
        ("print((3.5).is_integer(), (10).bit_length(), (1j).imag, range(5).stop)", "False 4 1.0 5"),
        ("import datetime\nprint(datetime.timedelta(days=1).total_seconds())", "86400.0"),
    ],
)
def test_allowlisted_attributes_work(sb, body, expected):
    assert sb.logs(sb.succeeded(sb.run(body))) == [expected]


@pytest.mark.parametrize(
    "body",
    [
        "print({1: 2}.keys().mapping)",
        "print((lambda: 0).x)",
        "g = (i for i in [1])\nprint(g.gi_running)",
        "try:\n    1 / 0\nexcept Exception as e:\n    print(e.with_traceback)",
        "print(api.cache.get.x)",
    ],
)
def test_attributes_outside_the_allowlists_are_forbidden(sb, body):
    sb.failed(sb.run(body), "forbidden")


def test_a_missing_attribute_is_an_attribute_error_not_a_violation(sb):
    result = sb.run(
        "class A:\n    pass\ntry:\n    A().missing\nexcept AttributeError:\n    print('ok')"
    )
    assert sb.logs(sb.succeeded(result)) == ["ok"]
    assert "AttributeError" in sb.failed(sb.run("print((1).nope)"), "exception")


# -- sizes and C-level work ---------------------------------------------------------------------


def test_hash_collision_guard_leaves_ordinary_sets_alone(sb):
    body = """
    a = set(range(10000))
    b = set([1] * 10000)
    c = dict.fromkeys(range(5000))
    print(len(a), len(b), len(c))
    """
    assert sb.logs(sb.succeeded(sb.run(body))) == ["10000 1 5000"]


def test_modular_power_of_ordinary_size_works(sb):
    body = "n = 2**2048 - 159\nprint(pow(65537, 65537, n) > 0, pow(3, -1, 7))"
    assert sb.logs(sb.succeeded(sb.run(body))) == ["True 5"]


@pytest.mark.parametrize(
    ("pattern", "allowed"),
    [
        (r"(?:[a-z0-9-]{1,63}\.){1,127}[a-z]{2,63}", True),
        (r"^\d{6}$", True),
        ("(a{100}){100}", True),
        ("((a{100}){100}){100}", False),
        ("a{65535}", False),
        ("x" * 5000, False),
        (r"[{]{5}\p{L}{3}(?#{99999})", True),
    ],
)
def test_regex_complexity_bound(pattern, allowed):
    if allowed:
        regexes.check_complexity(pattern)
    else:
        with pytest.raises(regexes.PatternTooComplex):
            regexes.check_complexity(pattern)


def test_regex_memo_is_kept_per_tenant_and_action(sb):
    regexes._MEMO.clear()
    action = sb.compile('import re\nprint(bool(re.match("a+", "aaa")))')
    sb.execute(action)
    assert {key[0] for key in regexes._MEMO} == {("acme", "step_up")}


def test_format_results_and_strftime_are_bounded(sb):
    ok = sb.run(
        "import datetime\nday = datetime.date(2026, 1, 2)\n"
        'print(day.strftime("%Y-%m-%d"), f"{day:%d/%m}")'
    )
    assert sb.logs(sb.succeeded(ok)) == ["2026-01-02 02/01"]
    sb.failed(
        sb.run("import datetime\nx = f\"{datetime.date(2026, 1, 2):{'%c' * 10000}}\""), "limit"
    )
