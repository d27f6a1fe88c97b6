"""``print`` inside an Action, and keeping secret values out of everything the run reports.

Each ``print(...)`` call is one log line of the decision, tagged with the Action, secret values
replaced by ``[REDACTED]``, then cut to ``max_line_chars``. After ``max_output_lines`` lines,
further calls are dropped: logging is for debugging and must never change a login's outcome, so
running out of lines is not an error, but one last line says how many were dropped
(``... 37 more lines dropped (max_output_lines = 50)``), so the author knows the log is cut.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "[REDACTED]"
MIN_REDACTED_CHARS = 6
"""Shorter [secrets] values ("3", "tor", "true") are configuration, not credentials: replacing
every "3" in every log line would mangle diagnostics and still reveal the value."""
_HOST_FILE = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][\w.@+-]+)+\.pyc?\b")
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")
"""Memory addresses, as in ``<Foo object at 0x7f...>``: they would tell the host's layout."""


def hide_addresses(text: str) -> str:
    return _ADDRESS.sub(">", text) if " at 0x" in text else text


@dataclass(frozen=True, slots=True)
class LogLine:
    """One ``print`` of one Action."""

    action: str
    line: str


class Redactor:
    """Replaces every configured secret value (longest first) in a text, in each spelling a
    secret takes on its way out: as is, ``repr()``-quoted, JSON-escaped (also with ``\\/``, as
    many services write it) and percent-encoded (a form field or query parameter)."""

    __slots__ = ("_groups", "_values", "longest")

    def __init__(self, secrets: Mapping[str, str]) -> None:
        groups = []
        if secrets:
            for value in secrets.values():
                if isinstance(value, str) and len(value) >= MIN_REDACTED_CHARS:
                    groups.append(frozenset(_spellings(value)))
        self._set_groups(groups)

    def _set_groups(self, groups: list[frozenset[str]]) -> None:
        self._groups = tuple(groups)
        values = set().union(*groups) if groups else set()
        self._values: tuple[str, ...] = tuple(sorted(values, key=len, reverse=True))
        self.longest = len(self._values[0]) if self._values else 0

    def __call__(self, text: str) -> str:
        for value in self._values:
            if value in text:
                text = text.replace(value, REDACTED)
        return text

    def narrowed_to(self, text: str) -> Redactor:
        """A redactor of only the secrets that occur in ``text`` (in any spelling), each with
        all its spellings: a secret sent form-encoded may come back as is, and the reverse."""
        narrowed = Redactor({})
        narrowed._set_groups([g for g in self._groups if any(value in text for value in g)])
        return narrowed


def _spellings(value: str) -> set[str]:
    # Exception messages quote values with repr() and JSON escapes them: match those
    # spellings too, or a secret with a quote or newline slips through.
    json_text = json.dumps(value)[1:-1]
    forms = {value, repr(value)[1:-1], json_text, json_text.replace("/", "\\/")}
    for encoded in (quote_plus(value, safe=""), quote(value, safe="")):
        forms.update((encoded, re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), encoded)))
    return forms


def scrub_message(text: str, redact: Redactor, action_path: str, limit: int) -> str:
    """An error message fit for a decision: no secret, no host file path, bounded length."""
    text = hide_addresses(redact(text))
    text = _HOST_FILE.sub(lambda m: m.group(0) if m.group(0) == action_path else "<host>", text)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


class Printer:
    """The object behind RestrictedPython's ``_print``: collects one line per call."""

    __slots__ = (
        "_action",
        "_dropped",
        "_line_chars",
        "_lines",
        "_max_lines",
        "_redact",
        "_to_text",
    )

    def __init__(self, action: str, max_lines: int, line_chars: int, redact: Redactor) -> None:
        self._action = action
        self._max_lines = max_lines
        self._line_chars = line_chars
        self._redact = redact
        self._to_text: Callable[[Any], str] = str
        self._lines: list[LogLine] = []
        self._dropped = 0

    def reset(self, redact: Redactor) -> None:
        """No lines yet, and ``redact`` for this run's secrets (a reused printer, kit.py)."""
        self._redact = redact
        self._lines = []
        self._dropped = 0

    def bind(self, to_text: Callable[[Any], str]) -> None:
        """Set the bounded ``str()`` of the run (the guards need the printer first)."""
        self._to_text = to_text

    def _call_print(
        self,
        *objects: Any,
        sep: str | None = " ",
        end: str | None = "\n",
        file: Any = None,
        flush: bool = False,
    ) -> None:
        if file is not None:
            raise TypeError("print(file=...) is not available in Actions")
        if sep is not None and not isinstance(sep, str):
            raise TypeError("sep must be None or a string")
        if len(self._lines) >= self._max_lines:
            self._dropped += 1
            return
        # Only the first line_chars survive; keep enough beyond them that a secret starting
        # inside the kept part is still whole when redacted.
        keep = self._line_chars + self._redact.longest
        sep = " " if sep is None else sep
        parts: list[str] = []
        size = 0
        for index, obj in enumerate(objects):
            part = self._to_text(obj) if index == 0 else sep + self._to_text(obj)
            parts.append(part)
            size += len(part)
            if size >= keep:
                break
        text = hide_addresses(self._redact("".join(parts)[:keep]))[: self._line_chars]
        self._lines.append(LogLine(self._action, text))

    def __call__(self) -> str:
        """RestrictedPython's ``printed``: the text printed so far."""
        return "\n".join(line.line for line in self._lines)

    def lines(self) -> tuple[LogLine, ...]:
        """The printed lines, then (when some were dropped) the line that says how many."""
        if not self._dropped:
            return tuple(self._lines)
        more = "more " if self._lines else ""
        noun = "line" if self._dropped == 1 else "lines"
        note = f"... {self._dropped} {more}{noun} dropped (max_output_lines = {self._max_lines})"
        return (*self._lines, LogLine(self._action, note[: self._line_chars]))
