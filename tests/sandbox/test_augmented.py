"""Augmented assignment to items, slices and attributes: CPython's results and order of
evaluation, under the same guards as the plain forms (augmented.py)."""

from __future__ import annotations

import pytest


def test_items_slices_and_attributes_update_as_in_python(sb):
    body = """
    counts = {"a": 1}
    counts["a"] += 1
    counts["b"] = 10
    counts["b"] //= 3
    xs = [1, 2, 3, 4]
    xs[1:3] += [0]
    xs[0] *= 10
    xs[-1] **= 2
    grid = [[0, 0], [0, 0]]
    grid[1][0] -= 7
    class Meter:
        total = 0
        def __init__(self):
            self.n = 1
        def add(self, v):
            self.n += v
            Meter.total += v
            return self
    m = Meter().add(4).add(5)
    m.label = "a"
    m.label *= 3
    print(counts, xs, grid, m.n, Meter.total, m.label)
    """
    assert sb.logs(sb.succeeded(sb.run(body))) == [
        "{'a': 2, 'b': 3} [10, 2, 3, 0, 16] [[0, 0], [-7, 0]] 10 9 aaa"
    ]


def test_target_and_key_are_evaluated_once_in_pythons_order(sb):
    body = """
    seen = []
    data = {"k": [1]}
    def obj():
        seen.append("object")
        return data
    def key():
        seen.append("key")
        return "k"
    def value():
        seen.append("value " + str(data["k"]))
        return [2]
    obj()[key()] += value()
    print(seen, data)
    """
    assert sb.logs(sb.succeeded(sb.run(body))) == ["['object', 'key', 'value [1]'] {'k': [1, 2]}"]


def test_a_list_item_grows_in_place_like_in_python(sb):
    body = """
    inner = [1]
    outer = {"k": inner}
    outer["k"] += [2]
    class Bag(list):
        pass
    bag = Bag([1])
    same = bag
    bag += [2]
    print(inner, outer["k"] is inner, same is bag, type(bag) is Bag, bag)
    """
    assert sb.logs(sb.succeeded(sb.run(body))) == ["[1, 2] True True True [1, 2]"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('event.user.email += "x"', "event is read-only"),
        ('roles = event.authorization.roles\nroles[0] += "x"', "event is read-only"),
        ('roles = event.authorization.roles\nroles[0:1] += ["x"]', "event is read-only"),
        ('event.user.app_metadata["plan"] += "x"', "event is read-only"),
        ('event.secrets["API_TOKEN"] += "x"', "event is read-only"),
        ("api.access += 1", "cannot modify 'Api' objects in Actions"),
        ("import math\nmath.pi += 1", "cannot modify modules in Actions"),
        ("try:\n    1 / 0\nexcept Exception as e:\n    e.args += (1,)", "'ZeroDivisionError'"),
        ("str.upper += 1", "cannot modify 'str' objects in Actions"),
    ],
)
def test_read_only_targets_are_refused_at_their_line(sb, body, message):
    result = sb.run(body + '\napi.multifactor.enable("none")')
    assert message in sb.failed(result, "forbidden")
    assert result.error.line == body.count("\n") + 2
    assert result.directives == ()
    assert sb.EVENT["user"]["email"] == "ada@acme.test"
    assert sb.EVENT["authorization"]["roles"] == ["admin", "billing"]


@pytest.mark.parametrize(
    "body",
    [
        's = {"t": "x" * 60000}\ns["t"] += s["t"]',
        's = {"t": 3}\ns["t"] **= 10 ** 6',
        's = {"t": 3}\ns["t"] <<= 10 ** 6',
        "s = {'t': 7}\nfor _ in range(20):\n    s['t'] *= s['t']",
        "s = [[1]]\ns[0] *= 10 ** 6",
        "s = [[1] * 6000]\ns[0] += s[0]",
        "xs = [1] * 6000\nxs[0:1] += xs",
    ],
)
def test_in_place_operations_keep_the_size_limits(sb, body):
    sb.failed(sb.run(body), "limit")
