"""``type(x)`` compares and prints as in Python, and hands back nothing an Action could not
already name (typeof.py)."""

from __future__ import annotations

import pytest

from contextmfa.errors import CompileError


def test_type_compares_as_in_python(sb):
    body = """
    class Factor:
        pass
    class Strong(Factor):
        pass
    values = [1, 1.5, "s", [1], {}, None, True, Strong(), event.user, event.authorization.roles]
    print([type(v) is int for v in values])
    print([type(v) in (int, float) for v in values])
    print(type(event.user) is dict, type(event.authorization.roles) == list, type(event) is dict)
    print(type(Strong()) is Strong, type(Strong()) is Factor, isinstance(Strong(), type(Factor())))
    print(type(int) is type, type(Strong) is type, isinstance(Strong, type), isinstance(1, type))
    print(issubclass(type(True), int), issubclass(type(Strong()), Factor), issubclass(bool, int))
    kinds = {int: "number", str: "text", dict: "object"}
    print([kinds.get(type(v), "other") for v in (7, "x", event.user, [])])
    """
    assert sb.logs(sb.succeeded(sb.run(body))) == [
        "[True, False, False, False, False, False, False, False, False, False]",
        "[True, True, False, False, False, False, False, False, False, False]",
        "True True True",
        "True False True",
        "True True True False",
        "True True True",
        "['number', 'text', 'object', 'other']",
    ]


def test_type_prints_and_names_as_in_python(sb):
    body = """
    import datetime
    class Factor:
        pass
    def f():
        pass
    try:
        {}["missing"]
    except Exception as error:
        print(f"{type(error).__name__}: {error}", type(error))
    print(type(1), type("x"), type(None), type(datetime.date(2026, 1, 1)))
    print(type(Factor()).__name__, type(f), type(x for x in []), type(len), type(int))
    print(str(type([])), repr(type(1.5)), type(event.user).__name__)
    """
    assert sb.logs(sb.succeeded(sb.run(body))) == [
        "KeyError: 'missing' <class 'KeyError'>",
        "<class 'int'> <class 'str'> <class 'NoneType'> <class 'datetime.date'>",
        "Factor <class 'function'> <class 'generator'> <class 'builtin_function_or_method'> "
        "<class 'type'>",
        "<class 'list'> <class 'float'> dict",
    ]


def test_the_type_of_a_guarded_value_is_the_guarded_constructor(sb):
    body = """
    print(type(3)("42") + 1, type([])((1, 2)), type(event.user)(a=1))
    x = type([])(range(10**9))
    """
    result = sb.run(body)
    assert sb.logs(result) == ["43 [1, 2] {'a': 1}"]
    assert "collection too large" in sb.failed(result, "limit")


@pytest.mark.parametrize(
    ("body", "kind", "message"),
    [
        ("x = type(len)\ny = x.mro", "compile", '"mro" is not available in Actions'),
        ("x = type(api)\nx(None)", "exception", "cannot create 'Api' objects in Actions"),
        ("x = type(map(len, []))\nx(len, range(10))", "exception", "cannot create 'map'"),
        ("t = type\nt('X', (), {})", "exception", "type() takes exactly one argument"),
        ("x = type(x for x in [])\nprint(x.send)", "forbidden", "generator.send is not available"),
        ("x = type(type(1))\nx.y = 1", "forbidden", "cannot modify classes in Actions"),
        ('print("{0.__base__}".format(type(len)))', "forbidden", "'__base__' is forbidden"),
    ],
)
def test_what_type_returns_opens_nothing(sb, body, kind, message):
    if kind == "compile":
        with pytest.raises(CompileError) as info:
            sb.run(body)
        assert message in str(info.value)
        return
    assert message in sb.failed(sb.run(body), kind)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("x = type('X', (), {})", "or a class statement to make a class, instead"),
        ("x = type()", "type() with other than one argument is not available in Actions"),
        ("x = type(1, k=2)", "write type(x)"),
        ("class M(type):\n    pass", "write a plain class instead"),
        ("x = type(1).__subclasses__()", '"__subclasses__" is not allowed'),
        ("x = type(1).__dict__", '"__dict__" is not allowed'),
        ("type(1).__name__ = 'y'", '"__name__" is not allowed'),
    ],
)
def test_the_metaclass_machinery_is_refused_at_compile_time(sb, body, message):
    with pytest.raises(CompileError) as info:
        sb.compile(body)
    assert message in str(info.value)
