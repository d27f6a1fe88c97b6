from __future__ import annotations

import json
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

    def __call__(self, *args: str):
        return self.runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def cli() -> Run:
    return Run()


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of samples/ (and the actions/ it refers to) whose Actions get 5 s instead of
    100 ms: a pause of the test process must not turn a recorded decision into a timeout."""
    return copy_samples(tmp_path_factory.mktemp("checkout"))


@pytest.fixture
def sample_event() -> dict:
    return json.loads((SAMPLES / "events" / "admin-office.json").read_text())


@pytest.fixture
def tenant(tmp_path: Path) -> Path:
    """A small tenant of its own: one Action, defaults elsewhere."""
    (tmp_path / "step_up.py").write_text(
        "def on_execute_post_login(event, api):\n"
        "    if 'admin' in event.authorization.roles:\n"
        "        api.authentication.challenge_with('otp')\n"
    )
    path = tmp_path / "tenant.toml"
    path.write_text('[tenant]\nid = "acme"\n[flow]\nactions = ["step_up.py"]\n')
    return path
