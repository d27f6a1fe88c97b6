"""A user at a shell: the installed ``contextmfa`` run in a subprocess, and what it shows them.

The walkthrough tests play a user who has only the README. Each step runs the venv's console
script (never typer's in-process runner), in a directory of the user's own, with an environment
of a plain login shell: no colours forced, no terminal width but 80 columns, no CONTEXTMFA_*
variables. What comes back is what the user reads: the exit code, and stdout and stderr as lines
with the table padding at their ends dropped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
CONTEXTMFA = BIN / "contextmfa"
SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@dataclass(frozen=True)
class Seen:
    """What one command showed: its exit code and its output, line by line."""

    code: int
    out: list[str]
    err: list[str]

    def json(self) -> Any:
        return json.loads("\n".join(self.out))


def _lines(data: bytes) -> list[str]:
    return [line.rstrip() for line in data.decode("utf-8").splitlines()]


class Shell:
    """Runs commands in ``cwd`` the way a user types them."""

    def __init__(self, cwd: Path) -> None:
        if not CONTEXTMFA.exists():
            raise RuntimeError(f"{CONTEXTMFA} is missing: install the project (pip install -e .)")
        self.cwd = cwd

    def env(self, hash_seed: str = "0") -> dict[str, str]:
        return {
            "PATH": f"{BIN}{os.pathsep}/usr/bin{os.pathsep}/bin",
            "HOME": str(self.cwd),
            "LANG": "C.UTF-8",
            "COLUMNS": "80",
            "PYTHONHASHSEED": hash_seed,
        }

    def contextmfa(self, *args: object, stdin: bytes = b"", hash_seed: str = "0") -> Seen:
        """``contextmfa ARGS...``; ``hash_seed`` is the interpreter's PYTHONHASHSEED, which a
        user never sets and which differs between their runs."""
        return self._run([str(CONTEXTMFA), *map(str, args)], stdin, hash_seed)

    def sh(self, script: str) -> Seen:
        """Lines of shell, pipes included, as a careful script runs them: bash stops at the
        first command that fails (``-e``), and a pipe's exit code is that of its last command
        that failed (``pipefail``)."""
        return self._run(["bash", "-e", "-o", "pipefail", "-c", script], b"", "0")

    def write(self, name: str, text: str | bytes) -> Path:
        path = self.cwd / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def _run(self, argv: list[str], stdin: bytes, hash_seed: str) -> Seen:
        done = subprocess.run(
            argv,
            cwd=self.cwd,
            env=self.env(hash_seed),
            input=stdin,
            capture_output=True,
            timeout=120,
            check=False,
        )
        return Seen(done.returncode, _lines(done.stdout), _lines(done.stderr))


def sample_event(name: str) -> dict[str, Any]:
    """One of samples/events/, as a user would copy and edit it."""
    return json.loads((SAMPLES / "events" / f"{name}.json").read_text(encoding="utf-8"))


def jsonl(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)
