"""Ordinary Python programs, as tenant developers write them, for test_ordinary_python.py.

Each program defines ``main()``, which prints its results; the test runs it in plain CPython
and in the sandbox (inline and in a worker process) and wants the same lines. Programs avoid
what differs by design between the two: the clock (``datetime.now()`` is the login's time in
Actions), ``hash()`` (stable per tenant in Actions), and how a set of strings shows.
"""

from __future__ import annotations

AUGMENTED = {
    "augmented items of a dict": """
def main():
    counts = {}
    for word in "the cat and the hat and the bat".split():
        counts[word] = counts.get(word, 0)
        counts[word] += 1
    counts["the"] *= 10
    counts["cat"] -= 1
    print(sorted(counts.items()))
""",
    "augmented items of nested lists": """
def main():
    grid = [[0] * 3 for _ in range(3)]
    for i in range(3):
        for j in range(3):
            grid[i][j] += i * 3 + j
            grid[i][j] **= 2
    grid[1][1] //= 4
    grid[2][2] %= 7
    print(grid)
""",
    "augmented attributes": """
class Account:
    def __init__(self, owner):
        self.owner = owner
        self.balance = 0
        self.history = []

    def deposit(self, amount):
        self.balance += amount
        self.history += [("deposit", amount)]
        return self

    def withdraw(self, amount):
        self.balance -= amount
        self.history += [("withdraw", amount)]
        return self

def main():
    account = Account("ada").deposit(100).withdraw(30).deposit(5)
    account.owner += "!"
    print(account.owner, account.balance, account.history)
""",
    "augmented class attributes": """
class Registry:
    count = 0
    names = []

    def __init__(self, name):
        Registry.count += 1
        Registry.names += [name]
        self.count += 100

def main():
    a = Registry("a")
    b = Registry("b")
    print(Registry.count, Registry.names, a.count, b.count)
""",
    "augmented slices": """
def main():
    xs = [1, 2, 3, 4, 5]
    xs[1:3] += [9, 9]
    xs[:1] *= 3
    xs[-2:] = xs[-2:] + [0]
    print(xs, len(xs))
""",
    "every augmented operator on an item": """
def main():
    v = {"n": 100}
    for op in range(12):
        if op == 0: v["n"] += 7
        elif op == 1: v["n"] -= 3
        elif op == 2: v["n"] *= 5
        elif op == 3: v["n"] //= 3
        elif op == 4: v["n"] %= 97
        elif op == 5: v["n"] **= 2
        elif op == 6: v["n"] <<= 3
        elif op == 7: v["n"] >>= 1
        elif op == 8: v["n"] |= 0b1010
        elif op == 9: v["n"] &= 0xFFFF
        elif op == 10: v["n"] ^= 0x0F0F
        else: v["n"] /= 8
        print(op, v["n"])
""",
    "augmented text and collections": """
def main():
    report = {"text": "", "tags": set(), "seen": {"a": 1}, "parts": ()}
    for tag in ["x", "y", "x"]:
        report["text"] += tag + ";"
        report["tags"] |= {tag}
        report["parts"] += (tag,)
    report["seen"] |= {"b": 2}
    report["tags"] -= {"y"}
    report["tags"] ^= {"z"}
    report["tags"] &= {"x", "z", "w"}
    print(report["text"], sorted(report["tags"]), report["seen"], report["parts"])
""",
    "augmented assignment evaluates the target once": """
calls = []

def pick(d, key):
    calls.append(key)
    return d

def main():
    data = {"a": [1], "b": 2}
    pick(data, "first")["a"] += [2]
    pick(data, "second")["b"] *= 21
    print(data, calls)
""",
    "augmented properties": """
class Temperature:
    def __init__(self):
        self.celsius = 0.0

    @property
    def fahrenheit(self):
        return self.celsius * 9 / 5 + 32

    @fahrenheit.setter
    def fahrenheit(self, value):
        self.celsius = (value - 32) * 5 / 9

def main():
    t = Temperature()
    t.fahrenheit += 18
    t.celsius += 0.5
    print(round(t.celsius, 3), round(t.fahrenheit, 3))
""",
    "augmented list of a list subclass grows in place": """
class Log(list):
    def last(self):
        return self[-1]

def main():
    log = Log(["start"])
    same = log
    log += ["middle", "end"]
    holder = {"log": log}
    holder["log"] += ["after"]
    print(same is log, log.last(), len(log), type(log).__name__)
""",
}

NONLOCAL = {
    "nonlocal counter": """
def make_counter(start=0):
    count = start
    def bump(step=1):
        nonlocal count
        count += step
        return count
    return bump

def main():
    a, b = make_counter(), make_counter(10)
    a(); a(); b(5)
    print(a(), b())
""",
    "nonlocal accumulator in nested helpers": """
def summarize(values):
    total = 0
    largest = None
    def add(v):
        nonlocal total, largest
        total += v
        if largest is None or v > largest:
            largest = v
    for v in values:
        add(v)
    return total, largest

def main():
    print(summarize([3, 9, 2, 7]), summarize([]))
""",
    "nonlocal through two levels": """
def outer():
    level = "outer"
    def middle():
        def inner():
            nonlocal level
            level = "inner"
        inner()
        return level
    return middle(), level

def main():
    print(outer())
""",
    "nonlocal state in a generator": """
def numbered(items):
    n = 0
    def label(item):
        nonlocal n
        n += 1
        return f"{n}. {item}"
    for item in items:
        yield label(item)

def main():
    print(list(numbered(["otp", "sms", "push"])))
""",
    "nonlocal rate limiter": """
def limiter(limit):
    used = 0
    def allow():
        nonlocal used
        if used >= limit:
            return False
        used += 1
        return True
    return allow

def main():
    allow = limiter(3)
    print([allow() for _ in range(5)])
""",
}

SUPER = {
    "super init chain": """
class Step:
    def __init__(self, kind):
        self.kind = kind

class Challenge(Step):
    def __init__(self, factor):
        super().__init__("challenge")
        self.factor = factor

def main():
    c = Challenge("otp")
    print(c.kind, c.factor)
""",
    "super method override": """
class Rule:
    def score(self, event):
        return 1

class GeoRule(Rule):
    def score(self, event):
        return super().score(event) + 10

class StrictGeoRule(GeoRule):
    def score(self, event):
        return super().score(event) * 2

def main():
    print(Rule().score(None), GeoRule().score(None), StrictGeoRule().score(None))
""",
    "super in a diamond": """
class Base:
    def trail(self):
        return ["Base"]

class Left(Base):
    def trail(self):
        return ["Left"] + super().trail()

class Right(Base):
    def trail(self):
        return ["Right"] + super().trail()

class Both(Left, Right):
    def trail(self):
        return ["Both"] + super().trail()

def main():
    print(Both().trail())
""",
    "super in a classmethod": """
class Factor:
    @classmethod
    def create(cls, name):
        obj = cls()
        obj.name = name
        return obj

class StrongFactor(Factor):
    @classmethod
    def create(cls, name):
        obj = super().create(name.upper())
        obj.strong = True
        return obj

def main():
    f = StrongFactor.create("webauthn")
    print(type(f).__name__, f.name, f.strong)
""",
    "super init of an exception": """
class PolicyError(ValueError):
    def __init__(self, rule, detail):
        super().__init__(f"{rule}: {detail}")
        self.rule = rule

def main():
    try:
        raise PolicyError("geo", "country not allowed")
    except ValueError as error:
        print(error, error.rule, error.args, isinstance(error, PolicyError))
""",
    "super of a dict subclass": """
class Defaults(dict):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.misses = 0

    def get(self, key, default=None):
        value = super().get(key, default)
        if value is default:
            self.misses += 1
        return value

def main():
    d = Defaults({"plan": "pro"}, region="eu")
    print(d.get("plan"), d.get("tier", "basic"), d.get("x"), d.misses, sorted(d))
""",
    "super of a list subclass": """
class Bounded(list):
    def __init__(self, limit, items=()):
        super().__init__(items)
        self.limit = limit

    def append(self, item):
        if len(self) < self.limit:
            super().append(item)

def main():
    b = Bounded(3, [1])
    for i in range(5):
        b.append(i)
    print(b, b.limit)
""",
    "super with two arguments": """
class A:
    def who(self):
        return "A"

class B(A):
    def who(self):
        return "B"

class C(B):
    def who(self):
        return "C"

def main():
    c = C()
    print(c.who(), super(C, c).who(), super(B, c).who())
""",
}

TYPE = {
    "type comparisons": """
def kind(v):
    if type(v) is bool:
        return "bool"
    if type(v) in (int, float):
        return "number"
    if type(v) is str:
        return "text"
    if type(v) == list:
        return "list"
    if type(v) is dict:
        return "dict"
    return "other"

def main():
    print([kind(v) for v in [True, 1, 2.5, "x", [1], {"a": 1}, None, (1,)]])
""",
    "type printing": """
class Factor:
    pass

def main():
    print(type(1), type("a"), type(2.0), type([]), type({}), type(None))
    print(type(Factor()).__name__, type(True).__name__, type(type(1)))
""",
    "type in exception logging": """
def risky(n):
    if n == 0:
        raise ZeroDivisionError("division by zero")
    if n == 1:
        return {}["missing"]
    return int("x")

def main():
    for n in range(3):
        try:
            risky(n)
        except Exception as error:
            print(f"{type(error).__name__}: {error}")
""",
    "type as a dispatch key": """
HANDLERS = {
    int: lambda v: v * 2,
    str: lambda v: v.upper(),
    list: lambda v: len(v),
}

def main():
    print([HANDLERS.get(type(v), lambda v: None)(v) for v in [4, "ab", [1, 2, 3], 1.5]])
""",
    "type of the Action's classes": """
class Shape:
    pass

class Square(Shape):
    pass

def main():
    s = Square()
    print(type(s) is Square, type(s) is Shape, isinstance(s, type(Shape())))
    print(issubclass(type(s), Shape), type(Square) is type, type(type(s)()) is Square)
""",
    "type builds a new value of the same kind": """
def empty_like(v):
    return type(v)()

def main():
    print([empty_like(v) for v in [[1], {"a": 1}, "s", 5, (1,)]])
    print(type([])(range(3)), type(1)("42") + 1)
""",
}

MATCH = {
    "match literals and wildcard": """
def status(code):
    match code:
        case 200 | 201:
            return "ok"
        case 404:
            return "not found"
        case "teapot":
            return "418"
        case None:
            return "none"
        case _:
            return "other"

def main():
    print([status(c) for c in [200, 201, 404, "teapot", None, 500]])
""",
    "match capture and guard": """
def classify(n):
    match n:
        case 0:
            return "zero"
        case x if x < 0:
            return f"negative {x}"
        case x if x % 2 == 0:
            return f"even {x}"
        case x:
            return f"odd {x}"

def main():
    print([classify(n) for n in [0, -3, 4, 7]])
""",
    "match value patterns": """
class Level:
    LOW = 1
    HIGH = 3

def describe(level):
    match level:
        case Level.LOW:
            return "low"
        case Level.HIGH:
            return "high"
        case _:
            return "medium"

def main():
    print([describe(v) for v in [1, 2, 3]])
""",
    "match sequences": """
def command(words):
    match words:
        case []:
            return "nothing"
        case ["go", direction]:
            return f"going {direction}"
        case ["take", *things] if things:
            return f"taking {', '.join(things)}"
        case ["drop", first, *_, last]:
            return f"dropping {first}..{last}"
        case [single]:
            return f"just {single}"
        case _:
            return "unknown"

def main():
    tests = [[], ["go", "north"], ["take", "a", "b"], ["drop", 1, 2, 3], ["look"], ["take"]]
    print([command(t) for t in tests])
    print(command(("go", "south")), command("go"))
""",
    "match mappings": """
def factor(selector):
    match selector:
        case {"type": "phone", "options": {"preferred_method": method}}:
            return f"phone via {method}"
        case {"type": "otp" | "webauthn-roaming" as kind}:
            return f"strong {kind}"
        case {"type": kind, **rest} if rest:
            return f"{kind} with {sorted(rest)}"
        case {"type": kind}:
            return kind
        case _:
            return "invalid"

def main():
    print(factor({"type": "phone", "options": {"preferred_method": "sms"}}))
    print(factor({"type": "otp"}), factor({"type": "webauthn-roaming"}))
    print(factor({"type": "email", "x": 1}), factor({"type": "push"}), factor([]))
""",
    "match classes": """
class Point:
    __match_args__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

def where(p):
    match p:
        case Point(0, 0):
            return "origin"
        case Point(0, y):
            return f"on the y axis at {y}"
        case Point(x=x, y=0):
            return f"on the x axis at {x}"
        case Point(x, y) if x == y:
            return "diagonal"
        case Point():
            return "somewhere"
        case _:
            return "not a point"

def main():
    print([where(p) for p in [Point(0, 0), Point(0, 4), Point(3, 0), Point(2, 2), Point(1, 5), 7]])
""",
    "match builtin class patterns": """
def describe(v):
    match v:
        case bool(b):
            return f"bool {b}"
        case int(n) | float(n):
            return f"number {n}"
        case str() as s if not s:
            return "empty text"
        case str(s):
            return f"text {s}"
        case list([first, *_]):
            return f"list from {first}"
        case dict({"id": ident}):
            return f"record {ident}"
        case tuple():
            return "tuple"
        case _:
            return "other"

def main():
    values = [True, 3, 2.5, "", "hi", [9, 8], {"id": 7}, (1,), None, []]
    print([describe(v) for v in values])
""",
    "match nested patterns": """
def route(message):
    match message:
        case {"event": "login", "user": {"roles": ["admin", *_]}}:
            return "admin login"
        case {"event": "login", "user": {"roles": [*roles]}} if "billing" in roles:
            return "billing login"
        case {"event": "login"}:
            return "login"
        case {"event": ("logout" | "expire") as what}:
            return what
        case _:
            return "ignored"

def main():
    messages = [
        {"event": "login", "user": {"roles": ["admin", "x"]}},
        {"event": "login", "user": {"roles": ["x", "billing"]}},
        {"event": "login", "user": {}},
        {"event": "expire"},
        {"event": "ping"},
    ]
    print([route(m) for m in messages])
""",
    "match singletons and or patterns": """
def flag(v):
    match v:
        case True:
            return "yes"
        case False:
            return "no"
        case None:
            return "unset"
        case "y" | "yes" | 1:
            return "yes-ish"
        case _:
            return "?"

def main():
    print([flag(v) for v in [True, False, None, "y", 1, 1.0, 0, "n"]])
""",
    "match with captures used after the statement": """
def main():
    point = (3, 4)
    match point:
        case (x, y):
            pass
    print(x + y)
    match {"a": 1, "b": 2, "c": 3}:
        case {"a": 1, **rest}:
            pass
    print(rest)
""",
}

EVERYDAY = {
    "star unpacking": """
def main():
    first, *middle, last = [1, 2, 3, 4, 5]
    head, *tail = "abc"
    (a, b), *rest = [(1, 2), (3, 4)]
    print(first, middle, last, head, tail, a, b, rest)
    merged = [*middle, *tail, *range(2)]
    both = {**{"x": 1}, **{"y": 2, "x": 3}}
    print(merged, both, (*"hi", 0))
""",
    "star arguments": """
def describe(kind, *factors, required=True, **options):
    return f"{kind} {factors} {required} {sorted(options.items())}"

def main():
    args = ["challenge", "otp", "sms"]
    opts = {"required": False, "remember": 7}
    print(describe(*args))
    print(describe(*args, **opts))
    print(describe("enroll", *("push",), region="eu"))
""",
    "keyword-only and positional-only parameters": """
def clamp(value, /, low=0, high=10, *, strict=False):
    if strict and not low <= value <= high:
        raise ValueError(f"{value} out of range")
    return max(low, min(high, value))

def main():
    print(clamp(15), clamp(-3, low=-1), clamp(5, high=4))
    try:
        clamp(20, strict=True)
    except ValueError as error:
        print("error:", error)
""",
    "default arguments and None sentinels": """
def add_tag(tag, tags=None):
    if tags is None:
        tags = []
    tags.append(tag)
    return tags

def main():
    print(add_tag("a"), add_tag("b"), add_tag("c", ["z"]))
""",
    "closures and factories": """
def multiplier(n):
    def times(x):
        return x * n
    return times

def main():
    double, triple = multiplier(2), multiplier(3)
    fns = [lambda x, i=i: x + i for i in range(3)]
    print(double(5), triple(5), [f(10) for f in fns])
""",
    "closure over a loop variable": """
def main():
    late = [lambda: i for i in range(3)]
    early = [lambda i=i: i for i in range(3)]
    print([f() for f in late], [f() for f in early])
""",
    "decorators": """
CALLS = {}

def logged(fn):
    calls = CALLS.setdefault(fn, [])
    def wrapper(*args, **kwargs):
        calls.append(args)
        return fn(*args, **kwargs)
    return wrapper

@logged
def add(a, b):
    return a + b

def main():
    print(add(1, 2), add(3, 4), list(CALLS.values()))
""",
    "decorators with arguments": """
def retry(times):
    def decorate(fn):
        def wrapper(*args):
            last = None
            for attempt in range(times):
                try:
                    return fn(attempt, *args)
                except ValueError as error:
                    last = error
            return f"gave up: {last}"
        return wrapper
    return decorate

@retry(3)
def flaky(attempt, target):
    if attempt < target:
        raise ValueError(f"attempt {attempt}")
    return f"ok after {attempt}"

def main():
    print(flaky(2), flaky(5))
""",
    "registry decorator": """
RULES = {}

def rule(name):
    def register(fn):
        RULES[name] = fn
        return fn
    return register

@rule("admin")
def admin(roles):
    return "admin" in roles

@rule("many")
def many(roles):
    return len(roles) > 2

def main():
    roles = ["admin", "billing"]
    print({name: check(roles) for name, check in RULES.items()})
""",
    "class decorators and static methods": """
def tagged(cls):
    cls.tag = "tagged"
    return cls

@tagged
class Tool:
    @staticmethod
    def double(x):
        return x * 2

    @classmethod
    def named(cls, name):
        t = cls()
        t.name = name
        return t

def main():
    t = Tool.named("hammer")
    print(Tool.tag, Tool.double(21), t.name, t.tag)
""",
    "generators": """
def countdown(n):
    while n > 0:
        yield n
        n -= 1

def pairs(items):
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            yield a, b

def main():
    print(list(countdown(4)), list(pairs("abc")), sum(x * x for x in range(5)))
""",
    "yield from and send": """
def inner():
    total = 0
    while True:
        value = yield total
        if value is None:
            return total
        total += value

def outer():
    result = yield from inner()
    yield f"done {result}"

def main():
    gen = outer()
    next(gen)
    print(gen.send(5), gen.send(7), gen.send(None))
""",
    "generator pipelines": """
def read(lines):
    for line in lines:
        yield line.strip()

def non_empty(lines):
    return (line for line in lines if line)

def main():
    lines = ["  a ", "", "b", "   ", "c  "]
    print(list(non_empty(read(lines))), next(non_empty(read(["", "x"]))))
""",
    "f-strings with format specs": """
def main():
    n, ratio, name = 1234567, 2 / 3, "Ada"
    print(f"{n:,} {n:_} {n:>12,} {n:e} {n:#x} {n:o} {n:b}")
    print(f"{ratio:.2%} {ratio:.4f} {ratio:10.3f}| {ratio:<10.2}| {-ratio:+.1f}")
    print(f"{name!r:>8} {name:*^9} {name:.2} {name!s:<5}|")
""",
    "nested f-string specs and debugging": """
def main():
    width, precision, value = 10, 3, 3.14159265
    print(f"[{value:{width}.{precision}f}] [{value:<{width}}] [{'x':>{width // 2}}]")
    total = 42
    print(f"{total=} {total * 2 = } {value=:.2f}")
""",
    "format and percent": """
def main():
    print("{0}-{1}-{0}".format("a", "b"), "{name}:{n:03d}".format(name="id", n=7))
    print("%s has %d logins (%.1f%%)" % ("ada", 7, 12.345), "%-5s|%5s|" % ("l", "r"))
    print(format(0.5, ".0%"), format(255, "08b"), format(3.0, "g"))
""",
    "walrus": """
def main():
    data = [3, 8, 1, 9, 4]
    if (n := len(data)) > 3:
        print("long", n)
    big = [y for x in data if (y := x * 2) > 6]
    stack = [1, 2, 3]
    popped = []
    while (item := stack.pop() if stack else None) is not None:
        popped.append(item)
    print(big, popped, y)
""",
    "set operations": """
def main():
    a, b = {1, 2, 3, 4}, {3, 4, 5}
    print(sorted(a | b), sorted(a & b), sorted(a - b), sorted(a ^ b))
    print(a <= {1, 2, 3, 4, 5}, a.isdisjoint({9}), sorted({x % 3 for x in range(10)}))
    frozen = frozenset(["otp", "sms"])
    print(sorted(frozen | {"push"}), "otp" in frozen, len(frozen))
""",
    "dict operations": """
def main():
    d = {"b": 2, "a": 1}
    d.setdefault("c", 3)
    d.update(d=4)
    merged = d | {"a": 10, "e": 5}
    print(d, merged, sorted(merged, key=merged.get))
    print({v: k for k, v in d.items()}, dict(zip("xyz", range(3))), d.pop("b"), d)
    print(list(d.keys()), list(d.values()), dict.fromkeys(["p", "q"], 0))
""",
    "counting and grouping": """
def main():
    logins = [("ada", "FR"), ("bob", "US"), ("ada", "FR"), ("ada", "JP"), ("bob", "US")]
    per_user = {}
    countries = {}
    for user, country in logins:
        per_user[user] = per_user.get(user, 0) + 1
        countries.setdefault(user, []).append(country)
    print(per_user, {u: sorted(set(c)) for u, c in countries.items()})
""",
    "try except else finally": """
def attempt(x):
    trail = []
    try:
        trail.append("try")
        value = 10 // x
    except ZeroDivisionError:
        trail.append("except")
        value = None
    else:
        trail.append("else")
    finally:
        trail.append("finally")
    return value, trail

def main():
    print(attempt(2), attempt(0))
""",
    "finally runs on return and break": """
def early():
    log = []
    for i in range(5):
        try:
            if i == 2:
                break
            log.append(i)
        finally:
            log.append(f"f{i}")
    try:
        return log
    finally:
        log.append("end")

def main():
    print(early())
""",
    "exception chaining and re-raising": """
class ConfigError(Exception):
    pass

def load(value):
    try:
        return int(value)
    except ValueError as error:
        raise ConfigError(f"bad value {value!r}") from error

def main():
    try:
        load("x")
    except ConfigError as error:
        print("config:", error)
    try:
        try:
            raise KeyError("k")
        except KeyError:
            raise
    except LookupError as error:
        print("lookup:", repr(error))
""",
    "custom exception hierarchy": """
class AuthError(Exception):
    code = "auth"

class MfaRequired(AuthError):
    code = "mfa"

def check(n):
    if n > 2:
        raise MfaRequired(f"{n} risky signals")
    if n > 0:
        raise AuthError("one signal")
    return "fine"

def main():
    for n in (0, 1, 3):
        try:
            print(check(n))
        except AuthError as error:
            print(error.code, error, isinstance(error, MfaRequired))
""",
    "sorting with keys": """
def main():
    users = [("bob", 3), ("ada", 7), ("cy", 3), ("di", 1)]
    print(sorted(users, key=lambda u: (-u[1], u[0])))
    print(sorted(["b", "A", "c"], key=str.lower), max(users, key=lambda u: u[1]))
    print(min("hello"), sorted([3, 1, 2], reverse=True), list(reversed([1, 2, 3])))
""",
    "enumerate zip and ranges": """
def main():
    names, scores = ["ada", "bob"], [9, 7]
    print(list(enumerate(names, 1)), dict(zip(names, scores)), list(range(10, 0, -3)))
    print([(i, n, s) for i, (n, s) in enumerate(zip(names, scores))])
    print(any(s > 8 for s in scores), all(s > 8 for s in scores), sum(scores) / len(scores))
""",
    "comprehensions": """
def main():
    matrix = [[1, 2, 3], [4, 5, 6]]
    print([[row[i] for row in matrix] for i in range(3)])
    print([x for row in matrix for x in row if x % 2], {k: v for k, v in [("a", 1), ("b", 2)]})
    print(sorted({c.upper() for c in "hello"}), list(x * 2 for x in range(3)))
""",
    "string methods": """
def main():
    email = "  Ada.Lovelace@Example.COM "
    local, _, domain = email.strip().lower().partition("@")
    print(local, domain, domain.split("."), email.count("a"), email.strip().title())
    print("-".join(["a", "b"]), "x,y,,z".split(","), "abc".startswith(("x", "a")))
    print("Hello".center(11, "*"), "42".zfill(5), "a\\tb".expandtabs(4), "AbC".swapcase())
""",
    "numbers": """
def main():
    print(divmod(17, 5), 7 // -2, -7 % 3, 2 ** -1, round(2.675, 2), round(7, -1))
    print(abs(-3), int("ff", 16), int(3.99), float("1e3"), 0.1 + 0.2 == 0.3, 10 / 4)
    print(bin(10), hex(255), oct(8), (255).to_bytes(2, "big"), int.from_bytes(b"\\x01\\x00", "big"))
""",
    "math module": """
import math

def main():
    print(math.sqrt(16), math.floor(-2.5), math.ceil(2.1), math.gcd(12, 18), math.pi > 3)
    print(math.isclose(0.1 + 0.2, 0.3), math.log(math.e), math.hypot(3, 4), math.inf > 10**9)
""",
    "json round trip": """
import json

def main():
    data = {"user": "ada", "factors": ["otp", "sms"], "score": 0.5, "ok": True, "none": None}
    text = json.dumps(data, sort_keys=True)
    back = json.loads(text)
    print(text)
    print(back == data, json.dumps([1, "é"], ensure_ascii=False), json.dumps({"a": 1}, indent=1))
""",
    "regular expressions": """
import re

def main():
    pattern = re.compile(r"(?P<user>[\\w.]+)@(?P<domain>[\\w.]+)")
    m = pattern.search("contact: ada@example.com")
    print(m.group("user"), m.group("domain"), m.span())
    print(re.findall(r"\\d+", "a1b22c333"), re.sub(r"\\s+", " ", "a   b \\t c"))
    print(bool(re.fullmatch(r"[A-Z]{2}", "FR")), re.split(r"[,;]", "a,b;c"))
""",
    "datetime arithmetic": """
from datetime import date, datetime, timedelta, timezone

def main():
    start = datetime(2026, 3, 14, 9, 26, 53)
    later = start + timedelta(days=2, hours=20)
    print(later, later - start, (later - start).total_seconds(), later.weekday())
    print(start.date(), start.time(), start.isoformat(), start.strftime("%A %d %B %Y %H:%M"))
    print(date(2026, 12, 25) - date(2026, 3, 14), date(2026, 2, 28) + timedelta(days=1))
""",
    "datetime time zones and parsing": """
from datetime import datetime, timedelta, timezone

def main():
    utc = datetime(2026, 3, 14, 23, 30, tzinfo=timezone.utc)
    tokyo = utc.astimezone(timezone(timedelta(hours=9)))
    print(tokyo, tokyo.date(), tokyo.utcoffset(), utc == tokyo)
    parsed = datetime.fromisoformat("2026-03-14T09:26:53+01:00")
    print(parsed.astimezone(timezone.utc), parsed.replace(tzinfo=None), parsed.tzname())
""",
    "business hours with datetime": """
from datetime import datetime, time

def within(moment, start=time(8), end=time(18)):
    return moment.weekday() < 5 and start <= moment.time() < end

def main():
    moments = [datetime(2026, 3, 13, 9), datetime(2026, 3, 14, 9), datetime(2026, 3, 13, 19)]
    print([within(m) for m in moments], max(moments) - min(moments))
""",
    "date ranges": """
from datetime import date, timedelta

def main():
    start = date(2026, 2, 26)
    days = [start + timedelta(days=i) for i in range(5)]
    print([d.isoformat() for d in days], [d.strftime("%a") for d in days])
    print(sum(1 for d in days if d.weekday() >= 5), (days[-1] - days[0]).days)
""",
    "ipaddress membership": """
import ipaddress

def main():
    office = ipaddress.ip_network("10.1.0.0/16")
    vpn = ipaddress.ip_network("2001:db8::/32")
    for text in ["10.1.2.3", "10.2.0.1", "2001:db8::1", "::1"]:
        ip = ipaddress.ip_address(text)
        print(text, ip.version, ip in office or ip in vpn, ip.is_private, ip.is_loopback)
""",
    "ipaddress arithmetic": """
import ipaddress

def main():
    ip = ipaddress.ip_address("192.0.2.250")
    print(ip + 3, ip - 250, int(ip), ipaddress.ip_address(3221225985))
    net = ipaddress.ip_network("192.0.2.0/28")
    print(net.num_addresses, net.netmask, net.broadcast_address)
    print(list(net.subnets(prefixlen_diff=2)))
    print(list(net.hosts())[:3], net.supernet(), net.overlaps(ipaddress.ip_network("192.0.2.8/29")))
""",
    "ipaddress sorting and collapsing": """
import ipaddress

def main():
    nets = [ipaddress.ip_network(n) for n in ["10.0.1.0/24", "10.0.0.0/24", "10.0.2.0/23"]]
    print(sorted(nets), list(ipaddress.collapse_addresses(nets)))
    iface = ipaddress.ip_interface("10.0.0.5/24")
    print(iface.network, iface.ip, ipaddress.ip_address("10.0.0.5") in iface.network)
""",
    "classes with comparison methods": """
class Version:
    def __init__(self, text):
        self.parts = tuple(int(p) for p in text.split("."))

    def __eq__(self, other):
        return self.parts == other.parts

    def __lt__(self, other):
        return self.parts < other.parts

    def __le__(self, other):
        return self.parts <= other.parts

def main():
    versions = [Version(v) for v in ["1.10.0", "1.2.0", "1.2"]]
    print([".".join(map(str, v.parts)) for v in sorted(versions)])
    print(Version("1.2") == Version("1.2"), Version("1.2") <= Version("1.10"))
""",
    "properties and class state": """
class Session:
    ttl = 900

    def __init__(self, started):
        self.started = started

    @property
    def expires(self):
        return self.started + self.ttl

class ShortSession(Session):
    ttl = 60

def main():
    print(Session(100).expires, ShortSession(100).expires, ShortSession.ttl)
""",
    "recursion": """
def depth(tree):
    if not isinstance(tree, list):
        return 0
    return 1 + max((depth(t) for t in tree), default=0)

def fib(n, memo={}):
    if n < 2:
        return n
    if n not in memo:
        memo[n] = fib(n - 1) + fib(n - 2)
    return memo[n]

def main():
    print(depth([1, [2, [3, []]]]), fib(30), [fib(i) for i in range(10)])
""",
    "while loops with else": """
def find(items, target):
    i = 0
    while i < len(items):
        if items[i] == target:
            break
        i += 1
    else:
        return -1
    return i

def main():
    primes = []
    for n in range(2, 12):
        for d in range(2, n):
            if n % d == 0:
                break
        else:
            primes.append(n)
    print(find([4, 5, 6], 6), find([4, 5, 6], 7), primes)
""",
    "global state": """
COUNT = 0

def bump():
    global COUNT
    COUNT += 1
    return COUNT

def main():
    bump(); bump()
    print(bump(), COUNT)
""",
    "string building": """
def main():
    parts = []
    for i, factor in enumerate(["otp", "sms", "push"], 1):
        parts.append(f"{i}:{factor.upper()}")
    line = ", ".join(parts)
    print(line, len(line), line.find("SMS"), line.rsplit(", ", 1), line.replace(":", "="))
""",
    "tuple and namedtuple-like records": """
def main():
    record = ("ada", 36, ["admin"])
    name, age, roles = record
    print(name, age, roles, record[1:], record.index(36), record.count("ada"))
    pairs = [(2, "b"), (1, "a"), (2, "a")]
    print(sorted(pairs), max(pairs), tuple(reversed(pairs[0])))
""",
    "boolean logic and conditional expressions": """
def main():
    values = [0, 1, "", "x", [], [0], None]
    print([bool(v) for v in values], [v or "default" for v in values][:3])
    print(1 and 2, 0 and 2, None or 0 or "last", "yes" if values[3] else "no")
    print(1 < 2 < 3, 1 < 2 > 3, not [], 3 in [1, 2, 3], "a" not in "bcd")
""",
    "slicing": """
def main():
    s = "abcdefgh"
    xs = list(range(10))
    print(s[::2], s[::-1], s[2:-2], s[-3:], xs[1:8:3], xs[::-2])
    xs[2:5] = ["x"]
    del xs[-2:]
    print(xs, xs[100:], s[5:1])
""",
    "bytes and encoding": """
def main():
    data = "héllo".encode("utf-8")
    print(data, len(data), data.decode("utf-8"), data.hex(), bytes.fromhex("414243"))
    print(b"a,b".split(b","), b"abc".upper(), list(b"hi"), bytes([104, 105]))
""",
    "min max with defaults and keys": """
def main():
    scores = {"ada": 9, "bob": 7, "cy": 9}
    print(max(scores, key=scores.get), min(scores.values()), max([], default="none"))
    best = max(scores.items(), key=lambda kv: (kv[1], kv[0]))
    print(best, sorted(scores, key=lambda k: (-scores[k], k)))
""",
    "lambda and map filter": """
def main():
    nums = range(1, 11)
    print(list(map(lambda n: n * n, nums))[:4], list(filter(lambda n: n % 3 == 0, nums)))
    pipeline = [str.strip, str.lower, lambda s: s.replace(" ", "-")]
    text = "  Hello World  "
    for step in pipeline:
        text = step(text)
    print(text)
""",
    "chained comparisons and identity": """
def main():
    a = [1, 2]
    b = a
    c = [1, 2]
    print(a is b, a is c, a == c, a is not c, None is None)
    x = 5
    print(0 < x <= 5, x == 5 == 5.0, 1 < x < 3)
""",
    "integer and float formatting edge cases": """
def main():
    print(1e16, 1e-5, 123456789.0, 0.1 * 3, 1 / 3, 2 ** 64, -0.0, float("inf"))
    print(round(0.5), round(1.5), round(2.5), int(-2.5), 7 / 7, 2 ** 0.5)
""",
    "mixed data processing": """
def main():
    events = [
        {"user": "ada", "country": "FR", "risk": 0.2},
        {"user": "bob", "country": "US", "risk": 0.9},
        {"user": "ada", "country": "JP", "risk": 0.7},
    ]
    risky = [e["user"] for e in events if e["risk"] > 0.5]
    by_user = {}
    for e in events:
        by_user.setdefault(e["user"], []).append(e["country"])
    worst = max(events, key=lambda e: e["risk"])
    print(risky, by_user, worst["user"], round(sum(e["risk"] for e in events) / len(events), 3))
""",
}

PROGRAMS: dict[str, str] = {**AUGMENTED, **NONLOCAL, **SUPER, **TYPE, **MATCH, **EVERYDAY}
