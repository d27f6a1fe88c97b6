"""Did-you-mean for messages: the closest known name to what a user wrote, quoted and shortened.

Shared by the config's messages and the rule checker, so a misspelled key and a misspelled field
are answered the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean", "quoted"]


def quoted(text: str, limit: int = 60) -> str:
    """``'text'`` for a message, shortened so a long literal cannot flood the output."""
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return repr(text)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest candidate, or an empty string."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {quoted(close[0])}?" if close else ""
