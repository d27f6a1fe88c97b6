"""The adversarial suite's judge: run hostile Action code the way a login would, then read the
decision's side of it.

``judge(source)`` compiles the source as the Action ``hostile`` and runs it through a real flow
(InlineFlow, or a ProcessFlow the test provides) with ``on_error = "deny"``. The verdict's
``assert_failed_closed()`` holds when the attempt could not even compile (a located problem,
the config is unusable) or when the login was denied with ``action_error`` and nothing of the
Action's own contributions survived; and in both cases, when nothing in what the decision
carries (problems, directives, logs, errors, metadata, claims) shows a host object, a host path,
a memory address, a traceback or a secret value.

Escape attempts follow one pattern: do the trick, and if it seemed to work, skip MFA
(``api.multifactor.enable("none")``) and return, so that a working escape shows up as an allowed
login rather than as a failure; a trick the sandbox neutralised without an error ends with an
explicit ``raise``.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import asdict, dataclass, field
from typing import Any

import pytest

from contextmfa.directives import Deny
from contextmfa.errors import CompileError
from contextmfa.flow import FlowOutcome, InlineFlow
from contextmfa.sandbox import InMemoryActionCache, SandboxLimits, compile_action


def _sandbox_helpers() -> Any:
    """tests/sandbox/conftest.py, for its full event (test directories are not packages)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "sandbox_test_helpers", Path(__file__).resolve().parent.parent / "conftest.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_HELPERS = _sandbox_helpers()
EVENT: dict[str, Any] = _HELPERS.EVENT
NOW = _HELPERS.NOW

PATH = "/tenant/actions/hostile.py"
SECRET = "tok-8f2a9c77-s3cr3t"
OTHER_SECRET = "other-action-s3cr3t-42"
LEAKS = (
    "<class",
    "<module",
    "<frame",
    "<function",
    "<code",
    "<built-in",
    "<bound",
    "<generator",
    "<method",
    " at 0x",
    "Traceback",
    "contextmfa",
    "site-packages",
    "/work/",
    "/usr/",
    "Guards",
    SECRET,
    OTHER_SECRET,
)
"""What must never appear in anything a decision carries."""


def source_of(body: str) -> str:
    """An Action whose ``on_execute_post_login`` body is ``body``: a triple-quoted block
    (dedented), or a one-line string whose later lines are indented as they would be inside
    the function (``"import re\\n    print(re.I)"``)."""
    if not body.startswith("\n"):
        first, *rest = body.split("\n")
        body = "\n".join([first, *(line[4:] if line.startswith("    ") else line for line in rest)])
    indented = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    return f"def on_execute_post_login(event, api):\n{indented}\n"


def decision_text(outcome: FlowOutcome) -> str:
    """Everything of the outcome that reaches a decision, as JSON."""
    data = asdict(outcome)
    return json.dumps(data, default=lambda v: sorted(v) if isinstance(v, frozenset) else repr(v))


@dataclass
class Verdict:
    compiled: bool
    problems: list[str] = field(default_factory=list)
    outcome: FlowOutcome | None = None
    elapsed: float = 0.0

    @property
    def text(self) -> str:
        if self.outcome is None:
            return "\n".join(self.problems)
        return decision_text(self.outcome)

    @property
    def error(self) -> dict[str, Any]:
        assert self.outcome is not None and self.outcome.errors, self.text
        return self.outcome.errors[-1]

    def assert_no_leak(self) -> None:
        text = self.text
        for marker in LEAKS:
            assert marker not in text, f"{marker!r} leaked: {text}"

    def assert_failed_closed(self, *kinds: str) -> Verdict:
        """Refused at compile time, or the login denied because of this Action's error."""
        if not self.compiled:
            assert self.problems, "compile refused the Action without a problem"
            for problem in self.problems:
                assert problem.startswith(f"{PATH}:"), problem
                assert problem.split(":")[1].isdigit() and int(problem.split(":")[1]) > 0, problem
            assert not kinds or "compile" in kinds, f"refused at compile time: {self.problems}"
        else:
            outcome = self.outcome
            assert outcome is not None
            assert outcome.errors, f"the login was not failed: {self.text}"
            assert outcome.stopped
            assert any(
                isinstance(d, Deny) and d.reason == "action_error" for d in outcome.directives
            ), self.text
            assert all(isinstance(d, Deny) for d in outcome.directives), self.text
            assert not (outcome.app_metadata or outcome.user_metadata), self.text
            assert not (outcome.id_token or outcome.access_token or outcome.transaction), self.text
            if kinds:
                assert self.error["kind"] in kinds, self.error
        self.assert_no_leak()
        return self


def compile_or_problems(source: str, path: str = PATH) -> Any:
    try:
        return compile_action(source, path)
    except CompileError as exc:
        return [str(p) for p in exc.problems]


def judge(
    source: str,
    *,
    limits: SandboxLimits | None = None,
    event: dict[str, Any] | None = None,
    secrets: dict[str, str] | None = None,
    tenant_id: str = "acme",
) -> Verdict:
    """Compile ``source`` (a whole Action) and run one login through an InlineFlow."""
    import time

    compiled = compile_or_problems(source)
    if isinstance(compiled, list):
        return Verdict(compiled=False, problems=compiled)
    flow = InlineFlow(
        [compiled],
        secrets_for=lambda _: {"API_TOKEN": SECRET} if secrets is None else secrets,
        cache=InMemoryActionCache(),
        limits=limits or SandboxLimits(),
        on_error="deny",
    )
    started = time.perf_counter()
    outcome = flow.run(EVENT if event is None else event, now=NOW, tenant_id=tenant_id)
    return Verdict(compiled=True, outcome=outcome, elapsed=time.perf_counter() - started)


def judge_body(body: str, **options: Any) -> Verdict:
    return judge(source_of(body), **options)


def dispatcher(attacks: dict[str, str]) -> str:
    """One Action holding many attacks; ``event.user.app_metadata.attack`` picks one, and with
    none it requires MFA (a benign login). Lets one worker pool serve a whole test module."""
    parts = []
    for index, body in enumerate(attacks.values()):
        indented = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
        parts.append(f"def attack_{index}(event, api):\n{indented}\n")
    table = ", ".join(f"{name!r}: attack_{i}" for i, name in enumerate(attacks))
    parts.append(f"ATTACKS = {{{table}}}\n")
    parts.append(
        "def on_execute_post_login(event, api):\n"
        '    name = event.user.app_metadata.get("attack")\n'
        "    if name is None:\n"
        '        api.multifactor.enable("any")\n'
        "        return\n"
        "    ATTACKS[name](event, api)\n"
    )
    return "\n".join(parts)


def event_with(attack: str | None) -> dict[str, Any]:
    event = json.loads(json.dumps(EVENT))
    if attack is not None:
        event["user"]["app_metadata"]["attack"] = attack
    return event


def assert_benign_login_is_normal(flow: Any) -> None:
    """A benign login through ``flow`` (a dispatcher's flow) decides as it should."""
    outcome = flow.run(event_with(None), now=NOW, tenant_id="acme")
    assert outcome.errors == [], outcome.errors
    assert [type(d).__name__ for d in outcome.directives] == ["Require"]
    assert not outcome.stopped


def run_attack(flow: Any, attack: str) -> Verdict:
    """One login through ``flow`` (a dispatcher's flow) with attack ``attack``."""
    import time

    started = time.perf_counter()
    outcome = flow.run(event_with(attack), now=NOW, tenant_id="acme")
    return Verdict(compiled=True, outcome=outcome, elapsed=time.perf_counter() - started)


def process_flow(attacks: dict[str, tuple[str, Any]], limits: SandboxLimits) -> Any:
    """One isolated-worker flow whose Action runs any of ``attacks`` (name -> (body, ...))."""
    from contextmfa.sandbox.process import ProcessFlow

    source = dispatcher({name: body for name, (body, _) in attacks.items()})
    action = compile_or_problems(source, "/tenant/actions/hostile.py")
    assert not isinstance(action, list), action
    return ProcessFlow(
        [action],
        secrets_for=lambda _: {"API_TOKEN": SECRET},
        cache=InMemoryActionCache(),
        limits=limits,
        on_error="deny",
    )


class Hostile:
    """The helpers above, handed to tests as the ``hostile`` fixture."""

    PATH = PATH
    SECRET = SECRET
    OTHER_SECRET = OTHER_SECRET
    EVENT = EVENT
    NOW = NOW
    source_of = staticmethod(source_of)
    judge = staticmethod(judge)
    judge_body = staticmethod(judge_body)
    dispatcher = staticmethod(dispatcher)
    process_flow = staticmethod(process_flow)
    event_with = staticmethod(event_with)
    run_attack = staticmethod(run_attack)
    assert_benign_login_is_normal = staticmethod(assert_benign_login_is_normal)
    compile = staticmethod(compile_or_problems)
    decision_text = staticmethod(decision_text)


@pytest.fixture(scope="session")
def hostile() -> type[Hostile]:
    return Hostile
