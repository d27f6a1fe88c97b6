"""``hash`` and set iteration inside Actions: the same answer in every process, per tenant."""

from __future__ import annotations

import datetime
import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contextmfa.sandbox import InMemoryActionCache, SandboxLimits, compile_action, run_action
from contextmfa.sandbox.stable import canonical_order, stable_hash


def test_known_values_are_fixed_forever():
    """Recorded decisions depend on these numbers: they must never change."""
    assert [stable_hash(v, "acme") for v in ("auth0|42", b"x", ("a", 1), 7)] == [
        -8846853474291458159,
        9109121513157946424,
        2993341351111344945,
        8963514712551555451,
    ]
    assert stable_hash("auth0|42", "acme") != stable_hash("auth0|42", "other-tenant")


@given(st.integers(min_value=-(2**70), max_value=2**70))
@settings(max_examples=50)
def test_equal_numbers_hash_equal(n):
    assert stable_hash(n, "t") == stable_hash(float(n), "t") or float(n) != n
    assert stable_hash((n, "x"), "t") == stable_hash((n, "x"), "t")


def test_equal_values_of_other_kinds_hash_equal():
    utc = datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)
    paris = utc.astimezone(datetime.timezone(datetime.timedelta(hours=1)))
    assert stable_hash(utc, "t") == stable_hash(paris, "t")
    assert stable_hash(True, "t") == stable_hash(1, "t") == stable_hash(1.0, "t")
    assert stable_hash(frozenset({"a", "b"}), "t") == stable_hash(frozenset({"b", "a"}), "t")
    net = ipaddress.ip_network("10.0.0.0/8")
    assert stable_hash(net, "t") == stable_hash(ipaddress.ip_network("10.0.0.0/8"), "t")
    assert stable_hash("1", "t") != stable_hash(1, "t")
    assert stable_hash(("a", "b"), "t") != stable_hash(("ab",), "t")
    noon = datetime.time(12, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    eleven = datetime.time(11, tzinfo=datetime.UTC)
    assert noon == eleven and stable_hash(noon, "t") == stable_hash(eleven, "t")
    assert stable_hash(noon, "t") != stable_hash(datetime.time(12), "t")


def test_ints_past_the_decimal_digit_limit_hash():
    """str() of an int refuses past 4,300 digits; hash() of one must still work, stably."""
    huge = 10**5000
    assert stable_hash(huge, "t") == stable_hash(10**5000, "t") != stable_hash(huge + 1, "t")
    assert float(2**1000) == 2**1000 and stable_hash(float(2**1000), "t") == stable_hash(
        2**1000, "t"
    )


def test_sets_iterate_in_canonical_order():
    assert canonical_order({"gamma", "alpha", "beta"}) == ["alpha", "beta", "gamma"]
    assert canonical_order({2, "b", None, 1.5, ("a", 1)}) == [None, 1.5, 2, "b", ("a", 1)]


def test_hash_in_an_action_is_keyed_by_the_tenant(sb):
    action = sb.compile("print(hash(event.user.user_id), hash(('a', 1)) == hash(('a', 1.0)))")

    def run(tenant: str) -> list[str]:
        result = run_action(
            action,
            sb.EVENT,
            secrets={},
            now=sb.NOW,
            cache=InMemoryActionCache(),
            tenant_id=tenant,
            limits=SandboxLimits(),
        )
        return sb.logs(sb.succeeded(result))

    assert run("acme") == [f"{stable_hash('auth0|42', 'acme')} True"]
    assert run("acme") != run("globex")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("hash([1])", "unhashable type: 'list'"),
        ("class C:\n    pass\nhash(C())", "hash() of a 'C' object differs between runs"),
    ],
)
def test_hash_refuses_what_it_cannot_make_stable(sb, body, message):
    assert message in sb.failed(sb.run(body), "exception")


def test_every_way_of_walking_a_set_is_canonical(sb):
    result = sb.run(
        """
        s = {"delta", "alpha", "charlie", "bravo"}
        first, *rest = s
        print([x for x in s], list(s), ",".join(s), first, rest)
        print(tuple(frozenset(s)), [i for i, _ in enumerate(s)], min(s), next(x for x in s))
        """
    )
    assert sb.logs(sb.succeeded(result)) == [
        "['alpha', 'bravo', 'charlie', 'delta'] ['alpha', 'bravo', 'charlie', 'delta'] "
        "alpha,bravo,charlie,delta alpha ['bravo', 'charlie', 'delta']",
        "('alpha', 'bravo', 'charlie', 'delta') [0, 1, 2, 3] alpha alpha",
    ]


def test_showing_or_popping_a_set_is_a_warning_at_check_time():
    source = (
        "def on_execute_post_login(event, api):\n"
        "    tags = {'b', 'a'}\n"
        "    print(tags, f'{tags}')\n"
        "    tags.pop()\n"
        "    print(sorted(tags))\n"
    )
    action = compile_action(source, "actions/tags.py")
    assert [(w.line, w.col, w.message.split(":")[0]) for w in action.warnings] == [
        (3, 11, "a set shows its items in an order that differs between processes"),
        (3, 20, "a set shows its items in an order that differs between processes"),
        (4, 5, "set.pop() takes an item that differs between processes"),
    ]
