"""A real ``contextmfa serve`` with process isolation: every Action worker it forks is confined
(``NoNewPrivs: 1``, ``Seccomp: 2``, no capabilities, Landlock as the worker reported it), serve
says so in its log, and logins are decided by those workers."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from service_helpers import SECRET_KEY, bearer, login_event, write_tenant
from service_process import Server, serving


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[Server, str]]:
    directory: Path = tmp_path_factory.mktemp("confined")
    files = write_tenant(directory, "acme")
    text = files.path.read_text()
    files.path.write_text(text.replace('isolation = "inline"', 'isolation = "process"'))
    env = {"CONTEXTMFA_SECRET_KEY": SECRET_KEY, **files.env}
    with serving(["--config", str(files.path)], env, directory) as running:
        yield running, files.api_key


def _children(pid: int) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(name))
    return found


def _status(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        return dict(line.rstrip("\n").split(":\t", 1) for line in status if ":\t" in line)


def _action_workers(server: Server) -> list[int]:
    """The workers: children of the fork servers serve started (``python -I -c ...zygote``)."""
    servers = [
        pid
        for pid in _children(server.process.pid)
        if b"zygote" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]
    return [worker for fork_server in servers for worker in _children(fork_server)]


def _log_lines(server: Server) -> list[dict]:
    lines = []
    for line in server.logs().splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


def test_every_action_worker_is_confined(server):
    running, api_key = server
    answer = running.client.post("/v1/logins", json=login_event(), headers=bearer(api_key))
    assert answer.status_code == 200, answer.text
    workers = _action_workers(running)
    assert len(workers) == 2  # the tenant's pool
    for pid in workers:
        status = _status(pid)
        assert status["NoNewPrivs"] == "1"
        assert status["Seccomp"] == "2"
        assert status["CapEff"] == status["CapPrm"] == "0000000000000000"


def test_serve_says_which_layers_are_active(server):
    running, _ = server
    said = [line for line in _log_lines(running) if line.get("logger") == "contextmfa.sandbox"]
    assert said, running.logs()
    line = said[0]
    assert line["level"] == "info" and line["missing"] == []
    assert line["message"].startswith(
        "Action workers confined: no_new_privs, no capabilities, Landlock ABI "
    )
    assert line["message"].endswith(", seccomp")
