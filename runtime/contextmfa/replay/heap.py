"""Keep the garbage collector's full passes off what a replay process compiled once.

A replay process compiles its config (rules, Actions, GeoIP readers, validation schemas: a heap
that lives as long as the process) and then makes and drops objects login after login while its
history grows. As the history grows, CPython runs full collections, and each walks that whole
heap: a tenth of a second apiece here, about a tenth of a replay's time, and a pause that can
fall inside an Action's wall-clock limit and time it out. ``settle`` moves what exists now out
of the collector's reach (``gc.freeze``); everything made after it is collected as before.
"""

from __future__ import annotations

import gc

__all__ = ["settle"]


def settle() -> None:
    """Call once the engines are compiled, before the first login: what exists now stays."""
    gc.freeze()
