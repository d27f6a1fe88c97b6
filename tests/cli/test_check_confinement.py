"""`contextmfa check` says which layers confine `serve`'s Action workers on this host, and warns
when `[sandbox] confinement = "required"` asks for one the host lacks. A host without Landlock
is played in a forked child by a seccomp filter answering its system calls with ENOSYS."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

from typer.testing import CliRunner

from contextmfa.cli.main import app
from contextmfa.sandbox.process.confine import prepare

ACTION = "def on_execute_post_login(event, api):\n    api.multifactor.enable('any')\n"


def _tenant(root: Path, sandbox: str = "") -> Path:
    (root / "step_up.py").write_text(ACTION)
    config = root / "tenant.toml"
    config.write_text(f'[tenant]\nid = "acme"\n[flow]\nactions = ["step_up.py"]\n{sandbox}')
    return config


def test_check_names_the_layers_of_this_host(cli, tmp_path: Path):
    result = cli("check", "--config", _tenant(tmp_path))
    assert result.exit_code == 0, result.output
    first, summary = result.stdout.splitlines()
    assert first.startswith(
        "sandbox: Action workers confined by no_new_privs, no capabilities, Landlock ABI "
    )
    assert first.endswith(", seccomp") and summary.endswith(
        "ok: 1 Action, 0 rule files, 0 warnings"
    )


def test_inline_actions_have_no_workers_to_report(cli, tmp_path: Path):
    result = cli("check", "--config", _tenant(tmp_path, '[sandbox]\nisolation = "inline"\n'))
    assert result.exit_code == 0 and "sandbox:" not in result.stdout


def _check_without_landlock(config: Path) -> tuple[str, str, int]:
    """``check`` in a child whose kernel, as far as it can tell, has no Landlock."""
    prepare()
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            import pyseccomp as seccomp

            rules = seccomp.SyscallFilter(seccomp.ALLOW)
            rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "landlock_create_ruleset")
            rules.load()
            result = CliRunner().invoke(app, ["check", "--config", str(config)])
            theirs.sendall(f"{result.exit_code}\0{result.stdout}\0{result.stderr}".encode())
        finally:
            os._exit(0)
    theirs.close()
    ours.settimeout(60)
    data = b""
    while chunk := ours.recv(65536):
        data += chunk
    ours.close()
    os.waitpid(pid, 0)
    code, out, err = data.decode().split("\0")
    return out, err, int(code)


def test_a_required_layer_missing_is_a_warning(tmp_path: Path):
    config = _tenant(tmp_path)
    out, err, code = _check_without_landlock(config)
    assert code == 0
    assert err.splitlines() == [
        f"{config}: warning: sandbox.confinement: this host lacks Landlock: serve refuses to "
        "run Actions"
    ]
    assert out.splitlines()[-1].endswith("ok: 1 Action, 0 rule files, 1 warning")


def test_best_effort_says_what_the_workers_run_without(tmp_path: Path):
    config = _tenant(tmp_path, '[sandbox]\nconfinement = "best-effort"\n')
    out, err, code = _check_without_landlock(config)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == (
        "sandbox: Action workers confined by no_new_privs, no capabilities, seccomp; "
        "without Landlock (best-effort)"
    )
