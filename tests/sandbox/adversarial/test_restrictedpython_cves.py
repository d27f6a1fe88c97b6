"""The published RestrictedPython escapes, replayed against contextmfa's sandbox.

RestrictedPython 9.0 (the version installed) has fixes for all six; these tests hold contextmfa
to them on its own: each attempt must fail closed whether or not the library's fix is there,
which is why the compile-time ones are also checked against the policy's own checks
(source_checks.py) without RestrictedPython's transformer.

- CVE-2023-37271 (GHSA-wqc8-x2pr-7jqh): generator ``gi_frame`` walked up the stack to the host.
- CVE-2023-41039 (GHSA-xjw2-6jm9-rf67): ``str.format``/``format_map``/``string.Formatter``
  walked attributes in C.
- CVE-2024-47532: ``AttributeError.obj`` and the ``string`` module handed back host objects.
- CVE-2025-22153: a CPython type confusion in ``try/except*`` bypassed the guards.
- CVE-2026-55830 (GHSA-ffg3-p8fm-mjx2): positional-only parameters shadowed guard hooks.
- CVE-2026-76825 (GHSA-hp3v-5vw7-fx9w): ``string.Formatter.get_field`` walked attributes without
  the guard.
"""

from __future__ import annotations

import ast

from contextmfa.sandbox.source_checks import tree_problems


def own_problems(source: str) -> list[str]:
    """The policy's own checks alone (no RestrictedPython)."""
    return [message for _, _, message in tree_problems(ast.parse(source), source.splitlines())]


def test_cve_2023_37271_generator_frame_walk(hostile):
    body = """
    def gen():
        yield 1
    g = gen()
    frame = g.gi_frame.f_back.f_back
    builtins = frame.f_builtins
    api.multifactor.enable("none")
    """
    hostile.judge_body(body).assert_failed_closed("compile")


def test_cve_2023_37271_generator_frame_walk_at_run_time(hostile):
    body = """
    def gen():
        yield 1
    print("{0.gi_frame.f_back.f_builtins}".format(gen()))
    api.multifactor.enable("none")
    """
    hostile.judge_body(body).assert_failed_closed("forbidden")


def test_cve_2023_41039_str_format_attribute_walk(hostile):
    body = (
        'print("{0.__class__.__base__.__subclasses__}".format(1))\napi.multifactor.enable("none")'
    )
    hostile.judge_body(body).assert_failed_closed("forbidden")


def test_cve_2023_41039_format_map_attribute_walk(hostile):
    body = 'print("{f.__globals__}".format_map({"f": distance_km}))\napi.multifactor.enable("none")'
    hostile.judge_body(body).assert_failed_closed("forbidden")


def test_cve_2024_47532_attribute_error_obj(hostile):
    body = """
    try:
        [].nope
    except AttributeError as error:
        print(error.obj)
    api.multifactor.enable("none")
    """
    verdict = hostile.judge_body(body).assert_failed_closed("forbidden")
    assert "AttributeError.obj" in verdict.error["message"]


def test_cve_2024_47532_string_module(hostile):
    hostile.judge_body("import string\nprint(string.Formatter)").assert_failed_closed("compile")


def test_cve_2025_22153_except_star(hostile):
    body = """
    try:
        raise ValueError(1)
    except* ValueError as group:
        api.multifactor.enable("none")
    """
    verdict = hostile.judge_body(body).assert_failed_closed("compile")
    assert any("except*" in p or "TryStar" in p for p in verdict.problems)
    source = hostile.source_of(body)
    assert (
        "except* is not available in Actions; write except (ValueError, TypeError): instead"
        in own_problems(source)
    )


def test_cve_2026_55830_positional_only_guard_shadowing(hostile):
    body = """
    def steal(o, name):
        return o
    def f(_getattr_=steal, /):
        return event.user
    print(f())
    api.multifactor.enable("none")
    """
    hostile.judge_body(body).assert_failed_closed("compile")
    found = own_problems(hostile.source_of(body))
    assert any(p.startswith('parameter "_getattr_" is not allowed') for p in found), found


def test_cve_2026_55830_every_hook_and_every_parameter_kind(hostile):
    for hook in ("_getattr_", "_getitem_", "_write_", "_print_", "_getiter_", "_step_"):
        for signature in (f"{hook}=None, /", f"*, {hook}=None", f"*{hook}", f"**{hook}"):
            source = hostile.source_of(f"def f({signature}):\n        pass")
            hostile.judge(source).assert_failed_closed("compile")
            assert any(hook in p for p in own_problems(source)), signature


def test_cve_2026_76825_string_formatter_import(hostile):
    body = "from string import Formatter\nprint(Formatter().get_field('0.__class__', [1], {}))"
    hostile.judge_body(body).assert_failed_closed("compile")


def test_cve_2026_76825_formatter_field_walk_goes_through_the_guard(hostile):
    body = """
    def f():
        pass
    print("{0.__globals__[__builtins__]}".format(f))
    api.multifactor.enable("none")
    """
    hostile.judge_body(body).assert_failed_closed("forbidden")
