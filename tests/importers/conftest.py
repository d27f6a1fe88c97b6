"""Fixtures for the importers: realistic Auth0 exports, and the command as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from sample_tree import copy_samples
from typer.testing import CliRunner

from contextmfa.cli import import_command

DATA = Path(__file__).resolve().parent / "data"
SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _app() -> typer.Typer:
    """The ``import`` group on an app of its own, as ``contextmfa`` registers it."""
    app = typer.Typer(add_completion=False)

    @app.callback()
    def root() -> None:
        """contextmfa"""

    import_command.register(app)
    return app


class Run:
    def __init__(self) -> None:
        self.runner = CliRunner()
        self.app = _app()

    def __call__(self, *args: object):
        return self.runner.invoke(self.app, ["import", *(str(a) for a in args)])


@pytest.fixture
def cli() -> Run:
    return Run()


@pytest.fixture
def export() -> Path:
    """A page-by-page Management API export (GET /api/v2/logs): newest first, one login
    repeated where two pages overlapped. Written from Auth0's published log schemas."""
    return DATA / "auth0-logs.json"


@pytest.fixture
def stream() -> Path:
    """The same events as delivered by a log stream to Amazon EventBridge, one per line."""
    return DATA / "auth0-eventbridge.jsonl"


@pytest.fixture
def logs(export: Path) -> list[dict]:
    return json.loads(export.read_text())


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A read-only use of samples/ with 5 s of Action wall time instead of 100 ms, so a pause of
    a loaded machine never turns a sample decision into a timeout."""
    return copy_samples(tmp_path_factory.mktemp("samples-copy"))


def events_of(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def parse():
    return events_of
