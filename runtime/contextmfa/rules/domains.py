"""Field domains: the only values a field ever holds, so a literal outside one is an error.

A literal a field can never hold makes a rule that never matches, and for a deny list that is a
silent pass: ``geo.country in ["CUB", "IRN", "PRK"]`` (alpha-3 codes, where ``geo.country`` holds
alpha-2) lets a login from Cuba through. The checker asks the field's domain about each literal
it is compared with (in the rule, in a named list, in a list file) and reports the domain's
message, which names what the author most likely meant: ``did you mean "CU"?``.

Each domain answers ``problem(value, field) -> message | None``; values of another type are not
its business (the type checker reports those).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from contextmfa.enrich.geoip import COUNTRY_CODE3
from contextmfa.rules.countries import ALPHA2, ALPHA3, CONTINENTS, continent_code, country_code
from contextmfa.rules.diagnostics import written
from contextmfa.rules.values import WEEKDAYS

__all__ = [
    "CONTINENT",
    "COUNTRY",
    "COUNTRY3",
    "DATE",
    "Choices",
    "Domain",
    "WholeNumbers",
    "weekday_suggestion",
]


class Domain(Protocol):
    bounds: bool
    """Whether the bounds of ``between`` must be values too (dates), or only points of an
    order (``geo.country between "AA" and "MZ"`` is a fair alphabetical range)."""

    def problem(self, value: Any, field: str) -> str | None:
        """None when ``field`` can hold ``value``; otherwise the error message."""

    def holds(self, value: Any) -> bool:
        """``problem(value, ...) is None``, without working out a suggestion (for counting)."""


@dataclass(frozen=True, slots=True)
class Choices:
    """A short fixed vocabulary (risk codes, factor names): suggest the closest spelling."""

    values: tuple[str, ...]
    bounds: bool = False

    def problem(self, value: Any, field: str) -> str | None:
        if not isinstance(value, str) or value in self.values:
            return None
        close = difflib.get_close_matches(value, self.values, n=1, cutoff=0.6)
        if close:
            hint = f"; did you mean {written(close[0])}?"
        else:
            hint = f" (one of: {', '.join(written(v) for v in self.values)})"
        return f"{written(value)} is never a value of {field}{hint}"

    def holds(self, value: Any) -> bool:
        return not isinstance(value, str) or value in self.values


@dataclass(frozen=True, slots=True)
class Codes:
    """Codes of a standard (countries, continents); ``meant`` finds the code a text stands for."""

    members: frozenset[str]
    standard: str
    meant: Callable[[str], str | None]
    example: str
    elsewhere: Callable[[str], str] | None = None
    bounds: bool = False

    def problem(self, value: Any, field: str) -> str | None:
        if not isinstance(value, str) or value in self.members:
            return None
        message = f"{written(value)} is never a value of {field}, which holds {self.standard}"
        guess = self.meant(value)
        if guess is not None:
            return f"{message}; did you mean {written(guess)}?"
        if self.elsewhere is not None and (other := self.elsewhere(value)):
            return message + other
        return message + (f", such as {written(self.example)}" if self.example else "")

    def holds(self, value: Any) -> bool:
        return not isinstance(value, str) or value in self.members


def _country3(text: str) -> str | None:
    code = country_code(text)
    return None if code is None else COUNTRY_CODE3[code]


def _continent_not_country(text: str) -> str:
    """``"EU"`` in a country test: a continent code that is no country's code."""
    if text in CONTINENTS and text not in ALPHA2:
        return f"; {written(text)} is a continent: write geo.continent == {written(text)}"
    return ""


COUNTRY = Codes(ALPHA2, "ISO 3166-1 alpha-2 codes", country_code, "NL", _continent_not_country)
COUNTRY3 = Codes(ALPHA3, "ISO 3166-1 alpha-3 codes", _country3, "NLD")
CONTINENT = Codes(
    frozenset(CONTINENTS),
    f"continent codes ({', '.join(CONTINENTS)})",
    continent_code,
    "",
)

_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


@dataclass(frozen=True, slots=True)
class Dates:
    """``YYYY-MM-DD`` dates that exist: ``2026-13-45`` and ``2026-02-30`` never match."""

    bounds: bool = True

    def problem(self, value: Any, field: str) -> str | None:
        if not isinstance(value, str):
            return None
        match = _DATE.fullmatch(value)
        if match is None:
            return f"{written(value)} is not a date: {field} is written YYYY-MM-DD"
        year, month, day = (int(part) for part in match.groups())
        if not 1 <= month <= 12:
            return f"{written(value)} is not a date: there is no month {month}"
        try:
            date(year, month, day)
        except ValueError:
            return f"{written(value)} is not a date: {year:04d}-{month:02d} has no day {day}"
        return None

    def holds(self, value: Any) -> bool:
        return self.problem(value, "") is None


DATE = Dates()


@dataclass(frozen=True, slots=True)
class WholeNumbers:
    """Whole numbers in a range (hours 0 to 23, minutes 0 to 59)."""

    low: int
    high: int
    bounds: bool = False

    def problem(self, value: Any, field: str) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        if value == int(value) and self.low <= value <= self.high:
            return None
        bounds = f"a whole number from {self.low} to {self.high}"
        return f"{value:g} is never a value of {field} ({bounds})"

    def holds(self, value: Any) -> bool:
        return self.problem(value, "") is None


_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def weekday_suggestion(text: str) -> str | None:
    """The weekday a text most likely means ("Monday", "Mon", "tues", "wensday": the short name)."""
    lower = text.strip().lower()
    for short, name in zip(WEEKDAYS, _DAY_NAMES, strict=True):
        if lower == short or (len(lower) >= 3 and name.startswith(lower)):
            return short
    close = difflib.get_close_matches(lower, _DAY_NAMES, n=1, cutoff=0.75)
    return WEEKDAYS[_DAY_NAMES.index(close[0])] if close else None
