"""Every shipped Action documents itself for the tenant developer who copies it, and compiles.

The docstring must name every secret the code reads and end with an example
``[secrets.<stem>]`` block that is valid TOML, sets exactly those secrets (as strings) and runs.
"""

import re
from pathlib import Path

import pytest
from action_docstrings import docstring, example, secrets_read

from contextmfa.sandbox import compile_action

ACTIONS_DIR = Path(__file__).resolve().parents[2] / "actions"
PATHS = sorted(ACTIONS_DIR.glob("*.py"))
SECTIONS = ("What it does", "When to use it", "Secrets (", "Contributes", "Example")


def test_the_library_holds_at_least_ten_actions():
    assert len(PATHS) >= 10


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_docstring_has_every_section_in_order(path):
    text = docstring(path)
    positions = [text.find(section) for section in SECTIONS]
    assert -1 not in positions, f"{path.name} lacks one of {SECTIONS}"
    assert positions == sorted(positions)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_docstring_mentions_every_secret_read(path):
    text = docstring(path)
    read = secrets_read(path)
    assert read, f"{path.name} reads no secret"
    for name in read:
        assert re.search(rf"^\s+{name}\s", text, re.MULTILINE), f"{name} is not documented"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_example_sets_exactly_the_secrets_read_as_strings(path):
    values = example(path)
    assert set(values) == secrets_read(path)
    assert all(isinstance(value, str) for value in values.values())


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_example_secrets_run_cleanly(path, run, make_event):
    result = run(path.stem, make_event(), {k: str(v) for k, v in example(path).items()})
    assert result.error is None, result.error


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_every_action_compiles_and_runs_with_no_secrets(path, run, make_event):
    compile_action(path.read_text(encoding="utf-8"), str(path))
    result = run(path.stem, make_event())
    assert result.error is None, result.error
