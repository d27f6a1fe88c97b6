"""Value checks: a literal a field can never hold is an error where it is written.

The type checker (``conditions``) has already made sure the two sides of a test are of kinds
that go together; these checks go one step further and ask the field's domain (``domains``)
about every literal it meets: in the rule (``geo.country == "CUB"``), in a named list, or on a
line of a list file (reported at that file and line). A list file holds text as written, so a
file used with a weekday or time-of-day field is read as weekdays or times here, entry by entry.
"""

from __future__ import annotations

import re
from dataclasses import replace

from contextmfa.errors import Problem
from contextmfa.rules import checked as c
from contextmfa.rules import nodes as n
from contextmfa.rules.diagnostics import Report, quoted, written
from contextmfa.rules.domains import weekday_suggestion
from contextmfa.rules.fields import Field
from contextmfa.rules.literals import make_list
from contextmfa.rules.values import STRING, TIME, WEEKDAY, WEEKDAYS, parse_time

__all__ = ["MAX_LIST_REPORTS", "ValueChecks"]

MAX_LIST_REPORTS = 10
"""Problems reported per list and field; the rest are counted in one more line."""

_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})")


def _time_suggestion(text: str) -> str | None:
    """``"8:30"`` means 08:30: the time of day a quoted text spells, if it spells one."""
    match = _CLOCK.fullmatch(text.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        return None
    return f"{int(match[1]):02d}:{match[2]}"


def _holds(fld: Field, const: c.Const) -> bool:
    return fld.domain is None or fld.domain.holds(const.value)


def _lower(fld: Field, const: c.Const) -> bool:
    """A lower-case code where upper case is held (a warning, when the domain allows it)."""
    value = const.value
    return fld.upper and const.type == STRING and value != value.upper() and _holds(fld, const)


_UNQUOTED = {WEEKDAY: ("weekdays", weekday_suggestion), TIME: ("times of day", _time_suggestion)}


class ValueChecks:
    """The value checks of one file; each (list, field) pair is checked once."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self._members: dict[tuple[int, str], bool] = {}
        self._typed: dict[tuple[int, str], c.ListValue | None] = {}

    def constant(self, fld: Field, const: c.Const, file: str | None = None) -> bool:
        """Report a literal ``fld`` can never hold; False after an error."""
        where = file or self.report.path
        if fld.domain is not None:
            message = fld.domain.problem(const.value, fld.name)
            if message is not None:
                self._problem(where, const.pos, message, "error", "unknown_value")
                return False
        value = const.value
        if const.type == STRING and fld.upper and value != value.upper():
            message = f"{fld.name} holds upper-case codes: {quoted(value)} never matches"
            message += f" (write {quoted(value.upper())})"
            self._problem(where, const.pos, message, "warning", "case")
        return True

    def bound(self, side: c.Value, const: c.Const) -> bool:
        """A bound of ``between``: checked when the field's domain orders only its own values."""
        if not isinstance(side, c.FieldRef) or side.field.domain is None:
            return True
        return self.constant(side.field, const) if side.field.domain.bounds else True

    def members(self, fld: Field, values: c.ListValue) -> bool:
        """Check a list's elements against ``fld`` once per (list, field); False after an error."""
        key = (id(values), fld.name)
        if key not in self._members:
            mark, ok, rest = len(self.report.problems), True, 0
            for index, const in enumerate(values.items):
                if len(self.report.problems) - mark > MAX_LIST_REPORTS:
                    # Enough is shown: count the rest without working out suggestions (a list
                    # file of 50,000 user ids tested as countries would take a minute).
                    outside = [c for c in values.items[index:] if not _holds(fld, c)]
                    rest = len(outside) + sum(1 for c in values.items[index:] if _lower(fld, c))
                    ok = ok and not outside
                    break
                ok = self.constant(fld, const, values.file) and ok
            self._cap(mark, rest)
            self._members[key] = ok
        return self._members[key]

    def typed_file_list(self, fld: Field, values: c.ListValue) -> c.ListValue | None:
        """A list file of text read as ``fld``'s weekdays or times; None after reporting."""
        key = (id(values), fld.type)
        if key not in self._typed:
            mark = len(self.report.problems)
            items = [self._entry(fld.type, const, values.file) for const in values.items]
            self._cap(mark)
            typed = None
            if all(item is not None for item in items):
                built = make_list(fld.type, tuple(items), values.name)  # type: ignore[arg-type]
                typed = replace(built, file=values.file)
            self._typed[key] = typed
        return self._typed[key]

    def unquoted(self, side: object, other: object, pos: n.Pos) -> bool:
        """A weekday or time field tested against quoted text: say to drop the quotes.

        True when that was the mistake (and it is reported), False to let the caller report a
        plain type mismatch.
        """
        if not isinstance(side, c.FieldRef) or side.field.type not in _UNQUOTED:
            return False
        kinds, suggest = _UNQUOTED[side.field.type]
        start = f"{side.field.name} holds {kinds}, written without quotes"
        if isinstance(other, c.Const) and other.type == STRING:
            guess = suggest(other.value)
            message = f"{start}: {written(other.value)} never matches"
            message += f"; did you mean {guess}?" if guess else ""
            self.report.error(other.pos, message, "type")
            return True
        if isinstance(other, c.ListValue) and other.elem == STRING:
            guesses = [suggest(item.value) for item in other.items]
            message = f"{start}: {other.name or 'the list'} holds strings"
            if guesses and all(guesses):
                message += f"; write [{', '.join(guesses)}]"  # type: ignore[arg-type]
            self.report.error(pos, message, "type")
            return True
        return False

    # -- helpers --------------------------------------------------------------------------------

    def _entry(self, kind: str, const: c.Const, file: str | None) -> c.Const | None:
        text, where = const.text, file or self.report.path
        if kind == WEEKDAY:
            if text in WEEKDAYS:
                return c.Const(WEEKDAY, WEEKDAYS.index(text), text, const.pos)
            guess = weekday_suggestion(text)
            message = f"{quoted(text)} is not a weekday (mon to sun)"
            message += f"; did you mean {guess}?" if guess else ""
        elif not _CLOCK.fullmatch(text):
            message = f"{quoted(text)} is not a time of day: write HH:MM, as in 08:30"
        else:
            try:
                return c.Const(TIME, parse_time(text), text, const.pos)
            except ValueError as exc:
                message = str(exc)
        self._problem(where, const.pos, message, "error", "bad_entry")
        return None

    def _cap(self, mark: int, uncounted: int = 0) -> None:
        """Keep at most ``MAX_LIST_REPORTS`` of the problems found since ``mark``, then a count
        (``uncounted``: problems past them that were counted, not reported)."""
        found = self.report.problems[mark:]
        if len(found) > MAX_LIST_REPORTS:
            del self.report.problems[mark + MAX_LIST_REPORTS :]
            more = len(found) - MAX_LIST_REPORTS + uncounted
            self.report.problems.append(
                replace(found[MAX_LIST_REPORTS], message=f"... and {more} more like these")
            )

    def _problem(self, path: str, pos: n.Pos, message: str, severity: str, code: str) -> None:
        self.report.problems.append(Problem(path, pos.line, pos.col, message, severity, code))
