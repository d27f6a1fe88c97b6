"""Escape attempts, one test each, by family; every one must fail closed and leak nothing.

Each entry is the body of ``on_execute_post_login`` and the error kinds that count as "stopped
where it should be" ("compile" when the policy refuses the file). Bodies that seem to succeed
skip MFA (``api.multifactor.enable("none")``) so a working escape cannot pass as a failure.
"""

from __future__ import annotations

import pytest

from contextmfa.sandbox import SandboxLimits

COMPILE = ("compile",)
FORBIDDEN = ("forbidden",)
REFUSED = ("compile", "forbidden")
FAILED = ("forbidden", "exception")


def _cases(table: dict[str, tuple[str, tuple[str, ...]]]):
    return pytest.mark.parametrize(("body", "kinds"), list(table.values()), ids=list(table))


DUNDER_TRAVERSAL = {
    "subclasses via tuple": ("x = ().__class__.__bases__[0].__subclasses__()", COMPILE),
    "event class": ("x = event.__class__", COMPILE),
    "api instance dict": ("x = api.__dict__", COMPILE),
    "view internals": ("x = event.user._data", COMPILE),
    "helper globals": ('x = distance_km.__globals__["__builtins__"]', COMPILE),
    "helper code object": ("x = ip_in_range.__code__", COMPILE),
    "lambda closure": ("f = lambda: event\n    x = f.__closure__", COMPILE),
    "bound method self": ("x = api.access.deny.__self__", COMPILE),
    "comprehension over subclasses": ("x = [c for c in object.__subclasses__()]", COMPILE),
    "builtins through a safe type": ("x = list.__init__.__globals__", COMPILE),
    "view slot through format": ('print("{0._data}".format(event.user))', FORBIDDEN),
    "api run state through format": ('print("{0._run.cache}".format(api.cache))', FORBIDDEN),
    "guard of a str method through format": ('print("{0._g.meter}".format("".join))', FORBIDDEN),
}

BUILTINS_AND_IMPORTS = {
    "__import__ os": ('__import__("os").system("id")', COMPILE),
    "import os": ("import os\n    os.system('id')", COMPILE),
    "import importlib": ("import importlib", COMPILE),
    "from importlib": ("from importlib import import_module", COMPILE),
    "import string (Formatter)": ("import string", COMPILE),
    "import random (shared state)": ("import random", COMPILE),
    "import sys": ("import sys", COMPILE),
    "open a file": ('open("/etc/passwd").read()', COMPILE),
    "eval": ('eval("1")', COMPILE),
    "exec": ('exec("x = 1")', COMPILE),
    "compile": ('compile("1", "f", "eval")', COMPILE),
    "globals": ('globals()["__builtins__"]', COMPILE),
    "vars": ("vars(event)", COMPILE),
    "breakpoint": ("breakpoint()", COMPILE),
    "type": ('type("X", (), {})', COMPILE),
    "object": ("object.__subclasses__()", COMPILE),
    "private name from a module": ("from re import _compile", COMPILE),
    "re reaches sys": ("import re\n    print(re.enum.sys.modules)", FORBIDDEN),
    "json decoder module": ("import json\n    print(json.decoder.scanstring)", FORBIDDEN),
    "datetime reaches sys": ("import datetime\n    print(datetime.sys)", FORBIDDEN),
    "ipaddress reaches functools": ("import ipaddress\n    print(ipaddress.functools)", FORBIDDEN),
    "print to a file object": ('print("x", file=api)', ("exception",)),
    "json.loads object_hook": (
        'import json\n    json.loads("{}", object_hook=lambda d: d)',
        ("exception",),
    ),
}

COMPUTED_GETATTR = {
    "getattr": ('getattr(event, "user")', COMPILE),
    "setattr": ('setattr(event, "user", None)', COMPILE),
    "hasattr": ('hasattr(event, "user")', COMPILE),
    "str.format on a view": ('print("{0.user._data}".format(event))', FORBIDDEN),
    "unbound str.format": ('print(str.format("{0.__class__}", event))', FORBIDDEN),
    "format_map with a computed name": (
        'name = "_" + "_class__"\n    print(("{x._" + name + "}").format_map({"x": 1}))',
        FORBIDDEN,
    ),
    "format auto-numbered field": ('print("{.__class__}".format(1))', FAILED),
    "format item then attribute": ('print("{0[0].__class__}".format([1]))', FORBIDDEN),
    "percent format mapping": (
        'print("%(x)s" % {"x": event.secrets})\n    raise ValueError("done")',
        ("exception",),
    ),
}

STR_SUBCLASSES = {
    "count lies to replace's size check": (
        """
        class S(str):
            def count(self, *args):
                return 0
        x = S("a" * 100000).replace("a", "b" * 1000)
        api.multifactor.enable("none")
        """,
        ("limit",),
    ),
    "encode lies to the percent-format check": (
        """
        class S(str):
            def encode(self, *args):
                return b""
        x = S("%100000000d") % 1
        api.multifactor.enable("none")
        """,
        ("limit",),
    ),
    "isascii lies to the repr size estimate": (
        """
        class S(str):
            def isascii(self):
                return True
            def isprintable(self):
                return True
        x = repr([S("\\x00" * 100000)] * 2)
        api.multifactor.enable("none")
        """,
        ("limit",),
    ),
    "strip smuggles an object into the host's network cache": (
        """
        class S(str):
            def strip(self, *args):
                return "0.0.0.0/0"
        if ip_in_range(S("203.0.113.9"), S("10.0.0.0/8")):
            api.multifactor.enable("none")
            return
        raise RuntimeError("escape blocked")
        """,
        ("exception",),
    ),
    "factor name subclass rides into the decision": (
        """
        class F(str):
            def lower(self):
                return "duo"
        api.authentication.challenge_with(F("otp"))
        raise RuntimeError("the step must hold a plain string")
        """,
        ("exception",),
    ),
    "expand template with a lying count": (
        """
        import re
        class T(str):
            def count(self, *args):
                return 0
        x = re.sub("(a+)", T("\\\\1" * 4000), "a" * 30000)
        api.multifactor.enable("none")
        """,
        ("limit",),
    ),
    "dict items lie to the metadata size check": (
        """
        class D(dict):
            def items(self):
                return []
        blob, filler = D(), "x" * 10000
        for i in range(2000):
            blob[str(i)] = filler
        api.user.set_app_metadata("blob", blob)
        api.multifactor.enable("none")
        """,
        ("limit",),
    ),
    "translate table of huge strings": (
        'x = ("a" * 10000).translate(["y" * 10000] * 128)\n    api.multifactor.enable("none")',
        ("limit",),
    ),
}

FRAMES = {
    "generator frame": ("g = (i for i in [1])\n    x = g.gi_frame.f_back", COMPILE),
    "generator frame through format": (
        'g = (i for i in [1])\n    print("{0.gi_frame.f_globals}".format(g))',
        FORBIDDEN,
    ),
    "generator code through format": ('print("{0.gi_code}".format(i for i in [1]))', FORBIDDEN),
    "generator yieldfrom through format": (
        'def g():\n        yield from [1]\n    print("{0.gi_yieldfrom}".format(g()))',
        FORBIDDEN,
    ),
    "host generator of reversed()": ('print("{0.gi_frame}".format(reversed([1, 2])))', FORBIDDEN),
    "traceback frame": (
        "try:\n        1 / 0\n    except Exception as e:\n        x = e.__traceback__.tb_frame",
        COMPILE,
    ),
    "traceback through format": (
        "try:\n        1 / 0\n    except Exception as e:\n"
        '        print("{0.__traceback__}".format(e))',
        FORBIDDEN,
    ),
    "exception context chain": (
        "try:\n        1 / 0\n    except Exception as e:\n"
        '        print("{0.__context__}".format(e))',
        FORBIDDEN,
    ),
    "coroutine": ("async def f():\n        pass", COMPILE),
    "async generator": ("async def f():\n        yield 1", COMPILE),
    "await": ("x = await y", COMPILE),
}

GUARD_REBINDING = {
    "positional-only parameter": (
        "def f(_getattr_=lambda o, n: o, /):\n        return event.user\n    f()",
        COMPILE,
    ),
    "lambda positional-only": ("f = lambda _getattr_=None, /: event.user", COMPILE),
    "keyword-only parameter": ("def f(*, _getitem_=None):\n        pass", COMPILE),
    "walrus": ("if (_getattr_ := None) is None:\n        pass", COMPILE),
    "for target": ("for _getiter_ in [iter]:\n        pass", COMPILE),
    "except target": (
        "try:\n        pass\n    except Exception as _write_:\n        pass",
        COMPILE,
    ),
    "global": ("global _getattr_", COMPILE),
    "import alias": ("import math as _getattr_", COMPILE),
    "with target": ("with event as _print_:\n        pass", COMPILE),
    "starred target": ("*_getattr_, = [1]", COMPILE),
    "class name": ("class _write_:\n        pass", COMPILE),
    "function name": ("def _getitem_(o, k):\n        return o", COMPILE),
    "keyword argument": ("dict(_getattr_=1)", COMPILE),
    "builtins": ("__builtins__ = {}", COMPILE),
    "metaclass hook": ("__metaclass__ = None", COMPILE),
}

EXCEPT_STAR = {
    "except star": ("try:\n        pass\n    except* ValueError:\n        pass", COMPILE),
    "except star tuple": (
        "try:\n        pass\n    except* (ValueError, TypeError):\n        pass",
        COMPILE,
    ),
    "exception group at run time": (
        'raise ExceptionGroup("x", [ValueError()])',
        COMPILE,  # an undefined name: check and the run agree
    ),
}

ANNOTATIONS = {
    "string annotation with a dunder walk": (
        "def f(x: 'event.__class__.__mro__'):\n        pass",
        COMPILE,
    ),
    "string annotation calling import": ("y: '__import__(\"os\")' = 1", COMPILE),
    "annotation expression with a dunder": ("x: event.__class__ = 1", COMPILE),
    "annotations dict": ("def f(x: int):\n        pass\n    print(f.__annotations__)", COMPILE),
    "parameter annotation side effect": (
        'def f(x: api.multifactor.enable("none")):\n        pass\n'
        '    raise RuntimeError("blocked")',
        ("exception",),
    ),
    "return annotation side effect": (
        'def f() -> api.multifactor.enable("none"):\n        pass\n'
        '    raise RuntimeError("blocked")',
        ("exception",),
    ),
    "variable annotation side effect": (
        'y: api.multifactor.enable("none") = 1\n    raise RuntimeError("blocked")',
        ("exception",),
    ),
}

METACLASSES_AND_SPECIAL_METHODS = {
    "metaclass keyword": ("class A(metaclass=list):\n        pass", COMPILE),
    "metaclass through kwargs": ('class A(**{"metaclass": list}):\n        pass', COMPILE),
    "init_subclass": ("class A:\n        def __init_subclass__(cls):\n            pass", COMPILE),
    "getattr hook": ("class A:\n        def __getattr__(self, n):\n            return 1", COMPILE),
    "finalizer": ("class A:\n        def __del__(self):\n            pass", COMPILE),
    "format hook": ("class A:\n        def __format__(self, s):\n            return s", COMPILE),
    "slots": ("class A:\n        __slots__ = ()", COMPILE),
    "class_getitem": (
        "class A:\n        def __class_getitem__(cls, k):\n            return k",
        COMPILE,
    ),
    "type as a base": ("class M(type):\n        pass", COMPILE),
    "datetime subclass strftime flood": (
        """
        from datetime import datetime
        class D(datetime):
            def strftime(self, fmt):
                return "x" * 100000 + "y" * 100000
        print(format(D(2026, 1, 1), "%Y"))
        api.multifactor.enable("none")
        """,
        ("limit", "exception"),
    ),
    "exception class shadows args": (
        """
        class E(Exception):
            args = ("short",)
        raise E(*(["x" * 100000] * 100))
        """,
        ("exception",),
    ),
}

EVENT_AND_API_MUTATION = {
    "assign a field": ('event.user.email = "mallory@evil.test"', FORBIDDEN),
    "update a metadata object": ('event.user.app_metadata.update({"plan": "free"})', FORBIDDEN),
    "assign a metadata key": ('event.user.app_metadata["mfa_required"] = False', FORBIDDEN),
    "delete a metadata key": ('del event.user.app_metadata["plan"]', FORBIDDEN),
    "append a role": ('event.authorization.roles.append("superadmin")', FORBIDDEN),
    "sort a list": ("event.authorization.roles.sort()", FORBIDDEN),
    "pop a factor": ("event.user.enrolled_factors.pop()", FORBIDDEN),
    "assign a secret": ('event.secrets["API_TOKEN"] = "x"', FORBIDDEN),
    "unbound dict.update on a view": (
        'dict.update(event.user.app_metadata, {"plan": "free"})',
        ("exception",),
    ),
    "unbound list.append on a view": (
        'list.append(event.authorization.roles, "superadmin")',
        ("exception",),
    ),
    "augmented assignment keeps the event": (
        """
        roles = event.authorization.roles
        roles += ["superadmin"]
        if "superadmin" in event.authorization.roles:
            api.multifactor.enable("none")
            return
        raise RuntimeError("event unchanged")
        """,
        ("exception",),
    ),
    "__eq__ receives the event's raw dicts": (
        """
        stolen = []
        class Thief:
            def __eq__(self, other):
                stolen.append(other)
                return False
        x = event.user.enrolled_factors == [Thief(), Thief()]
        y = Thief() in event.user.enrolled_factors
        z = event.user.enrolled_factors.count(Thief())
        w = event.user == {"app_metadata": Thief()}
        for loot in stolen:
            loot["type"] = "none"
        if stolen:
            api.multifactor.enable("none")
            return
        raise RuntimeError("nothing stolen")
        """,
        ("exception",),
    ),
    "replace an api part": ("api.access = None", FORBIDDEN),
    "replace an api method": ("api.cache.get = lambda key: None", FORBIDDEN),
    "write to a module": ("import math\n    math.pi = 3", FORBIDDEN),
    "write to a builtin type": ("str.upper = str.lower", FORBIDDEN),
    "write to an exception class": ('ValueError.note = "x"', FORBIDDEN),
}

OTHER_STATE = {
    "attribute of a shared pattern": (
        'import re\n    p = re.compile("a+")\n    p.pattern = "b"',
        FORBIDDEN,
    ),
    "class of the regex engine": ("import re\n    print(re.Pattern.match)", FORBIDDEN),
    "another Action's secret": (
        "print(event.secrets.OTHER_TOKEN)",
        ("exception",),
    ),
    "api run state": ('print("{0._run.rec.directives}".format(api.cache))', FORBIDDEN),
    "printer of the run": ("printed.append('x')", COMPILE),
}


AUGMENTED_ASSIGNMENT = {
    "event field": ('event.user.email += "@evil.test"', FORBIDDEN),
    "event metadata item": ('event.user.app_metadata["plan"] += "-free"', FORBIDDEN),
    "event list slice": (
        'roles = event.authorization.roles\n    roles[0:0] += ["superadmin"]',
        FORBIDDEN,
    ),
    "event secret": ('event.secrets["API_TOKEN"] += "x"', FORBIDDEN),
    "api part": ("api.multifactor += 1", FORBIDDEN),
    "api method": ("cache = api.cache\n    cache.get += 1", FORBIDDEN),
    "module proxy": ("import math\n    math.pi += 1", FORBIDDEN),
    "module flag": ("import re\n    re.IGNORECASE |= 1", FORBIDDEN),
    "host exception args": (
        'try:\n        1 / 0\n    except Exception as e:\n        e.args += ("x",)',
        FORBIDDEN,
    ),
    "item of a host exception's args": (
        'try:\n        {}["k"]\n    except KeyError as e:\n        e.args[0] += "x"',
        FORBIDDEN,
    ),
    "builtin class attribute": ("ValueError.note += 1", FORBIDDEN),
    "guarded type through type()": ("type(1).real += 1", FORBIDDEN),
    "dunder target": ("x = []\n    x.__class__ += 1", COMPILE),
    "frame target": ("g = (i for i in [1])\n    g.gi_frame += 1", COMPILE),
    "event list copied into the Action's dict": (
        """
        mine = {"roles": event.authorization.roles}
        mine["roles"] += ["superadmin"]
        if "superadmin" in event.authorization.roles:
            api.multifactor.enable("none")
            return
        raise RuntimeError("event unchanged")
        """,
        ("exception",),
    ),
}

NONLOCAL = {
    "nonlocal of a hook": ("def f():\n        nonlocal _getattr_", COMPILE),
    "nonlocal rebinding a hook of the outer function": (
        "_write_ = None\n    def f():\n        nonlocal _write_\n        _write_ = len",
        COMPILE,
    ),
    "nonlocal rebinding the event parameter": (
        """
        def swap():
            nonlocal event
            event = {"user": {"email": "mallory@evil.test"}}
        swap()
        event["user"]["email"] = "eve@evil.test"
        raise RuntimeError("only the Action's own name was rebound")
        """,
        ("exception",),
    ),
    "nonlocal of a name nothing binds": ("def f():\n        nonlocal ghost", COMPILE),
    "nonlocal holding a generator frame": (
        """
        g = None
        def grab():
            nonlocal g
            g = (i for i in [1])
            return g.gi_frame
        grab()
        """,
        COMPILE,
    ),
    "nonlocal counter swallowing the step limit": (
        """
        n = 0
        def spin():
            nonlocal n
            while True:
                n += 1
        try:
            spin()
        except Exception:
            pass
        api.multifactor.enable("none")
        """,
        ("limit", "timeout"),
    ),
}

SUPER = {
    "super of a host class": ("x = super(int, 1).real", FORBIDDEN),
    "super of an event object's type": ("x = super(type(event.user), event.user)", FORBIDDEN),
    "super of the api": ("class A:\n        pass\n    x = super(A, api)", ("exception",)),
    "super to a host exception's traceback": (
        """
        class E(ValueError):
            def grab(self):
                return super().with_traceback(None)
        E().grab()
        api.multifactor.enable("none")
        """,
        FORBIDDEN,
    ),
    "super to the host class itself": (
        "class D(dict):\n        def f(self):\n            return super().__class__",
        COMPILE,
    ),
    "super to getattribute": (
        "class D(dict):\n        def f(self):\n            return super().__getattribute__('x')",
        COMPILE,
    ),
    "super init's owner": (
        "class A(Exception):\n        def f(self):\n            return super().__init__.__self__",
        COMPILE,
    ),
    "super proxy walked through format": (
        """
        class A:
            def walk(self):
                return "{0.__thisclass__.__bases__}".format(super())
        print(A().walk())
        api.multifactor.enable("none")
        """,
        FORBIDDEN,
    ),
    "super with an event view as self": (
        """
        class D(dict):
            def poke(self):
                super().update({"plan": "free"})
        D.poke(event.user.app_metadata)
        api.multifactor.enable("none")
        """,
        ("exception",),
    ),
}

TYPE_OF = {
    "subclasses": ("x = type(1).__subclasses__()", COMPILE),
    "class dict": ("x = type(event).__dict__", COMPILE),
    "mro": ("x = type(event).mro()", COMPILE),
    "base": ("x = type(len).__base__", COMPILE),
    "subclasses through format": ('print("{0.__subclasses__}".format(type(1)))', FORBIDDEN),
    "dict through format": ('print("{0.__dict__}".format(type(event.user)))', FORBIDDEN),
    "type with three arguments": ('x = type("X", (), {"y": 1})', COMPILE),
    "the type of type, called with three arguments": (
        't = type(type(1))\n    t("X", (), {})',
        ("exception",),
    ),
    "a new api object": ("x = type(api)(None)", ("exception",)),
    "an unguarded map": ("m = type(map(len, []))\n    m(len, range(10**9))", ("exception",)),
    "attributes of a host function's type": ("x = type(len).x", FORBIDDEN),
    "a metaclass": ("class M(type):\n        pass", COMPILE),
}

MATCH_PATTERNS = {
    "AttributeError.obj by keyword": (
        """
        try:
            [].nope
        except AttributeError as e:
            match e:
                case AttributeError(obj=o):
                    print(o)
        api.multifactor.enable("none")
        """,
        FORBIDDEN,
    ),
    "generator frame by keyword": (
        "g = (i for i in [1])\n    t = type(g)\n    match g:\n        case t(gi_frame=f):\n"
        "            pass",
        COMPILE,
    ),
    "traceback by keyword": (
        "match 1:\n        case ValueError(__traceback__=tb):\n            pass",
        COMPILE,
    ),
    "module internals as a value pattern": (
        "import re\n    match 1:\n        case re.enum:\n            pass",
        FORBIDDEN,
    ),
    "view internals as a value pattern": (
        "match 1:\n        case event.user._data:\n            pass",
        COMPILE,
    ),
    "__match_args__ naming a denied field of a host base": (
        """
        class E(AttributeError):
            __match_args__ = ("obj",)
        match E("x", name="n", obj=api):
            case E(o):
                print(o)
        api.multifactor.enable("none")
        """,
        FORBIDDEN,
    ),
    "mapping rest holds read-only views": (
        """
        match event:
            case {"user": u, **rest}:
                rest["request"]["ip"] = "203.0.113.9"
        api.multifactor.enable("none")
        """,
        FORBIDDEN,
    ),
    "sequence capture is a copy": (
        """
        match event.authorization.roles:
            case [*roles]:
                roles.append("superadmin")
        if "superadmin" in event.authorization.roles:
            api.multifactor.enable("none")
            return
        raise RuntimeError("event unchanged")
        """,
        ("exception",),
    ),
    "the sentinel a mapping pattern hands to get": (
        """
        stash = []
        class D(dict):
            def get(self, key, default=None):
                stash.append(default)
                return default
        match D(a=1):
            case {"a": 1}:
                pass
        type(stash[0])()
        api.multifactor.enable("none")
        """,
        ("exception",),
    ),
}


@_cases(DUNDER_TRAVERSAL)
def test_dunder_traversal(hostile, body, kinds):
    hostile.judge_body(body).assert_failed_closed(*kinds)


@_cases(BUILTINS_AND_IMPORTS)
def test_builtins_and_import_tricks(hostile, body, kinds):
    hostile.judge_body(body).assert_failed_closed(*kinds)


@_cases(COMPUTED_GETATTR)
def test_computed_getattr(hostile, body, kinds):
    hostile.judge_body(body).assert_failed_closed(*kinds)


@_cases(STR_SUBCLASSES)
def test_str_and_dict_subclasses_overriding_methods(hostile, body, kinds):
    hostile.judge_body(body).assert_failed_closed(*kinds)


@_cases(FRAMES)
def test_generator_coroutine_and_traceback_frames(hostile, body, kinds):
    hostile.judge_body(body).assert_failed_closed(*kinds)


@_cases(GUARD_REBINDING)
def test_guard_rebinding(hostile, body, kinds):
    hostile.judge_body(body).assert_failed_closed(*kinds)


@_cases(EXCEPT_STAR)
def test_except_star_type_confusion(hostile, body, kinds):
    hostile.judge_body(body).assert_failed_closed(*kinds)


@_cases(ANNOTATIONS)
def test_annotations(hostile, body, kinds):
    hostile.judge_body(body).assert_failed_closed(*kinds)


@_cases(METACLASSES_AND_SPECIAL_METHODS)
def test_metaclasses_and_special_methods(hostile, body, kinds):
    hostile.judge_body(body).assert_failed_closed(*kinds)


@_cases(EVENT_AND_API_MUTATION)
def test_event_and_api_mutation(hostile, body, kinds):
    verdict = hostile.judge_body(body).assert_failed_closed(*kinds)
    if verdict.compiled:
        assert hostile.EVENT["user"]["enrolled_factors"][0]["type"] == "otp"
        assert hostile.EVENT["authorization"]["roles"] == ["admin", "billing"]


@_cases(OTHER_STATE)
def test_reaching_other_state(hostile, body, kinds):
    hostile.judge_body(body).assert_failed_closed(*kinds)


@_cases(AUGMENTED_ASSIGNMENT)
def test_augmented_assignment(hostile, body, kinds):
    verdict = hostile.judge_body(body).assert_failed_closed(*kinds)
    if verdict.compiled:
        assert hostile.EVENT["user"]["email"] == "ada@acme.test"
        assert hostile.EVENT["authorization"]["roles"] == ["admin", "billing"]


@_cases(NONLOCAL)
def test_nonlocal(hostile, body, kinds):
    hostile.judge_body(body).assert_failed_closed(*kinds)
    assert hostile.EVENT["user"]["email"] == "ada@acme.test"


@_cases(SUPER)
def test_super(hostile, body, kinds):
    hostile.judge_body(body).assert_failed_closed(*kinds)


@_cases(TYPE_OF)
def test_type_of(hostile, body, kinds):
    hostile.judge_body(body).assert_failed_closed(*kinds)


@_cases(MATCH_PATTERNS)
def test_match_patterns(hostile, body, kinds):
    hostile.judge_body(body).assert_failed_closed(*kinds)
    assert hostile.EVENT["request"]["ip"] == "10.1.2.3"


def _as_block(body: str) -> str:
    """A one-line body's later lines are indented as inside the function (conftest's
    ``source_of``); the dispatcher of a worker's flow takes them as a block."""
    if body.startswith("\n"):
        return body
    first, *rest = body.split("\n")
    return "\n".join([first, *(line[4:] if line.startswith("    ") else line for line in rest)])


NEW_CONSTRUCTS = {
    f"{family}: {name}": (_as_block(case[0]), case[1])
    for family, table in (
        ("augmented", AUGMENTED_ASSIGNMENT),
        ("nonlocal", NONLOCAL),
        ("super", SUPER),
        ("type", TYPE_OF),
        ("match", MATCH_PATTERNS),
    )
    for name, case in table.items()
    if case[1] != COMPILE
}
"""The attempts on the new constructs that compile, for a worker process too."""


@pytest.fixture(scope="module")
def worker(hostile):
    flow = hostile.process_flow(NEW_CONSTRUCTS, SandboxLimits())
    yield flow
    flow.close()


@pytest.mark.parametrize("name", list(NEW_CONSTRUCTS))
def test_new_constructs_in_a_worker(hostile, worker, name):
    hostile.run_attack(worker, name).assert_failed_closed(*NEW_CONSTRUCTS[name][1])
    hostile.assert_benign_login_is_normal(worker)


def test_the_suite_covers_at_least_sixty_escapes():
    tables = [
        DUNDER_TRAVERSAL,
        BUILTINS_AND_IMPORTS,
        COMPUTED_GETATTR,
        STR_SUBCLASSES,
        FRAMES,
        GUARD_REBINDING,
        EXCEPT_STAR,
        ANNOTATIONS,
        METACLASSES_AND_SPECIAL_METHODS,
        EVENT_AND_API_MUTATION,
        OTHER_STATE,
    ]
    assert sum(len(t) for t in tables) >= 60
    for table in (AUGMENTED_ASSIGNMENT, NONLOCAL, SUPER, TYPE_OF, MATCH_PATTERNS):
        assert len(table) >= 5
