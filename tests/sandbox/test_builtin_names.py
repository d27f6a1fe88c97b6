"""``check`` and the run agree on every name, and every refusal names the alternative."""

from __future__ import annotations

import builtins
import keyword

import pytest

from contextmfa.errors import CompileError
from contextmfa.sandbox import compile_action
from contextmfa.sandbox.name_checks import provided_names
from contextmfa.sandbox.refusals import FORBIDDEN_BUILTINS, JAVASCRIPT_NAMES
from contextmfa.sandbox.runtime_names import PER_RUN_NAMES, STATIC_GLOBALS
from contextmfa.sandbox.safe_builtins import STATIC_BUILTINS

PATH = "actions/names.py"
ENTRY = "def on_execute_post_login(event, api):\n"

CANDIDATES = sorted(
    name
    for name in {
        *dir(builtins),
        *provided_names(),
        *FORBIDDEN_BUILTINS,
        *JAVASCRIPT_NAMES,
        "printed",
        "stable_hash",
    }
    if not name.startswith("_") and not keyword.iskeyword(name)
)
RUN_TIME = {*STATIC_BUILTINS, *STATIC_GLOBALS, *PER_RUN_NAMES, "print"}
"""What a run's namespace holds (print is RestrictedPython's rewrite to the run's printer)."""


def accepted(name: str) -> bool:
    try:
        compile_action(ENTRY + f"    found = {name}\n", PATH)
    except CompileError:
        return False
    return True


@pytest.mark.parametrize("name", CANDIDATES)
def test_check_accepts_a_name_exactly_when_a_run_has_it(name, sb):
    assert accepted(name) == (name in RUN_TIME), name
    if name in RUN_TIME:
        source = ENTRY + f"    found = {name}\n    print(found is not None)\n"
        sb.succeeded(sb.execute(compile_action(source, PATH)))


def test_names_that_passed_check_and_failed_at_run_time_now_work(sb):
    result = sb.run(
        "print(bytes(3), bytes('é', 'utf-8'), bytes([104, 105]), complex(1, 2) * 2)\n"
        "print(NotImplemented is NotImplemented, Ellipsis is ...)\n"
        "print(isinstance(b'x', bytes), isinstance(1j, complex))"
    )
    assert sb.logs(sb.succeeded(result)) == [
        "b'\\x00\\x00\\x00' b'\\xc3\\xa9' b'hi' (2+4j)",
        "True True",
        "True True",
    ]


def test_a_huge_bytes_is_a_limit(sb):
    assert "string" in sb.failed(sb.run("b = bytes(10**9)"), "limit").lower()


def test_a_class_can_return_not_implemented(sb):
    result = sb.run(
        """
        class Version:
            def __init__(self, n):
                self.n = n
            def __eq__(self, other):
                if not isinstance(other, Version):
                    return NotImplemented
                return self.n == other.n
        print(Version(1) == Version(1), Version(1) == 1)
        """
    )
    assert sb.logs(sb.succeeded(result)) == ["True False"]


def message(body: str) -> str:
    with pytest.raises(CompileError) as info:
        compile_action(ENTRY + body, PATH)
    (problem,) = info.value.problems
    return problem.message


@pytest.mark.parametrize(
    ("body", "alternative"),
    [
        ("    x = getattr(event, 'user')\n", "x.get(name) or a dict"),
        ("    x = hasattr(event, 'user')\n", '"name in x"'),
        ("    x = iter([1])\n", "use `for` loops"),
        ("    x = id(event)\n", 'use "is" to compare identity'),
        ("    x = type('X', (), {})\n", "or a class statement to make a class, instead"),
        ("    x = event._data\n", "use x.get('_data') or x['_data']"),
        ("    _cache = 1\n", "rename it (e.g. 'cache')"),
        ("    x = event.__repr__()\n", "use repr(x)"),
        ("    x = event.__class__\n", "use type(x) or isinstance(x, T)"),
        (
            "    class A:\n        def __repr__(self):\n            return 'a'\n",
            "define an ordinary method (e.g. describe(self)) and call it",
        ),
    ],
)
def test_refusals_name_the_alternative(body, alternative):
    assert alternative in message(body)


def test_underscore_refusals_are_reported_once_in_our_words():
    assert message("    x = event._data\n") == (
        'attribute "_data" is not allowed: names starting with "_" belong to the sandbox; '
        "use x.get('_data') or x['_data'] for a key of a dict or event object"
    )
