"""One replayed record and what its expectation found: the values every replay consumer shares."""

from __future__ import annotations

from dataclasses import dataclass

from contextmfa.decision import Decision
from contextmfa.errors import InputError
from contextmfa.events import Expectation, LoginEvent

__all__ = ["OUTCOMES", "Mismatch", "ReplayItem", "check_expectation"]

OUTCOMES = ("allow", "challenge", "enroll", "deny")


@dataclass(frozen=True, slots=True)
class Mismatch:
    field: str
    expected: object
    actual: object

    def __str__(self) -> str:
        return f"expected {self.field} {self.expected!r}, got {self.actual!r}"

    def __reduce__(self) -> tuple[type[Mismatch], tuple[str, object, object]]:
        return (Mismatch, (self.field, self.expected, self.actual))


@dataclass(frozen=True, slots=True)
class ReplayItem:
    line: int
    event: LoginEvent | None = None
    decision: Decision | None = None
    error: InputError | None = None
    mismatches: tuple[Mismatch, ...] = ()

    @property
    def checked(self) -> bool:
        has_expectation = self.event is not None and self.event.expect is not None
        return has_expectation and self.decision is not None


def check_expectation(expect: Expectation, decision: Decision) -> tuple[Mismatch, ...]:
    """Compare what a record expects with its decision; factors compare as sets."""
    found = []
    if expect.outcome != decision.outcome:
        found.append(Mismatch("outcome", expect.outcome, decision.outcome))
    if expect.factors is not None and set(expect.factors) != set(decision.factors):
        found.append(Mismatch("factors", sorted(expect.factors), list(decision.factors)))
    if expect.deny_reason is not None and expect.deny_reason != decision.deny_reason:
        found.append(Mismatch("deny_reason", expect.deny_reason, decision.deny_reason))
    if expect.source is not None and expect.source != decision.source:
        found.append(Mismatch("source", expect.source, decision.source))
    return tuple(found)
