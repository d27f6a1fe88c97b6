"""Ordinary Action code keeps working under every guard: each program with its exact output.

The hardening (per-type attribute allowlists, unbound method calls, hash-collision and size
checks, the compile-time checks) must not get in the way of what a tenant developer writes, so
these run the same programs in-process and, all at once, in a worker process: the decisions
must be identical.
"""

from __future__ import annotations

import pytest

from contextmfa.flow import InlineFlow
from contextmfa.sandbox import InMemoryActionCache, SandboxLimits, compile_action
from contextmfa.sandbox.process import ProcessFlow

PROGRAMS: dict[str, tuple[str, list[str]]] = {
    "helpers and early return": (
        """
        def is_admin(roles):
            return any(role.lower() == "admin" for role in roles)

        def on_execute_post_login(event, api):
            if not is_admin(event.authorization.roles):
                return
            print("admin", event.user.email.split("@")[1])
            api.multifactor.enable("any")
        """,
        ["admin acme.test"],
    ),
    "classes with special methods, properties and inheritance": (
        """
        class Factor:
            RANK = {"webauthn-roaming": 3, "otp": 2, "sms": 1}

            def __init__(self, kind):
                self.kind = kind

            @property
            def rank(self):
                return self.RANK.get(self.kind, 0)

            @classmethod
            def of(cls, kind):
                return cls(kind)

            @staticmethod
            def describe(kind):
                return "factor:" + kind

            def __lt__(self, other):
                return self.rank < other.rank

            def __eq__(self, other):
                return isinstance(other, Factor) and other.kind == self.kind

        class Strong(Factor):
            strong = True

            def shout(self):
                return self.kind.upper()

        def on_execute_post_login(event, api):
            factors = [Factor.of(f.type) for f in event.user.enrolled_factors]
            best = max(factors)
            print(best.kind, best.rank, Factor.describe("otp"), Factor("otp") == factors[0])
            print(sorted(f.kind for f in factors), Strong("sms").shout(), Strong("x").strong)
            print(Factor("sms") in factors, factors.index(Factor("sms")))
        """,
        ["otp 2 factor:otp True", "['otp', 'sms'] SMS True", "True 1"],
    ),
    "comprehensions of every kind": (
        """
        def on_execute_post_login(event, api):
            roles = event.authorization.roles
            print([r.upper() for r in roles if r != "billing"])
            print(sorted({r[0] for r in roles}), {r: len(r) for r in roles})
            print(sum(len(r) for r in roles), [(i, j) for i in range(2) for j in "ab"])
            print(sorted({k: v for k, v in event.user.app_metadata.items() if v}))
        """,
        [
            "['ADMIN']",
            "['a', 'b'] {'admin': 5, 'billing': 7}",
            "12 [(0, 'a'), (0, 'b'), (1, 'a'), (1, 'b')]",
            "['mfa_required', 'plan', 'tags']",
        ],
    ),
    "f-strings, format and percent": (
        """
        def on_execute_post_login(event, api):
            n, ratio, name = event.stats.logins_count, 2 / 3, event.user.name
            print(f"{name!r:>8}|{n:04d}|{ratio:.3f}|{n:#x}|{name:*^9}|{1234567:,}")
            print("{0} has {1[plan]} ({2:.1%})".format(name, event.user.app_metadata, ratio))
            print("{who}/{n:>3}".format_map({"who": name, "n": n}), "%s:%05.1f" % (name, ratio))
            print(format(ratio, ".2e"), f"{event.user.email=}")
        """,
        [
            "   'Ada'|0007|0.667|0x7|***Ada***|1,234,567",
            "Ada has pro (66.7%)",
            "Ada/  7 Ada:000.7",
            "6.67e-01 event.user.email='ada@acme.test'",
        ],
    ),
    "try, except, else, finally and custom exceptions": (
        """
        class PolicyError(ValueError):
            code = 42

        def check(value):
            if value > 5:
                raise PolicyError("too many logins")
            return value

        def on_execute_post_login(event, api):
            try:
                check(event.stats.logins_count)
            except PolicyError as error:
                print("caught", error, error.code, error.args)
            else:
                print("no error")
            finally:
                print("finally")
            try:
                {}["missing"]
            except (KeyError, IndexError) as error:
                print(type_name(error))
            try:
                int("x")
            except:
                print("bare except")

        def type_name(error):
            return error.args[0]
        """,
        ["caught too many logins 42 ('too many logins',)", "finally", "missing", "bare except"],
    ),
    "the allowlisted modules": (
        """
        import datetime
        import ipaddress
        import json
        import math
        import re
        from datetime import timedelta

        def on_execute_post_login(event, api):
            created = datetime.datetime.fromisoformat(event.user.created_at)
            age = datetime.datetime.now(datetime.timezone.utc) - created
            print(age.days, age > timedelta(days=365), created.strftime("%Y-%m"))
            net = ipaddress.ip_network("10.0.0.0/8")
            print(ipaddress.ip_address(event.request.ip) in net, net.num_addresses)
            print(json.dumps({"b": [1, 2.5, None], "a": True}, sort_keys=True))
            parsed = json.loads('{"x": [1, {"y": "z"}]}')
            print(parsed["x"][1]["y"], math.isclose(math.pi, 3.14159, rel_tol=1e-5))
            m = re.fullmatch(r"(?P<user>[^@]+)@(?P<domain>.+)", event.user.email)
            print(m.group("user"), m["domain"], re.sub(r"\\d", "#", "a1b22"))
            print(re.split(r",\\s*", "a, b,c"))
            print(math.floor(7.9), math.gcd(12, 18), round(math.sqrt(2), 4), math.factorial(10))
        """,
        [
            "437 True 2025-01",
            "True 16777216",
            '{"a": true, "b": [1, 2.5, null]}',
            "z True",
            "ada acme.test a#b##",
            "['a', 'b', 'c']",
            "7 6 1.4142 3628800",
        ],
    ),
    "closures, lambdas, sorting with keys and unpacking": (
        """
        def make_counter():
            counts = {}
            def count(word):
                counts[word] = counts.get(word, 0) + 1
                return counts[word]
            return count

        def on_execute_post_login(event, api):
            count = make_counter()
            for word in ["a", "b", "a"]:
                count(word)
            print(count("a"), sorted(["bb", "a", "ccc"], key=lambda s: -len(s)))
            first, *rest = event.authorization.roles
            (x, y), z = (1, 2), 3
            print(first, rest, x + y + z, list(zip("ab", range(2))), dict(enumerate("xy")))
            print(list(map(str.upper, ["a"])), list(filter(None, [0, 1, 2])), min(3, 1, 2))
        """,
        [
            "3 ['ccc', 'bb', 'a']",
            "admin ['billing'] 6 [('a', 0), ('b', 1)] {0: 'x', 1: 'y'}",
            "['A'] [1, 2] 1",
        ],
    ),
    "strings, slices, sets and dicts": (
        """
        def on_execute_post_login(event, api):
            email = event.user.email
            print(email[:3], email[::-1][:4], email.partition("@")[2], "-".join(["a", "b"]))
            print("a,b".split(","), " x ".strip(), "ab".center(6, "."), "7".zfill(3))
            left, right = {1, 2, 3}, {2, 3, 4}
            both, either = sorted(left & right), sorted(left | right)
            print(both, either, left - right, sorted(left ^ right), left.issubset(right))
            d = dict(a=1)
            d.update({"b": 2}, c=3)
            d.setdefault("d", 4)
            print(d, list(d.keys()), d.pop("a"), dict.fromkeys("xy", 0), {**d, "e": 5})
            items = [3, 1, 2]
            items.sort()
            items.extend([9])
            items.insert(0, 0)
            print(items, items[1:3], items.count(9), tuple(items), str.lower("ABC"))
        """,
        [
            "ada tset acme.test a-b",
            "['a', 'b'] x ..ab.. 007",
            "[2, 3] [1, 2, 3, 4] {1} [1, 4] False",
            "{'b': 2, 'c': 3, 'd': 4} ['a', 'b', 'c', 'd'] 1 {'x': 0, 'y': 0} "
            "{'b': 2, 'c': 3, 'd': 4, 'e': 5}",
            "[0, 1, 2, 3, 9] [1, 2] 1 (0, 1, 2, 3, 9) abc",
        ],
    ),
    "generators, recursion and globals within a run": (
        """
        CALLS = []

        def fib(n):
            CALLS.append(n)
            return n if n < 2 else fib(n - 1) + fib(n - 2)

        def evens(limit):
            n = 0
            while n < limit:
                yield n
                n += 2

        def on_execute_post_login(event, api):
            global LAST
            LAST = fib(10)
            gen = evens(7)
            print(LAST, len(CALLS), next(gen), list(gen), sum(evens(100)))
            if (n := len(CALLS)) > 100:
                print("walrus", n)
        """,
        ["55 177 0 [2, 4, 6] 2450", "walrus 177"],
    ),
    "a str subclass of the Action's own": (
        """
        class Role(str):
            def normalized(self):
                return self.strip().lower()

            def lower(self):
                return "role:" + str.lower(self)

        def on_execute_post_login(event, api):
            roles = [Role(r) for r in event.authorization.roles]
            first, second = roles
            print(first.normalized(), second.lower(), first.upper(), isinstance(first, str))
            spaced = Role(" X ")
            print(first == "admin", "admin" in roles, spaced.replace(" ", ""), len(Role("abc")))
        """,
        ["admin role:billing ADMIN True", "True True X 3"],
    ),
    "the api, fully": (
        """
        def on_execute_post_login(event, api):
            api.user.set_app_metadata("last_ip", event.request.ip)
            api.user.set_user_metadata("theme", None)
            roles = list(event.authorization.roles)
            api.id_token.set_custom_claim("https://acme.test/roles", roles)
            api.access_token.set_custom_claim("tier", event.client.metadata.get("tier"))
            api.transaction.set_metadata("risk", event.authentication.risk_assessment.confidence)
            phone = {"type": "phone", "options": {"preferred_method": "sms"}}
            api.authentication.challenge_with(phone)
            api.authentication.enroll_with_any(["webauthn-roaming", event.user.enrolled_factors[0]])
            previous = api.cache.get("visits")
            api.cache.set("visits", str(int(previous or "0") + 1), ttl_seconds=60)
            print("visits", api.cache.get("visits"))
        """,
        ["visits 1"],
    ),
}


def _compiled(name, source):
    import textwrap

    return compile_action(textwrap.dedent(source), f"/tenant/actions/{name.replace(' ', '_')}.py")


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_legitimate_program(sb, name):
    source, expected = PROGRAMS[name]
    result = sb.execute(_compiled(name, source))
    assert sb.logs(sb.succeeded(result)) == expected


def test_every_program_decides_the_same_in_a_worker_process(sb):
    actions = [_compiled(name, source) for name, (source, _) in PROGRAMS.items()]
    options = dict(secrets_for=lambda _: {}, limits=SandboxLimits(), on_error="challenge")
    inline = InlineFlow(actions, cache=InMemoryActionCache(), **options)
    isolated = ProcessFlow(actions, cache=InMemoryActionCache(), **options)
    try:
        for _ in range(2):
            expected = inline.run(sb.EVENT, now=sb.NOW, tenant_id="acme")
            got = isolated.run(sb.EVENT, now=sb.NOW, tenant_id="acme")
            assert got == expected
            assert got.errors == []
    finally:
        isolated.close()
    assert got.app_metadata == {"last_ip": "10.1.2.3"}
    assert {"action": "the_api,_fully", "line": "visits 2"} in got.logs
