"""Collecting located problems while checking, and the wording shared by the checks.

Every check reports and carries on, so one ``check`` run lists every mistake in every file
(``path:line:col: error: message``) instead of stopping at the first one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from contextmfa.errors import Problem
from contextmfa.rules.nodes import Pos
from contextmfa.spelling import did_you_mean, quoted

__all__ = ["KEYWORDS", "Report", "did_you_mean", "quoted", "written"]

KEYWORDS = frozenset(
    {
        "list", "file", "rule", "priority", "when", "deny", "require", "enroll", "skip", "mfa",
        "with", "any", "remember", "browser", "yes", "no", "and", "or", "not", "in", "between",
        "matches", "startswith", "endswith", "contains", "within", "km", "of", "is", "missing",
        "present", "true", "false",
    }
)  # fmt: skip
"""Words of the language: never the name of a list."""


def written(text: str, limit: int = 60) -> str:
    """``"text"``: a string as a rule writes it, for values a message suggests or refuses.

    Escaped like ``quoted`` (control characters cannot reach the terminal), in double quotes so
    that a suggestion can be pasted into the rule as it stands.
    """
    shown = quoted(text, limit)
    inner = shown[1:-1]
    if shown.startswith("'"):  # repr chose single quotes: unescape ', escape "
        inner = inner.replace("\\'", "'").replace('"', '\\"')
    return f'"{inner}"'


@dataclass
class Report:
    """The problems found in one file, in the order found."""

    path: str
    problems: list[Problem] = field(default_factory=list)

    def error(self, pos: Pos, message: str, code: str = "error") -> None:
        self.problems.append(Problem(self.path, pos.line, pos.col, message, "error", code))

    def warning(self, pos: Pos, message: str, code: str = "warning") -> None:
        self.problems.append(Problem(self.path, pos.line, pos.col, message, "warning", code))

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def errors_since(self, mark: int) -> bool:
        """True when an error was reported after ``mark`` (a former ``len(problems)``)."""
        return any(p.severity == "error" for p in self.problems[mark:])
