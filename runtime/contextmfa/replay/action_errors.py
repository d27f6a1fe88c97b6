"""Action errors over a replay: how many logins each Action failed, and with what message.

A failing Action does not stop a replay: the login follows ``[flow] on_error`` and the decision
records the error. Across a file those errors are counted per Action (an Action fails at most once
per login), each with the first few distinct messages and the first login it happened to, so a
crashing Action shows in the summary, the report and, with ``--fail-on-error``, the exit code.
Memory stays bounded whatever the number of logins.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ActionError", "ActionErrors", "PerAction", "action_errors_of"]

MESSAGES_KEPT = 5
"""Distinct messages kept per Action; the others are counted."""

ActionError = tuple[str, str, str, int | None]
"""``(action, kind, message, line)``: one entry of a decision's ``errors``, as a row carries it."""


def action_errors_of(errors: Iterable[Mapping[str, Any]]) -> tuple[ActionError, ...]:
    """A decision's ``errors`` as small tuples a replay row can carry across processes."""
    return tuple(
        (str(e.get("action")), str(e.get("kind")), str(e.get("message")), e.get("line"))
        for e in errors
    )


@dataclass
class PerAction:
    """One Action's errors: how many, which messages, where first."""

    count: int = 0
    messages: Counter[tuple[str, int | None, str]] = field(default_factory=Counter)
    """``(kind, line, message)`` → logins, for the first MESSAGES_KEPT distinct messages."""
    other_messages: int = 0
    first: tuple[int, str] | None = None
    """The first login it failed: its line and id."""

    def add(self, kind: str, message: str, line: int | None, where: tuple[int, str]) -> None:
        self.count += 1
        if self.first is None:
            self.first = where
        self._keep((kind, line, message), 1)

    def merge(self, other: PerAction) -> None:
        """Add another part of the input's errors (a cluster partition). ``first`` is the
        earlier of the two; messages past MESSAGES_KEPT distinct ones are counted as others."""
        self.count += other.count
        if other.first is not None and (self.first is None or other.first < self.first):
            self.first = other.first
        self.other_messages += other.other_messages
        for key, n in other.messages.items():
            self._keep(key, n)

    def _keep(self, key: tuple[str, int | None, str], logins: int) -> None:
        """Count a message, or past MESSAGES_KEPT distinct ones, count it among the others."""
        if key in self.messages or len(self.messages) < MESSAGES_KEPT:
            self.messages[key] += logins
        else:
            self.other_messages += logins


@dataclass
class ActionErrors:
    """Errors per Action over every replayed login of one config."""

    actions: dict[str, PerAction] = field(default_factory=dict)
    logins: int = 0
    """Logins with at least one Action error."""

    def add(self, line: int, login_id: str | None, errors: tuple[ActionError, ...]) -> None:
        if not errors:
            return
        self.logins += 1
        for action, kind, message, at in errors:
            per = self.actions.get(action)
            if per is None:
                per = self.actions[action] = PerAction()
            per.add(kind, message, at, (line, login_id or "?"))

    def merge(self, other: ActionErrors) -> None:
        """Add the errors of another part of the input (a cluster partition)."""
        self.logins += other.logins
        for action, per in other.actions.items():
            self.actions.setdefault(action, PerAction()).merge(per)

    @property
    def total(self) -> int:
        return sum(per.count for per in self.actions.values())

    def ranked(self) -> list[tuple[str, PerAction]]:
        """Most errors first, ties by name: the same replay always reads the same."""
        return sorted(self.actions.items(), key=lambda kv: (-kv[1].count, kv[0]))

    def lines(self, source: str, *, label: str = "") -> list[str]:
        """One line per Action: ``action NAME: N errors: kind at line L: message (first at
        source:line login)``, with the most frequent message."""
        out = []
        for name, per in self.ranked():
            (kind, at, message), _ = per.messages.most_common(1)[0]
            where = f" at line {at}" if at else ""
            plural = "s" if per.count != 1 else ""
            text = f"{label}action {name}: {per.count} error{plural}: {kind}{where}: {message}"
            if len(per.messages) > 1 or per.other_messages:
                text += f" (and {len(per.messages) - 1 + per.other_messages} other messages)"
            if per.first is not None:
                text += f" (first at {source}:{per.first[0]} {per.first[1]})"
            out.append(text)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "logins": self.logins,
            "actions": [
                {
                    "action": name,
                    "count": per.count,
                    "first": {"line": per.first[0], "login_id": per.first[1]}
                    if per.first
                    else None,
                    "messages": [
                        {"kind": kind, "line": at, "message": message, "count": n}
                        for (kind, at, message), n in per.messages.most_common()
                    ],
                    "other_messages": per.other_messages,
                }
                for name, per in self.ranked()
            ],
        }
