"""Sequential replay: evaluate recorded logins in order, history built from the earlier records.

This is the in-process loop (``--workers 1``, and the library API). It is independent of how
results are shown; the CLI formats them, the diff and the report consume the same items.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from contextmfa.engine import Engine
from contextmfa.enrich.history import History, InMemoryHistory
from contextmfa.errors import InputError
from contextmfa.events import EventRecord, LoginEvent
from contextmfa.replay.items import ReplayItem, check_expectation

__all__ = ["evaluate_record", "history_for", "replay"]


class _ReadOnly:
    """A history the login reads but does not join (its MFA never passed)."""

    def __init__(self, history: History) -> None:
        self._history = history

    def add(self, *_args: object) -> None:
        return None

    def __getattr__(self, name: str) -> object:
        return getattr(self._history, name)


def history_for(event: LoginEvent, history: History) -> History:
    """``history``, or a read-only view of it for a recorded challenge or enrollment that did
    not pass: the service adds such a login to the user's history only when its MFA passes."""
    recorded = event.recorded
    if recorded is not None and recorded.mfa_passed is False:
        return _ReadOnly(history)  # type: ignore[return-value]
    return history


def evaluate_record(
    engine: Engine, record: EventRecord, history: History, *, source: str = "-"
) -> ReplayItem:
    """One record's item: its decision and expectation check, or the error that stopped it."""
    if record.event is None:
        return ReplayItem(line=record.line, error=record.error)
    event = record.event
    try:
        decision = engine.evaluate(event, history_for(event, history))
    except InputError as exc:
        located = InputError(f"{source}:{record.line}: error: {exc}")
        return ReplayItem(line=record.line, event=event, error=located)
    mismatches = check_expectation(event.expect, decision) if event.expect else ()
    return ReplayItem(record.line, event, decision, None, mismatches)


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
        yield evaluate_record(engine, record, history, source=source)
