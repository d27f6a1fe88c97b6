"""The escape and denial-of-service corpora again, each attack in a confined worker process.

The in-process suites (test_escape_families.py, test_denial_of_service.py) hold the attacks;
here every one that compiles runs through a ProcessFlow whose workers are confined
(no_new_privs, Landlock, seccomp; confine.py): the verdict must be the one the guards give,
never a worker killed by the confinement for a system call the running sandbox needs, and the
login after it decides normally.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from contextmfa.sandbox import SandboxLimits

HERE = Path(__file__).resolve().parent
ESCAPE_TABLES = (
    "DUNDER_TRAVERSAL",
    "BUILTINS_AND_IMPORTS",
    "COMPUTED_GETATTR",
    "STR_SUBCLASSES",
    "FRAMES",
    "GUARD_REBINDING",
    "EXCEPT_STAR",
    "ANNOTATIONS",
    "METACLASSES_AND_SPECIAL_METHODS",
    "EVENT_AND_API_MUTATION",
    "OTHER_STATE",
    "AUGMENTED_ASSIGNMENT",
    "NONLOCAL",
    "SUPER",
    "TYPE_OF",
    "MATCH_PATTERNS",
)


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"corpus_{name}", HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _escapes() -> dict[str, tuple[str, tuple[str, ...]]]:
    module = _module("test_escape_families")
    return {
        f"{table.lower()}: {name}": case
        for table in ESCAPE_TABLES
        for name, case in getattr(module, table).items()
    }


JUDGE = _module("conftest")


def _unindented(body: str) -> str:
    """A one-line body's later lines are written indented as inside the function (conftest's
    ``source_of``); the dispatcher wants them as they are for a triple-quoted block."""
    if body.startswith("\n"):
        return body
    first, *rest = body.split("\n")
    return "\n".join([first, *(line[4:] if line.startswith("    ") else line for line in rest)])


def _runnable(table):
    """The attacks that compile (the others never reach a worker), with their run-time kinds."""
    runnable = {}
    for name, (body, kinds) in table.items():
        if not isinstance(JUDGE.compile_or_problems(JUDGE.source_of(body)), list):
            kinds = tuple(k for k in kinds if k != "compile")
            runnable[name] = (_unindented(body), kinds)
    return runnable


DENIAL_OF_SERVICE = _module("test_denial_of_service")
ESCAPES = _runnable(_escapes())
ATTACKS = _runnable(DENIAL_OF_SERVICE.ATTACKS)


@pytest.fixture(scope="module")
def escapes_flow(hostile):
    flow = hostile.process_flow(ESCAPES, SandboxLimits())
    yield flow
    flow.close()


@pytest.fixture(scope="module")
def attacks_flow(hostile):
    flow = hostile.process_flow(ATTACKS, DENIAL_OF_SERVICE.LIMITS)
    yield flow
    flow.close()


def test_the_corpora_reach_the_workers():
    assert len(ESCAPES) >= 25 and len(ATTACKS) >= 20


@pytest.mark.parametrize("name", list(ESCAPES))
def test_escape_in_a_confined_worker(hostile, escapes_flow, name):
    hostile.run_attack(escapes_flow, name).assert_failed_closed(*ESCAPES[name][1])
    hostile.assert_benign_login_is_normal(escapes_flow)


@pytest.mark.parametrize("name", list(ATTACKS))
def test_denial_of_service_in_a_confined_worker(hostile, attacks_flow, name):
    verdict = hostile.run_attack(attacks_flow, name)
    verdict.assert_failed_closed(*ATTACKS[name][1])
    assert "SIGSYS" not in verdict.text
    hostile.assert_benign_login_is_normal(attacks_flow)
