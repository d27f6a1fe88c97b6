"""A module body that binds only values no run can change runs once per kit (shared_module.py)."""

from __future__ import annotations

import pytest

from contextmfa.errors import ActionLimitExceeded, SandboxError
from contextmfa.sandbox import InMemoryActionCache, SandboxLimits, compile_action
from contextmfa.sandbox.process import ProcessFlow


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


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # pytest's own hook
def test_an_object_left_in_module_data_is_released_after_the_run_ended(sb):
    """Released once the run's meter closed: its ``finally`` stops at its first hook (it is
    not part of the run: it could otherwise write into the next run's fresh data), and the
    kit is not used again."""
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
        assert sb.logs(sb.succeeded(sb.execute(action))) == []
        assert action.kits._idle == []


def test_functions_with_immutable_defaults_are_shared(sb):
    action = _shared(
        sb,
        'def label(name, *, prefix=("user", 1), suffix=None):\n    return f"{prefix[0]}:{name}"',
        "print(label(event.user.email))",
    )
    for _ in range(2):
        assert sb.logs(sb.succeeded(sb.execute(action))) == ["user:ada@acme.test"]


LATE_FINALLY = """
HOLD = []


def late(box):
    try:
        yield 1
    finally:
        HOLD.append(box)
"""
LATE_FINALLY_BODY = """
print("held:", HOLD)
parked = late((event.user.email, event.secrets.API_TOKEN))
next(parked)
HOLD.append(parked)
"""


def _user(sb, email: str) -> dict:
    return dict(sb.EVENT, user=dict(sb.EVENT["user"], email=email))


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # pytest's own hook
def test_a_generator_released_with_the_runs_data_cannot_fill_the_next_runs_copy(sb):
    """The run's data is released after its meter closed and before the fresh copy is put in:
    the suspended generator's ``finally`` stops at its first hook, and its kit is dropped."""
    action = _shared(sb, LATE_FINALLY, LATE_FINALLY_BODY)
    seen = []
    for email, token in (("ada@acme.test", "tok-one"), ("eve@evil.test", "tok-two")):
        run = sb.succeeded(sb.execute(action, event=_user(sb, email), secrets={"API_TOKEN": token}))
        seen += sb.logs(run)
    assert seen == ["held: []", "held: []"]
    assert action.kits._idle == []


def test_code_reaching_a_closed_meter_makes_its_kit_unusable(sb):
    action = _shared(sb, "", 'print("ran")')
    kit = _kit_of(action)
    kit.meter.close()
    with pytest.raises(SandboxError):
        kit.meter.step()
    assert not kit.reusable()
    assert action.kits.take(SandboxLimits()) is not kit  # an idle kit reached late is passed over


def test_the_late_finally_in_a_worker_process_neither_leaks_nor_kills_the_worker(sb, tmp_path):
    """In a confined worker the default report of such an error reads the Action's file, which
    the worker may not open: it is dropped (sandbox/unraisable.py), the worker lives on."""
    path = tmp_path / "late.py"
    path.write_text(LATE_FINALLY + "\n\n" + sb.source_of(LATE_FINALLY_BODY), encoding="utf-8")
    action = compile_action(path.read_text(encoding="utf-8"), str(path))
    flow = ProcessFlow(
        [action],
        secrets_for=lambda _: {"API_TOKEN": "tok-secret-value"},
        cache=InMemoryActionCache(),
        limits=SandboxLimits(),
        on_error="deny",
        workers=1,
    )
    try:
        outcomes = [
            flow.run(_user(sb, f"user{i}@acme.test"), now=sb.NOW, tenant_id=f"t{i}")
            for i in range(3)
        ]
    finally:
        flow.close()
    assert [o.errors for o in outcomes] == [[], [], []]
    assert [log["line"] for o in outcomes for log in o.logs] == ["held: []"] * 3


def test_only_the_sandboxs_late_errors_are_silenced(monkeypatch):
    import sys

    from contextmfa.sandbox import unraisable

    reported = []
    monkeypatch.setattr(sys, "unraisablehook", lambda report: reported.append(report.exc_value))
    unraisable.install()
    unraisable.install()  # once only

    class Report:
        exc_traceback = None
        err_msg = "Exception ignored in"
        object = None

        def __init__(self, exc: BaseException) -> None:
            self.exc_type = type(exc)
            self.exc_value = exc

    bug = RuntimeError("a real bug")
    sys.unraisablehook(Report(bug))
    sys.unraisablehook(Report(ActionLimitExceeded("the Action's run has ended")))
    assert reported == [bug]
