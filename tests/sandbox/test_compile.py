"""``compile_action``: located problems (``path:line:col``), one test per forbidden construct."""

from __future__ import annotations

import time

import pytest

from contextmfa.errors import CompileError
from contextmfa.sandbox import CompiledAction, compile_action

PATH = "actions/step_up.py"
ENTRY = "def on_execute_post_login(event, api):\n"


def problems(source: str) -> list[str]:
    with pytest.raises(CompileError) as info:
        compile_action(source, PATH)
    return [str(p) for p in info.value.problems]


def test_a_valid_action_compiles_once_into_a_named_action():
    action = compile_action(ENTRY + "    api.multifactor.enable('any')\n", PATH)
    assert isinstance(action, CompiledAction)
    assert action.name == "step_up"
    assert action.path == PATH


def test_syntax_error_is_located():
    assert problems(ENTRY + "    if True print('x')\n") == [
        "actions/step_up.py:2:13: error: syntax error: invalid syntax"
    ]


def test_forbidden_import_is_located():
    assert problems("import os\n" + ENTRY + "    pass\n") == [
        "actions/step_up.py:1:1: error: import of 'os' is not available in Actions; "
        "write import datetime, ipaddress, json, math or re instead"
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("import os.path", "import of 'os.path' is not available in Actions"),
        ("import subprocess as re", "import of 'subprocess' is not available"),
        ("from os import system", "import of 'os' is not available"),
        ("from re import enum", "re.enum is not available in Actions"),
        ("from json import decoder", "json.decoder is not available in Actions"),
        ("from . import sibling", "relative imports are not available in Actions"),
        ("from math import *", "from math import * is not available in Actions"),
        ("from __future__ import annotations", "import of '__future__' is not available"),
    ],
)
def test_imports_outside_the_allowlist(line, message):
    found = problems(line + "\n" + ENTRY + "    pass\n")
    assert any(message in p for p in found), found


def test_allowed_imports_compile():
    source = (
        "import math, re, json, datetime, ipaddress\n"
        "from datetime import datetime as dt, timedelta\n"
        "from ipaddress import ip_network\n" + ENTRY + "    pass\n"
    )
    compile_action(source, PATH)


def test_dunder_attribute_is_located_and_names_the_alternative():
    assert problems(ENTRY + "    x = event.__class__\n") == [
        'actions/step_up.py:2:9: error: attribute "__class__" is not allowed: names starting '
        'with "_" belong to the sandbox; use type(x) or isinstance(x, T)'
    ]


@pytest.mark.parametrize(
    "statement",
    [
        "x = event._data",
        "_x = 1",
        "x = __import__('os')",
        "x = (1).__class__.__bases__",
        "g = (i for i in [1])\n    f = g.gi_frame",
        "x = str.mro()",
        "exec('1')",
        "eval('1')",
        "x = compile('1', 'f', 'exec')",
        "x = open('/etc/passwd')",
        "x = globals()",
        "x = vars()",
        "x = dir()",
        "x = getattr(event, 'user')",
        "setattr(event, 'x', 1)",
        "x = type('X', (), {})",
        "class M(type):\n        pass",
        "x = object",
        "x = super()",
        "breakpoint()",
        "async def f():\n        pass",
        "class A(metaclass=list):\n        pass",
        "try:\n        pass\n    except* ValueError:\n        pass",
        "def g():\n        nonlocal x",
        "match event:\n        case _x:\n            pass",
        "x = [y for y in [1]]\n    x._foo += 1",
        "x = {}\n    x.mro += 1",
    ],
)
def test_forbidden_constructs(statement):
    assert problems(ENTRY + "    " + statement + "\n")


def test_annotations_are_accepted_and_ignored(sb):
    source = "LIMIT: int = 3\nNAME: str\n" + ENTRY + "    n: int = LIMIT\n    print(n)\n"
    assert sb.logs(sb.execute(compile_action(source, PATH))) == ["3"]


def test_a_forbidden_builtin_name_is_fine_when_the_action_binds_it():
    compile_action(
        ENTRY + "    type = event.user.enrolled_factors[0].type\n    print(type)\n", PATH
    )


def test_missing_entry_point():
    assert problems("def on_login(event, api):\n    pass\n") == [
        "actions/step_up.py:1:1: error: missing top-level function: "
        "def on_execute_post_login(event, api)"
    ]


@pytest.mark.parametrize(
    "source",
    [
        "def on_execute_post_login(event):\n    pass\n",
        "def on_execute_post_login(event, api, extra):\n    pass\n",
        "def on_execute_post_login(event, api=None):\n    pass\n",
        "def on_execute_post_login(*args):\n    pass\n",
        "def on_execute_post_login(event, api, *, k):\n    pass\n",
        "def deco(f):\n    return f\n@deco\ndef on_execute_post_login(event, api):\n    pass\n",
        "def on_execute_post_login(event, api):\n    yield 1\n",
        "on_execute_post_login = lambda event, api: None\n",
        "class X:\n    def on_execute_post_login(event, api):\n        pass\n",
    ],
)
def test_wrongly_shaped_entry_point(source):
    assert any("on_execute_post_login" in p for p in problems(source))


def test_every_problem_is_reported_in_order():
    source = "import os\n" + ENTRY + "    x = event.__dict__\n    y = type()\n"
    found = problems(source)
    assert [p.split(": error")[0] for p in found] == [
        "actions/step_up.py:1:1",
        "actions/step_up.py:3:9",
        "actions/step_up.py:4:9",
    ]


def test_columns_count_characters_not_bytes():
    found = problems(ENTRY + "    s = 'é€'; x = s.__len__\n")
    assert found[0].startswith("actions/step_up.py:2:19:")


def test_compiling_an_80_line_action_takes_milliseconds():
    body = "".join(
        f"    if event.stats.logins_count > {i}:\n        print('at', {i}, event.user.email)\n"
        for i in range(40)
    )
    started = time.perf_counter()
    compile_action(ENTRY + body, PATH)
    assert time.perf_counter() - started < 0.5


def test_nonlocal_counts_in_a_closure(sb):
    source = (
        "def counter():\n    n = 0\n    def bump(by=1):\n        nonlocal n\n        n += by\n"
        "        return n\n    return bump\n"
        + ENTRY
        + "    bump = counter()\n    bump()\n    bump(5)\n    print(bump())\n"
    )
    assert sb.logs(sb.execute(compile_action(source, PATH))) == ["7"]


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (
            "def g():\n        nonlocal x",
            "actions/step_up.py:3:9: error: syntax error: no binding for nonlocal 'x' found",
        ),
        (
            "_step_ = 1\n    def g():\n        nonlocal _step_",
            'actions/step_up.py:2:5: error: name "_step_" is not allowed',
        ),
        (
            "x = 1\n    def g():\n        nonlocal _step_",
            'actions/step_up.py:4:9: error: nonlocal name "_step_" is not allowed',
        ),
        (
            "x = 1\n    global x",
            "actions/step_up.py:3:5: error: syntax error: name 'x' is assigned to before global "
            "declaration",
        ),
    ],
)
def test_what_the_compiler_refuses_is_located(statement, expected):
    assert problems(ENTRY + "    " + statement + "\n")[0].startswith(expected)
