"""Fixtures for replay, diff, parallel and report tests: a private copy of the samples to edit."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sample_tree import copy_samples
from typer.testing import CliRunner

from contextmfa.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


class Run:
    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: object):
        return self.runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def cli() -> Run:
    return Run()


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A read-only use of samples/ with 5 s of Action wall time instead of 100 ms, so a pause of
    a loaded machine never turns a sample decision into a timeout."""
    return copy_samples(tmp_path_factory.mktemp("samples-copy"))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of samples/ and actions/ (configs refer to both), free to edit; returns samples/.

    Its configs give Actions 5 s of wall time instead of 100 ms: a diff test compares two runs
    login by login, and a loaded machine must not turn a slow Action into a changed decision.
    """
    return copy_samples(tmp_path)


@pytest.fixture
def candidate(tree: Path) -> Callable[..., Path]:
    """``candidate(name, replace={old: new}, rules="...")``: the sample tenant with edits."""

    def make(name: str, *, replace: dict[str, str] | None = None, rules: str = "") -> Path:
        text = (tree / "tenant.toml").read_text()
        for old, new in (replace or {}).items():
            assert old in text, old
            text = text.replace(old, new)
        if rules:
            (tree / "rules" / f"{name}.rules").write_text(rules)
            text = text.replace("rules = [\n", f'rules = [\n    "rules/{name}.rules",\n')
        path = tree / f"{name}.toml"
        path.write_text(text)
        return path

    return make


@pytest.fixture
def expectations() -> list[dict]:
    """Every sample record's ``expect`` with its user: the oracle for diffs of known effect."""
    found = []
    for line in (SAMPLES / "logins.jsonl").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            record = json.loads(line)
            found.append(dict(record["expect"], user=record["user"]["user_id"], id=record["id"]))
    return found


@pytest.fixture
def synthetic() -> Callable[..., Path]:
    return synthetic_logins


def synthetic_logins(path: Path, *, users: int, rounds: int) -> Path:
    """The sample logins for ``users`` renamed users, ``rounds`` times over, in time order:
    enough records to split into several chunks, with histories that build up per user."""
    base = [
        json.loads(line)
        for line in (SAMPLES / "logins.jsonl").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    with path.open("w") as out:
        for r in range(rounds):
            for n, record in enumerate(base):
                text = json.dumps(record).replace('"2026-', f'"{2026 + r}-')
                record = json.loads(text)
                record.pop("expect", None)
                record["id"] = f"{record['id']}-r{r}"
                record["user"]["user_id"] = f"{record['user']['user_id']}#{(n + r) % users}"
                out.write(json.dumps(record) + "\n")
    return path
