"""Replay: evaluate recorded logins in order, history built from the earlier records.

The loop is independent of how results are shown; the CLI formats them, a later diff or report
consumes the same items.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from contextmfa.decision import Decision
from contextmfa.engine import Engine
from contextmfa.enrich.history import History, InMemoryHistory
from contextmfa.errors import InputError
from contextmfa.events import EventRecord, Expectation, LoginEvent

__all__ = ["Mismatch", "ReplayItem", "ReplaySummary", "check_expectation", "replay"]

OUTCOMES = ("allow", "challenge", "enroll", "deny")


@dataclass(frozen=True, slots=True)
class Mismatch:
    field: str
    expected: object
    actual: object

    def __str__(self) -> str:
        return f"expected {self.field} {self.expected!r}, got {self.actual!r}"


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


def replay(
    engine: Engine,
    records: Iterable[EventRecord],
    history: History | None = None,
    *,
    source: str = "-",
) -> Iterator[ReplayItem]:
    """Evaluate each record; a bad record becomes an item with its error and the run goes on.

    ``source`` names the input in messages (``source:line: error: ...``).
    """
    history = history if history is not None else InMemoryHistory()
    for record in records:
        if record.event is None:
            yield ReplayItem(line=record.line, error=record.error)
            continue
        event = record.event
        try:
            decision = engine.evaluate(event, history)
        except InputError as exc:
            located = InputError(f"{source}:{record.line}: error: {exc}")
            yield ReplayItem(line=record.line, event=event, error=located)
            continue
        mismatches = check_expectation(event.expect, decision) if event.expect else ()
        yield ReplayItem(record.line, event, decision, None, mismatches)


@dataclass
class ReplaySummary:
    """Counts for the closing line of a replay."""

    outcomes: Counter[str] = field(default_factory=Counter)
    checked: int = 0
    failed: int = 0
    input_errors: int = 0

    def add(self, item: ReplayItem) -> None:
        if item.decision is None:
            self.input_errors += 1
            return
        self.outcomes[item.decision.outcome] += 1
        if item.checked:
            self.checked += 1
            self.failed += bool(item.mismatches)

    @property
    def replayed(self) -> int:
        return sum(self.outcomes.values())

    @property
    def exit_code(self) -> int:
        if self.input_errors:
            return 2
        return 1 if self.failed else 0

    def line(self) -> str:
        counts = ", ".join(f"{self.outcomes[o]} {o}" for o in OUTCOMES)
        text = (
            f"replayed {self.replayed} logins: {counts}; "
            f"{self.checked} expectations checked, {self.failed} failed"
        )
        if self.input_errors:
            plural = "s" if self.input_errors != 1 else ""
            text += f"; {self.input_errors} record{plural} with input errors"
        return text
