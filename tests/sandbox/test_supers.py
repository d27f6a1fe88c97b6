"""``super()`` works in the Action's own classes as in Python, and reaches a host base only
through the guards of that host type (supers.py)."""

from __future__ import annotations

import pytest

from contextmfa.errors import CompileError


def test_super_in_methods_classmethods_and_init(sb):
    body = """
    class PolicyError(ValueError):
        def __init__(self, message, code):
            super().__init__(message)
            self.code = code

    class Rule:
        def __init__(self, weight):
            self.weight = weight
        def describe(self):
            return "rule " + str(self.weight)
        @classmethod
        def make(cls, weight):
            return cls(weight)

    class Strict(Rule):
        def __init__(self, weight):
            super().__init__(weight * 2)
        def describe(this):
            return "strict/" + super().describe()
        @classmethod
        def make(cls, weight):
            return super().make(weight + 1)

    try:
        raise PolicyError("denied", 7)
    except PolicyError as error:
        print(error, error.code, error.args)
    print(Strict(3).describe(), Strict.make(1).weight, super(Strict, Strict(1)).describe())
    """
    assert sb.logs(sb.succeeded(sb.run(body))) == [
        "denied 7 ('denied',)",
        "strict/rule 6 4 rule 2",
    ]


def test_super_reaches_a_host_base_through_its_guarded_methods(sb):
    body = """
    class Counts(dict):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.label = "counts"
        def get(self, key, default=0):
            return super().get(key, default)
    class Doubled(list):
        def __init__(self, items):
            super().__init__(items)
        def append(self, item):
            super().append(item * 2)
    class Loud(str):
        def shout(self):
            return super().upper() + "!"
    counts = Counts({"a": 1}, b=2)
    doubled = Doubled(range(3))
    doubled.append(5)
    print(counts, counts.get("a"), counts.get("z"), counts.label, doubled, Loud("hi").shout())
    """
    assert sb.logs(sb.succeeded(sb.run(body))) == ["{'a': 1, 'b': 2} 1 0 counts [0, 1, 2, 10] HI!"]


@pytest.mark.parametrize(
    ("body", "kind", "message"),
    [
        ("super(int, 1)", "forbidden", "super() reaches only the Action's own classes"),
        ("class A:\n    pass\nsuper(A, 1)", "exception", "obj must be an instance or subtype"),
        (
            "class E(ValueError):\n    def f(self):\n        return super().with_traceback(None)\n"
            "E().f()",
            "forbidden",
            "BaseException.with_traceback is not available in Actions",
        ),
        (
            "class D(dict):\n    def f(self):\n"
            "        super().update({i: i for i in range(20000)})\nD().f()",
            "limit",
            "collection too large",
        ),
        (
            "class L(list):\n    def __init__(self):\n        super().__init__(range(10**9))\nL()",
            "limit",
            "collection too large",
        ),
        (
            "class A:\n    def f(self):\n        s = super()\n        s.x = 1\nA().f()",
            "forbidden",
            "cannot modify 'super' objects in Actions",
        ),
    ],
)
def test_super_opens_nothing_of_the_host(sb, body, kind, message):
    assert message in sb.failed(sb.run(body), kind)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("x = super()", "write it in such a method, or super(Class, obj), instead"),
        ("class A:\n    x = super()", "not available in Actions outside a method"),
        (
            "class A:\n    def f(self):\n        return (lambda: super().f())()",
            "not available in Actions outside a method",
        ),
        ("x = super", "write super().method(...) or super().__init__(...) in a method instead"),
        ("class A:\n    def f(self):\n        return super(A)", "super(Class, obj) instead"),
        ("class A:\n    def f(self):\n        return super().__class__", '"__class__"'),
        ("class A:\n    def f(self):\n        return super().__dict__", '"__dict__"'),
        ("class A:\n    def f(self):\n        return super().mro()", '"mro"'),
    ],
)
def test_super_outside_a_method_or_into_internals_is_refused_at_compile_time(sb, body, message):
    with pytest.raises(CompileError) as info:
        sb.compile(body)
    assert message in str(info.value)
