"""Did-you-mean for names an Action got wrong, Auth0's camelCase spellings included.

Actions are a snake_case port of Auth0's (``setAppMetadata`` is ``set_app_metadata`` here,
``countryCode`` is ``country_code``), so the snake_case of a camelCase name is tried first, then
the same letters without underscores or case, then the closest spelling.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

_WORD_START = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_case(name: str) -> str:
    """``countryCode3`` -> ``country_code3``; ``setAppMetadata`` -> ``set_app_metadata``."""
    return _WORD_START.sub("_", name).lower()


def _folded(name: str) -> str:
    return name.replace("_", "").lower()


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``name`` most likely meant, or None when none is close."""
    options = sorted(set(candidates))
    if not options:
        return None
    snake = snake_case(name)
    if snake in options and snake != name:
        return snake
    folded = {_folded(option): option for option in options}
    if _folded(name) in folded and folded[_folded(name)] != name:
        return folded[_folded(name)]
    for probe in (snake, name):
        found = difflib.get_close_matches(probe, options, n=1, cutoff=0.75)
        if found and found[0] != name:
            return found[0]
    found = difflib.get_close_matches(snake, options, n=1, cutoff=0.6)
    return found[0] if found and found[0] != name else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` or ``""``."""
    found = closest(name, candidates)
    return f"; did you mean {found!r}?" if found else ""
