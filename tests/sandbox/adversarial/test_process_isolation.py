"""Escapes and denial of service through ``isolation = "process"``: the same verdicts as
in-process, plus what only a process boundary contains (C-level work, memory, crashes).

Each module-scoped flow is one fork server and one pre-forked worker serving a dispatcher
Action, so every test also shows that the login after a failed one, served by the same pool
(by a replacement worker when the failed one was stopped), decides normally.
"""

from __future__ import annotations

import pytest

from contextmfa.sandbox import InMemoryActionCache, SandboxLimits
from contextmfa.sandbox.process import ProcessFlow

ESCAPES = {
    "format attribute walk": ('print("{0.__class__.__base__}".format(1))', ("forbidden",)),
    "format_map through a helper's globals": (
        'print("{f.__globals__}".format_map({"f": distance_km}))',
        ("forbidden",),
    ),
    "generator frame": ('print("{0.gi_frame.f_back}".format(i for i in [1]))', ("forbidden",)),
    "module to sys": ("import re\nprint(re.enum.sys)", ("forbidden",)),
    "AttributeError.obj": (
        "try:\n    [].nope\nexcept AttributeError as e:\n    print(e.obj)",
        ("forbidden",),
    ),
    "event write": ('event.user.app_metadata["plan"] = "free"', ("forbidden",)),
    "api write": ("api.access = None", ("forbidden",)),
    "str subclass lying to a size check": (
        "class S(str):\n    def count(self, *a):\n        return 0\n"
        'x = S("a" * 100000).replace("a", "b" * 1000)',
        ("limit",),
    ),
    "__eq__ thief": (
        "stolen = []\nclass T:\n    def __eq__(self, o):\n        stolen.append(o)\n"
        "        return False\nx = T() in event.user.enrolled_factors\n"
        'if stolen:\n    api.multifactor.enable("none")\nelse:\n    raise RuntimeError("blocked")',
        ("exception",),
    ),
}

ATTACKS = {
    "C-level power the size check allows": ("x = 10 ** (10 ** 7)", ("timeout",)),
    "segfault on a deep tuple": (
        "t = ()\nfor _ in range(400000):\n    t = (t,)\nprint(hash(t))",
        ("limit", "timeout"),
    ),
    "memory bomb": (
        'keep = []\nfor _ in range(10**6):\n    keep.append("x" * 10**6)',
        ("limit",),
    ),
    "one huge string": ('x = "x" * (10**8 - 1)\nx = x + "y"', ("limit",)),
    "infinite loop": ("while True:\n    pass", ("limit", "timeout")),
    "regex backtracking": ('import re\nre.match(r"(a|aa)+$", "a" * 64 + "!")', ("timeout",)),
    "cache round-trip flood": ('for i in range(10**7):\n    api.cache.get("k")', ("timeout",)),
    "print flood": ("for i in range(10**8):\n    print(i)", ("limit", "timeout")),
}
GENEROUS = SandboxLimits(
    timeout_ms=600, max_steps=10**7, max_string=10**8, max_sequence=10**7, memory_mb=64
)
"""Limits a tenant could set: the in-process guards then allow work that only the worker's
resource limits and the parent's clock can stop."""


@pytest.fixture(scope="module")
def escapes_flow(hostile):
    flow = hostile.process_flow(ESCAPES, SandboxLimits())
    yield flow
    flow.close()


@pytest.fixture(scope="module")
def attacks_flow(hostile):
    flow = hostile.process_flow(ATTACKS, GENEROUS)
    yield flow
    flow.close()


@pytest.mark.parametrize("name", list(ESCAPES))
def test_escape_in_a_worker(hostile, escapes_flow, name):
    hostile.run_attack(escapes_flow, name).assert_failed_closed(*ESCAPES[name][1])
    hostile.assert_benign_login_is_normal(escapes_flow)


@pytest.mark.parametrize("name", list(ATTACKS))
def test_denial_of_service_in_a_worker(hostile, attacks_flow, name):
    verdict = hostile.run_attack(attacks_flow, name)
    verdict.assert_failed_closed(*ATTACKS[name][1])
    assert verdict.elapsed < 4.0, f"took {verdict.elapsed:.2f} s"
    hostile.assert_benign_login_is_normal(attacks_flow)


def test_a_stopped_worker_is_charged_to_the_running_action_and_the_rest_is_kept(hostile):
    first = hostile.compile(
        hostile.source_of('print("first ran")\napi.user.set_app_metadata("seen", True)'),
        "/tenant/actions/first.py",
    )
    stuck = hostile.compile(hostile.source_of("x = 10 ** (10 ** 7)"), "/tenant/actions/stuck.py")
    flow = ProcessFlow(
        [first, stuck],
        secrets_for=lambda _: {},
        cache=InMemoryActionCache(),
        limits=GENEROUS,
        on_error="challenge",
    )
    try:
        outcome = flow.run(hostile.event_with(None), now=hostile.NOW, tenant_id="acme")
    finally:
        flow.close()
    assert outcome.logs == [{"action": "first", "line": "first ran"}]
    assert outcome.app_metadata == {"seen": True}
    assert outcome.errors == [
        {
            "action": "stuck",
            "kind": "timeout",
            "message": "timed out after 600 ms (worker stopped)",
            "line": None,
        }
    ]
    assert [d.source for d in outcome.directives] == ["on_error:stuck"]
