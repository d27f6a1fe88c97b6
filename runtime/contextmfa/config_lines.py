"""Where each key of a ``tenant.toml`` is written, so config problems carry a line number.

``tomllib`` returns values only; this scanner walks the same (already valid) TOML text and
records the line of every table header, every key and every element of an array:
``{"flow": 3, "flow.actions": 5, "flow.actions[1]": 7, "risk.deny_lists.tor": 12, ...}``.
:func:`line_of` then answers for the most precise known prefix of a key, so a problem inside
an inline table or a nested value still points at the line that holds it.

It understands what a config uses: tables and arrays of tables, bare, quoted and dotted keys,
basic and literal strings (one-line and multi-line), arrays and inline tables nested to any
depth, comments, and scalars. It never raises: text it cannot follow yields fewer lines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["key_lines", "line_of"]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR = re.compile(r"[^,\]}\r\n#]*")
_SPACE = " \t"


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.line = 1
        self.lines: dict[str, int] = {}
        self.tables: dict[str, int] = {}  # array-of-tables name -> elements seen

    # -- characters -----------------------------------------------------------------------------

    def peek(self, size: int = 1) -> str:
        return self.text[self.i : self.i + size]

    def advance(self, count: int = 1) -> None:
        chunk = self.text[self.i : self.i + count]
        self.line += chunk.count("\n")
        self.i += len(chunk)

    def skip_space(self, newlines: bool = False) -> None:
        """Spaces (and newlines and comments when ``newlines``); a comment ends at its line."""
        while self.i < len(self.text):
            char = self.text[self.i]
            if char in _SPACE or (newlines and char in "\r\n"):
                self.advance()
            elif char == "#":
                end = self.text.find("\n", self.i)
                self.advance((end if end >= 0 else len(self.text)) - self.i)
            else:
                return

    def skip_string(self) -> str:
        """Skip a string at the cursor; returns its text (unescaped only as far as keys need)."""
        for quote in ('"""', "'''", '"', "'"):
            if self.peek(len(quote)) == quote:
                break
        start = self.i + len(quote)
        end = start
        while end < len(self.text):
            if quote[0] == '"' and self.text[end] == "\\":
                end += 2
                continue
            if self.text.startswith(quote, end):
                break
            end += 1
        value = self.text[start:end]
        self.advance(end + len(quote) - self.i)
        return value.replace('\\"', '"') if quote == '"' else value

    # -- keys, values, statements ---------------------------------------------------------------

    def key(self) -> list[str]:
        parts = []
        while True:
            self.skip_space()
            if self.peek() in ('"', "'"):
                parts.append(self.skip_string())
            else:
                match = _BARE.match(self.text, self.i)
                if match is None:
                    return parts
                parts.append(match.group())
                self.advance(match.end() - self.i)
            self.skip_space()
            if self.peek() != ".":
                return parts
            self.advance()

    def record(self, path: str) -> None:
        self.lines.setdefault(path, self.line)

    def value(self, path: str) -> None:
        self.skip_space()
        char = self.peek()
        if char == "[":
            self.advance()
            index = 0
            while self.i < len(self.text):
                self.skip_space(newlines=True)
                if self.peek() in ("]", ""):
                    break
                start = self.i
                self.record(f"{path}[{index}]")
                self.value(f"{path}[{index}]")
                self.skip_space(newlines=True)
                if self.peek() == ",":
                    self.advance()
                    index += 1
                elif self.i == start:  # never loop in place, whatever the text
                    self.advance()
            self.advance()
        elif char == "{":
            self.advance()
            while self.i < len(self.text):
                self.skip_space()
                if self.peek() in ("}", ""):
                    break
                start = self.i
                self.pair(path)
                self.skip_space()
                if self.peek() == "," or self.i == start:
                    self.advance()
            self.advance()
        elif char in ('"', "'"):
            self.skip_string()
        else:
            match = _SCALAR.match(self.text, self.i)
            self.advance(match.end() - self.i if match else 0)

    def pair(self, prefix: str) -> None:
        parts = self.key()
        if not parts:  # not a key: skip the rest of the line
            end = self.text.find("\n", self.i)
            self.advance((end if end >= 0 else len(self.text)) - self.i)
            return
        path = ".".join([prefix, *parts] if prefix else parts)
        for depth in range(1, len(parts) + 1):  # a.b.c = 1 also places a and a.b
            self.record(".".join([prefix, *parts[:depth]] if prefix else parts[:depth]))
        self.skip_space()
        if self.peek() == "=":
            self.advance()
            self.value(path)

    def header(self) -> str:
        many = self.peek(2) == "[["
        self.advance(2 if many else 1)
        parts = self.key()
        for depth in range(1, len(parts)):  # [secrets.x] also places secrets
            self.record(".".join(parts[:depth]))
        name = ".".join(parts)
        self.skip_space()
        self.advance(2 if many else 1)
        if many:
            index = self.tables.get(name, 0)
            self.tables[name] = index + 1
            name = f"{name}[{index}]"
        self.record(name)
        return name

    def scan(self) -> dict[str, int]:
        prefix = ""
        while self.i < len(self.text):
            self.skip_space(newlines=True)
            if self.i >= len(self.text):
                break
            start = self.i
            if self.peek() == "[":
                prefix = self.header()
            else:
                self.pair(prefix)
            if self.i == start:
                self.advance()
        return self.lines


def key_lines(text: str) -> dict[str, int]:
    """Every key path of a TOML text (``flow.actions[1]``) and the line it is written on."""
    try:
        return _Scanner(text).scan()
    except (IndexError, ValueError):  # text it cannot follow: what was found so far is lost
        return {}


def line_of(lines: Mapping[str, int], key: str) -> int:
    """The line of ``key``, or of its closest known parent; 0 when none is known."""
    while key:
        if key in lines:
            return lines[key]
        cut = max(key.rfind("."), key.rfind("["))
        key = key[:cut] if cut > 0 else ""
    return 0
