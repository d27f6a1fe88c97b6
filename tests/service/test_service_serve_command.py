"""``contextmfa serve`` refuses what it cannot serve, before it listens, with exit 2."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import serve_cli
from service_helpers import SECRET_KEY, write_tenant
from service_process import free_port
from typer.testing import CliRunner

from contextmfa.service.app import ENV_CONFIGS

pytestmark = pytest.mark.usefixtures("logging_restored")


def test_a_missing_key_is_a_config_error(tmp_path, monkeypatch):
    files = write_tenant(tmp_path, "acme")
    monkeypatch.setenv("CONTEXTMFA_SECRET_KEY", SECRET_KEY)
    monkeypatch.delenv("ACME_API_KEY", raising=False)
    result = CliRunner().invoke(serve_cli(), ["serve", "--config", str(files.path)])
    assert result.exit_code == 2
    assert "service.api_key: environment variable ACME_API_KEY is not set" in result.output


def test_an_in_memory_store_cannot_serve_several_workers(tmp_path, monkeypatch):
    files = write_tenant(tmp_path, "acme", store="sqlite://")
    monkeypatch.setenv("CONTEXTMFA_SECRET_KEY", SECRET_KEY)
    for name, value in files.env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(
        serve_cli(), ["serve", "--config", str(files.path), "--workers", "2"]
    )
    assert result.exit_code == 2
    assert "in-memory store" in result.output


def test_config_and_tenants_are_exclusive(tmp_path):
    files = write_tenant(tmp_path, "acme")
    args = ["serve", "--config", str(files.path), "--tenants", str(tmp_path)]
    result = CliRunner().invoke(serve_cli(), args)
    assert result.exit_code == 2
    assert "not both" in result.output


def test_a_read_timeout_out_of_range_is_a_usage_error(tmp_path):
    files = write_tenant(tmp_path, "acme")
    for seconds in ("0", "-1", "3601"):
        args = ["serve", "--config", str(files.path), "--read-timeout", seconds]
        result = CliRunner().invoke(serve_cli(), args)
        assert result.exit_code == 2
        assert "--read-timeout" in result.output


def _unreachable(tmp_path, monkeypatch, **where: str):
    files = write_tenant(tmp_path, "acme", **where)
    monkeypatch.setenv("CONTEXTMFA_SECRET_KEY", SECRET_KEY)
    for name, value in files.env.items():
        monkeypatch.setenv(name, value)
    return files, CliRunner().invoke(serve_cli(), ["serve", "--config", str(files.path)])


def test_a_postgresql_store_out_of_reach_is_one_located_line_without_its_password(
    tmp_path, monkeypatch
):
    port = free_port()  # nothing listens there
    url = f"postgresql+psycopg://mfa:hunter2-secret@127.0.0.1:{port}/mfa?sslmode=disable"
    files, result = _unreachable(tmp_path, monkeypatch, store=url)
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"{files.path}: error: service.store: cannot reach "
        f"postgresql+psycopg://mfa@127.0.0.1:{port}/mfa (connection refused)"
    ]
    assert "hunter2" not in result.output


def test_a_redis_out_of_reach_is_one_located_line(tmp_path, monkeypatch):
    port = free_port()
    redis = f"redis://:hunter2-secret@127.0.0.1:{port}/0"
    files, result = _unreachable(tmp_path, monkeypatch, store="sqlite:///acme.db", redis=redis)
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"{files.path}: error: service.redis: cannot reach "
        f"redis://127.0.0.1:{port}/0 (connection refused)"
    ]


def test_a_sqlite_file_that_cannot_be_opened_is_one_located_line(tmp_path, monkeypatch):
    missing = tmp_path / "no-such-directory" / "acme.db"
    files, result = _unreachable(tmp_path, monkeypatch, store=f"sqlite:///{missing}")
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"{files.path}: error: service.store: cannot reach sqlite:///{missing} "
        "(cannot open the database file)"
    ]


def test_a_worker_whose_store_went_down_after_serve_checked_it_says_so_in_one_line(tmp_path):
    """What each of ``serve --workers N``'s workers runs: uvicorn calling the app factory."""
    port = free_port()
    files = write_tenant(tmp_path, "acme", store=f"postgresql+psycopg://mfa:pw@127.0.0.1:{port}/m")
    env = {
        **os.environ,
        **files.env,
        "CONTEXTMFA_SECRET_KEY": SECRET_KEY,
        ENV_CONFIGS: str(files.path),
    }
    factory = "contextmfa.service.app:app_from_environment"
    command = [sys.executable, "-m", "uvicorn", "--factory", factory, "--port", str(free_port())]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"{files.path}: error: service.store: cannot reach "
        f"postgresql+psycopg://mfa@127.0.0.1:{port}/m (connection refused)"
    ]


def test_a_postgresql_store_that_never_answers_is_one_line_within_the_connect_timeout(
    tmp_path, monkeypatch
):
    """A host that accepts the connection and says nothing: serve gives up, it does not hang."""
    import socket
    import time

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes connections; nobody ever answers
    port = silent.getsockname()[1]
    try:
        started = time.monotonic()
        url = f"postgresql+psycopg://mfa@127.0.0.1:{port}/mfa?sslmode=disable"
        files, result = _unreachable(tmp_path, monkeypatch, store=url)
        waited = time.monotonic() - started
    finally:
        silent.close()
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert line.startswith(f"{files.path}: error: service.store: cannot reach "), line
    assert waited < 60
