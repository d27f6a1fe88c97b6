"""A private copy of samples/ for tests that replay or serve it, with generous Action time.

The sample configs give each Action 100 ms of wall time, as a tenant would. A test compares
decisions login by login, and a pause of a loaded machine (a CI box running Chromium next door)
must not turn a slow Action into a timeout, so copies get :data:`GENEROUS_TIMEOUT_MS`. The copy
holds ``samples/`` and the ``actions/`` beside it, which the sample config refers to.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
GENEROUS_TIMEOUT_MS = 5000


def copy_samples(root: Path) -> Path:
    """Copy samples/ and actions/ into ``root``; returns the copy of samples/."""
    shutil.copytree(SAMPLES, root / "samples")
    shutil.copytree(ROOT / "actions", root / "actions")
    copied = root / "samples"
    for config in (copied / "tenant.toml", copied / "always" / "tenant.toml"):
        text = config.read_text(encoding="utf-8")
        if "timeout_ms = 100\n" in text:
            text = text.replace("timeout_ms = 100\n", f"timeout_ms = {GENEROUS_TIMEOUT_MS}\n")
        else:
            text += f"\n[sandbox]\ntimeout_ms = {GENEROUS_TIMEOUT_MS}\n"
        config.write_text(text, encoding="utf-8")
    return copied
