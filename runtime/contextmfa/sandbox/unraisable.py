"""Errors no caller can receive, raised by Action code after its run ended.

A run's leftovers (a suspended generator in data the run is done with) can run Action code when
they are released: a ``finally`` block, after the run's meter closed. Its first hook raises a
:class:`~contextmfa.errors.SandboxError`, which Python can hand to no one and reports through
``sys.unraisablehook``: by default a traceback on stderr, which reads the Action's source file.
That is noise in the service's log at best and, in a confined worker, a file the sandbox does
not let it open (the worker is killed). :func:`install` drops these and hands every other
unraisable error to the hook that was there before.
"""

from __future__ import annotations

import sys
from typing import Any

from contextmfa.errors import SandboxError

__all__ = ["install"]


def install() -> None:
    """Put the filter in front of the process's current hook (once)."""
    previous = sys.unraisablehook
    if getattr(previous, "_contextmfa_sandbox", False):
        return

    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, SandboxError):
            return
        previous(unraisable)

    hook._contextmfa_sandbox = True  # type: ignore[attr-defined]
    sys.unraisablehook = hook
