"""Known RestrictedPython escape routes, tried at run time: each must end ``forbidden``.

Every attempt prints whatever it reached and also tries to swallow the error, so a test fails
both when a host object leaks into the logs and when the error can be caught and ignored.
"""

from __future__ import annotations

import pytest

ESCAPES: dict[str, tuple[str, str]] = {
    # RestrictedPython's best-known hole: str.format walks attributes in C.
    "format attribute walk": ("", '"{0.__class__.__base__}".format(1)'),
    "format_map attribute walk": ("", '"{x.__class__}".format_map({"x": event})'),
    "unbound str.format": ("", 'str.format("{0.__class__}", 1)'),
    "format spec walk": ("", '"{0:{1.__class__}}".format(1, 2)'),
    "format generator frame": ("", '"{0.gi_frame.f_globals}".format(i for i in [1])'),
    "format generator code": ("", '"{0.gi_code}".format(i for i in [1])'),
    "format traceback frame": ("", '"{0.__traceback__.tb_frame}".format(ValueError())'),
    "format function globals": ("", '"{0.__globals__}".format(distance_km)'),
    "format local_time guard": ("", '"{0._g}".format(local_time)'),
    "format local_time zone": ("", '"{0.tzinfo._filename}".format(local_time("UTC"))'),
    "local_time zone class": ("", 'local_time("UTC").tzinfo.clear_cache()'),
    "format bound method self": ("", '"{0.__self__}".format(api.access.deny)'),
    "format view internals": ("", '"{0._data}".format(event.user)'),
    "format api internals": ("", '"{0._run}".format(api.cache)'),
    "format guard internals": ("", '"{0._g}".format("".join)'),
    "format builtin internals": ("", '"{0._type.__subclasses__}".format(list)'),
    "format class dict": ("", '"{0.__dict__}".format(Holder())'),
    "type mro at run time": ("", '"{0.mro}".format(str)'),
    # Real modules reach sys in a few hops; the sandbox's modules expose an allowlist.
    "re.enum.sys": ("import re", "re.enum.sys.modules"),
    "json.decoder": ("import json", "json.decoder"),
    "datetime.sys": ("import datetime", "datetime.sys"),
    "ipaddress.functools": ("import ipaddress", "ipaddress.functools"),
    "math loader via format": ("import math", '"{0.__loader__}".format(math)'),
    # Writing to anything the Action did not create.
    "write to builtin type": ("", "str.upper = None"),
    "write to module": ("import math", "math.pi = 3"),
    "write to event": ("", "event.user.email = 'x'"),
    "write to api": ("", "api.access = None"),
}

LEAKS = ("<class", "<module", "<frame", "<function", "<code", "<built-in", "_data", "Guards")


def _body(setup: str, expression: str) -> str:
    if "=" in expression and "format" not in expression:
        statement = expression
    else:
        statement = f"leak = {expression}\n    print(leak)"
    return f"""
{setup}
class Holder:
    pass
try:
    {statement}
except Exception as exc:
    print("swallowed", exc)
api.multifactor.enable("none")
"""


@pytest.mark.parametrize(("setup", "expression"), list(ESCAPES.values()), ids=list(ESCAPES))
def test_escape_attempt_is_forbidden(sb, setup, expression):
    result = sb.run(_body(setup, expression))
    sb.failed(result, "forbidden")
    assert result.directives == ()
    for line in sb.logs(result):
        assert not any(marker in line for marker in LEAKS), line


def test_at_least_twelve_escape_routes_are_covered():
    assert len(ESCAPES) >= 12


def test_safe_builtins_still_work_as_types(sb):
    result = sb.run(
        """
        class Roles(list):
            pass
        r = Roles(["a"])
        print(isinstance(r, list), isinstance({}, (list, dict)), issubclass(Roles, list))
        print(list, str)
        """
    )
    assert sb.logs(sb.succeeded(result)) == ["True True True", "<class 'list'> <class 'str'>"]


def test_subclasses_of_builtin_types_keep_the_guards(sb):
    result = sb.run('class S(str):\n    pass\nx = S("a").ljust(10**9)')
    sb.failed(result, "limit")


def test_exceptions_give_their_data_fields_and_nothing_else(sb):
    result = sb.run(
        """
        try:
            1 / 0
        except ZeroDivisionError as exc:
            print(exc.args, str(exc))
        """
    )
    assert sb.logs(sb.succeeded(result)) == ["('division by zero',) division by zero"]
    walk = sb.run(
        'try:\n    1 / 0\nexcept ZeroDivisionError as exc:\n    "{0.with_traceback}".format(exc)'
    )
    assert "with_traceback" in sb.failed(walk, "forbidden")


def test_generators_work_but_their_frames_do_not(sb):
    result = sb.run(
        """
        def gen():
            yield 1
            yield 2
        g = gen()
        print(next(g), list(g))
        """
    )
    assert sb.logs(sb.succeeded(result)) == ["1 [2]"]
