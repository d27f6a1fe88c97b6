"""``list x = file "<path>"``: lists kept in text files next to the rule file.

One entry per line, ``#`` starts a comment (whole-line or trailing), blank lines are ignored, outer
whitespace is stripped. A file whose first entry is an IP address or CIDR is an IP list and every
entry must then be one (a typo is an error naming the file and line, never a silently dropped
entry); any other file is a list of strings, taken as written. IP lists use the deny lists'
parser and lookup structure (``enrich.iplists.IPRangeSet``): 50,000 entries load in about
0.2 s and are looked up in about a microsecond. A file named by several rule files is read once
per compile.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, replace
from pathlib import Path

from contextmfa.enrich.iplists import IPRangeSet
from contextmfa.errors import Problem
from contextmfa.rules.checked import Const, ListValue
from contextmfa.rules.diagnostics import Report, quoted
from contextmfa.rules.nodes import Pos
from contextmfa.rules.values import IP, STRING

__all__ = ["MAX_LIST_BYTES", "ListFiles"]

MAX_LIST_BYTES = 64 << 20
"""A list file larger than this is refused (about two million CIDRs)."""

MAX_REPORTED_LINES = 10
"""Bad entries reported per file; the rest are counted."""


@dataclass(frozen=True, slots=True)
class _Loaded:
    value: ListValue | None
    failure: str | None  # why the file could not be read (reported at every reference)


def _entries(text: str) -> list[tuple[int, str]]:
    lines = text.removeprefix("\ufeff").splitlines()
    found = []
    for number, line in enumerate(lines, start=1):
        entry = line.partition("#")[0].strip()
        if entry:
            found.append((number, entry))
    return found


def _is_address(entry: str) -> bool:
    try:
        IPRangeSet.from_entries([entry])
    except ValueError:
        return False
    return True


class ListFiles:
    """Reads list files for one compile, each once; problems go to the referring file's report."""

    def __init__(self) -> None:
        self._loaded: dict[Path, _Loaded] = {}

    def load(self, path: Path, shown: str, name: str, at: Pos, report: Report) -> ListValue | None:
        """The list in ``path`` (``shown`` is how messages name it); None after reporting."""
        try:
            key = path.resolve()
        except (OSError, ValueError):  # a NUL byte, a loop of links
            key = path
        loaded = self._loaded.get(key)
        if loaded is None:
            loaded = self._loaded[key] = self._read(path, shown, name, report)
        if loaded.failure is not None:
            report.error(at, f"cannot read list file {shown}: {loaded.failure}", "list_file")
        if loaded.value is not None and loaded.value.name != name:
            return replace(loaded.value, name=name)
        return loaded.value

    def _read(self, path: Path, shown: str, name: str, report: Report) -> _Loaded:
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):  # a directory, a FIFO, /dev/zero
                return _Loaded(None, "not a regular file")
            if info.st_size > MAX_LIST_BYTES:
                return _Loaded(None, f"larger than {MAX_LIST_BYTES >> 20} MiB")
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            return _Loaded(None, exc.strerror or type(exc).__name__)
        except UnicodeDecodeError:
            return _Loaded(None, "not UTF-8 text")
        except ValueError:
            return _Loaded(None, "not a valid file name")
        entries = _entries(text)
        if entries and _is_address(entries[0][1]):
            return _Loaded(self._addresses(entries, shown, name, report), None)
        items = tuple(Const(STRING, e, e, Pos(line, 1)) for line, e in entries)
        members = frozenset(e for _, e in entries)
        value = ListValue(STRING if entries else None, members, None, items, name, shown)
        return _Loaded(value, None)

    @staticmethod
    def _addresses(
        entries: list[tuple[int, str]], shown: str, name: str, report: Report
    ) -> ListValue | None:
        try:
            ranges = IPRangeSet.from_entries(entry for _, entry in entries)
        except ValueError:
            bad = [(line, entry) for line, entry in entries if not _is_address(entry)]
            for line, entry in bad[:MAX_REPORTED_LINES]:
                message = f"{quoted(entry)} is not an IP address or CIDR (list {name} is a list "
                message += "of addresses: its first entry is one)"
                report.problems.append(Problem(shown, line, 1, message, code="list_file"))
            if len(bad) > MAX_REPORTED_LINES:
                more = len(bad) - MAX_REPORTED_LINES
                line = bad[MAX_REPORTED_LINES][0]
                message = f"{more} more entries are not IP addresses or CIDRs"
                report.problems.append(Problem(shown, line, 1, message, code="list_file"))
            return None
        return ListValue(IP, frozenset(), ranges, (), name, shown)
