"""The Python tenant developers actually write runs in the sandbox with CPython's results.

Every program of ordinary_programs.py (augmented assignment, ``nonlocal``, ``super()``,
``type(x)``, ``match``, and the everyday rest) runs three ways: in plain CPython, inline, and
in a worker process; all three must print the same lines. The worker serves every program in
one flow of one login, so the process variant costs one fork server and one worker.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from ordinary_programs import AUGMENTED, MATCH, NONLOCAL, PROGRAMS, SUPER, TYPE

from contextmfa.flow import InlineFlow
from contextmfa.sandbox import CompiledAction, InMemoryActionCache, SandboxLimits, compile_action
from contextmfa.sandbox.process import ProcessFlow

ENTRY = "\n\ndef on_execute_post_login(event, api):\n    main()\n"
LIMITS = SandboxLimits(timeout_ms=2000)
"""The defaults but for the clock: a loaded test machine must not time a program out."""


def _name(program: str) -> str:
    return re.sub(r"\W+", "_", program)


def _path(program: str) -> str:
    return f"/tenant/actions/{_name(program)}.py"


@cache
def in_cpython(program: str) -> list[str]:
    """What the program prints in plain CPython, one entry per ``print`` call, as the sandbox
    records them (one log line per call)."""
    printed: list[str] = []

    def collect(*values: object, sep: str = " ", end: str = "\n") -> None:
        printed.append(sep.join(str(value) for value in values))

    namespace = {"__name__": _name(program), "print": collect}
    exec(compile(PROGRAMS[program], _path(program), "exec"), namespace)
    namespace["main"]()  # type: ignore[operator]
    return printed


def compiled(program: str) -> CompiledAction:
    return compile_action(PROGRAMS[program] + ENTRY, _path(program))


def test_the_table_holds_at_least_eighty_programs_and_every_new_construct():
    assert len(PROGRAMS) >= 80
    for table in (AUGMENTED, NONLOCAL, SUPER, TYPE, MATCH):
        assert len(table) >= 5


@pytest.mark.parametrize("program", list(PROGRAMS))
def test_inline_prints_what_cpython_prints(sb, program):
    expected = in_cpython(program)
    assert expected, "a program must print something"
    result = sb.execute(compiled(program), limits=LIMITS)
    assert sb.logs(sb.succeeded(result)) == expected


def test_a_worker_process_prints_what_cpython_prints(sb):
    actions = [compiled(program) for program in PROGRAMS]
    options = dict(secrets_for=lambda _: {}, limits=LIMITS, on_error="challenge")
    isolated = ProcessFlow(actions, cache=InMemoryActionCache(), **options)
    try:
        outcome = isolated.run(sb.EVENT, now=sb.NOW, tenant_id="acme")
    finally:
        isolated.close()
    assert outcome.errors == []
    printed: dict[str, list[str]] = {}
    for entry in outcome.logs:
        printed.setdefault(entry["action"], []).append(entry["line"])
    assert {p: printed.get(_name(p)) for p in PROGRAMS} == {p: in_cpython(p) for p in PROGRAMS}
    inline = InlineFlow(actions, cache=InMemoryActionCache(), **options)
    assert inline.run(sb.EVENT, now=sb.NOW, tenant_id="acme") == outcome
