"""A module body that binds only values no run can change runs once per kit (shared_module.py)."""

from __future__ import annotations

from contextmfa.sandbox import SandboxLimits, compile_action


def _kit_of(action):
    """The kit the next run of ``action`` will take (built if none is idle), put back."""
    kit = action.kits.take(SandboxLimits())
    action.kits._idle.append(kit)
    return kit


def _shared(sb, module: str, body: str):
    action = compile_action(module + "\n\n" + sb.source_of(body), sb.PATH)
    assert _kit_of(action).shared is not None
    return action


def _per_run(sb, module: str, body: str):
    action = compile_action(module + "\n\n" + sb.source_of(body), sb.PATH)
    assert _kit_of(action).shared is None
    return action


def test_each_run_gets_the_module_data_as_written(sb):
    action = _shared(
        sb,
        'SEEN = {"count": 0, "emails": []}\nORDER = [("a", [1])]\nTAGS = {"x"}',
        """
        SEEN["count"] += 1
        SEEN["emails"].append(event.user.email)
        ORDER[0][1].append(2)
        ORDER.append(event.user.email)
        TAGS.add(event.user.email)
        print(SEEN, ORDER, sorted(TAGS))
        """,
    )
    other = dict(sb.EVENT, user=dict(sb.EVENT["user"], email="eve@evil.test"))
    first = sb.logs(sb.succeeded(sb.execute(action)))
    second = sb.logs(sb.succeeded(sb.execute(action, event=other)))
    assert first == [
        "{'count': 1, 'emails': ['ada@acme.test']} [('a', [1, 2]), 'ada@acme.test'] "
        "['ada@acme.test', 'x']"
    ]
    assert second == [
        "{'count': 1, 'emails': ['eve@evil.test']} [('a', [1, 2]), 'eve@evil.test'] "
        "['eve@evil.test', 'x']"
    ]
    assert len(action.kits._idle) == 1


def test_an_imported_module_is_shared_and_keeps_the_kit(sb):
    action = _shared(
        sb,
        "import re\nfrom re import fullmatch\nimport ipaddress",
        """
        print(bool(re.fullmatch("[a-z]+", "abc")), bool(fullmatch("x", "x")))
        print(ipaddress.ip_network("10.0.0.0/8").prefixlen)
        """,
    )
    for _ in range(3):
        assert sb.logs(sb.succeeded(sb.execute(action))) == ["True True", "8"]
        assert len(action.kits._idle) == 1


def test_a_global_statement_runs_the_module_per_run(sb):
    action = _per_run(
        sb,
        "COUNT = 0\n\ndef bump():\n    global COUNT\n    COUNT += 1\n    return COUNT",
        "print(bump())",
    )
    for _ in range(3):
        assert sb.logs(sb.succeeded(sb.execute(action))) == ["1"]


def test_a_module_that_calls_runs_per_run(sb):
    action = _per_run(sb, 'print("loading")\nSTART = str(len("abc"))', "print(START)")
    for _ in range(2):
        assert sb.logs(sb.succeeded(sb.execute(action))) == ["loading", "3"]


def test_a_mutable_default_runs_the_module_per_run(sb):
    action = _per_run(
        sb,
        "def remember(item, seen=[]):\n    seen.append(item)\n    return len(seen)",
        "print(remember(event.user.email))",
    )
    for _ in range(2):
        assert sb.logs(sb.succeeded(sb.execute(action))) == ["1"]


def test_a_module_class_runs_the_module_per_run(sb):
    action = _per_run(sb, "class Box:\n    items = []", "Box.items.append(1)\nprint(Box.items)")
    for _ in range(2):
        assert sb.logs(sb.succeeded(sb.execute(action))) == ["[1]"]


def test_an_object_left_in_module_data_is_released_when_the_run_ends(sb):
    action = _shared(
        sb,
        "KEPT = []",
        """
        def waiting():
            try:
                yield 1
            finally:
                print("released")
        pending = waiting()
        next(pending)
        KEPT.append(pending)
        """,
    )
    for _ in range(2):
        assert sb.logs(sb.succeeded(sb.execute(action))) == ["released"]


def test_functions_with_immutable_defaults_are_shared(sb):
    action = _shared(
        sb,
        'def label(name, *, prefix=("user", 1), suffix=None):\n    return f"{prefix[0]}:{name}"',
        "print(label(event.user.email))",
    )
    for _ in range(2):
        assert sb.logs(sb.succeeded(sb.execute(action))) == ["user:ada@acme.test"]
