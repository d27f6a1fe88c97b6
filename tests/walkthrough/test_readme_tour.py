"""The README's tour, run as written from a fresh clone.

Every fenced ``sh`` block between ``## A tour`` and ``## The Actions API`` is run verbatim, in
order, from a copy of the repository's tracked files, with the installed ``contextmfa`` on the
PATH. A block that names a file the tour never creates, or a command that fails, fails here:
the README is what a new user trusts first.

One change is made to the copy: the sample tenant's Actions get the generous wall time every
test that replays the samples gives them (``sample_tree``), so a pause of a loaded machine
cannot turn a recorded decision into a timeout. The commands are untouched.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sample_tree import GENEROUS_TIMEOUT_MS
from shell import Shell

ROOT = Path(__file__).resolve().parents[2]
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def tour_blocks(readme: str) -> list[str]:
    """The shell blocks of the section ``## A tour``, in order."""
    section = readme.split("\n## A tour\n", 1)[1].split("\n## The Actions API\n", 1)[0]
    return SH_BLOCK.findall(section)


def fresh_clone(target: Path) -> Path:
    """The tracked files of the checkout as they are now, nothing else (no venv, no caches,
    nothing untracked)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: no tracked files to copy")
    for name in listed.decode("utf-8").split("\0"):
        source = ROOT / name
        if name and source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    config = target / "samples" / "tenant.toml"
    text = config.read_text(encoding="utf-8")
    assert "timeout_ms = 100\n" in text
    config.write_text(text.replace("timeout_ms = 100\n", f"timeout_ms = {GENEROUS_TIMEOUT_MS}\n"))
    return target


def test_the_tour_has_commands_to_run() -> None:
    blocks = tour_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    commands = " ".join(blocks)
    for command in ("contextmfa test", "contextmfa check", "contextmfa evaluate", "replay"):
        assert command in commands


def test_the_tour_runs_verbatim_from_a_fresh_clone(tmp_path: Path) -> None:
    clone = fresh_clone(tmp_path / "contextmfa")
    shell = Shell(clone)
    for block in tour_blocks((clone / "README.md").read_text(encoding="utf-8")):
        seen = shell.sh(block)
        assert (seen.code, seen.err) == (0, []), f"README tour block:\n{block}\n{seen}"
        if "contextmfa check" in block:
            assert any(": ok: " in line for line in seen.out), seen
        if "contextmfa replay" in block:
            assert any(", 0 failed" in line for line in seen.out), seen
