"""The closing line of a replay: outcome counts, expectations checked and failed, Action errors,
input errors."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from contextmfa.replay.action_errors import ActionErrors, action_errors_of
from contextmfa.replay.items import OUTCOMES, ReplayItem

__all__ = ["ReplaySummary"]


@dataclass
class ReplaySummary:
    """Counts for the closing line of a replay."""

    outcomes: Counter[str] = field(default_factory=Counter)
    checked: int = 0
    failed: int = 0
    input_errors: int = 0
    action_errors: ActionErrors = field(default_factory=ActionErrors)

    def add(self, item: ReplayItem) -> None:
        if item.decision is None:
            self.input_errors += 1
            return
        self.count(item.decision.outcome, checked=item.checked, failed=bool(item.mismatches))
        login_id = item.event.id if item.event is not None else None
        self.action_errors.add(item.line, login_id, action_errors_of(item.decision.errors))

    def count(self, outcome: str | None, *, checked: bool = False, failed: bool = False) -> None:
        """Count one record by its parts (``outcome`` None = an input error)."""
        if outcome is None:
            self.input_errors += 1
            return
        self.outcomes[outcome] += 1
        if checked:
            self.checked += 1
            self.failed += failed

    def merge(self, other: ReplaySummary) -> None:
        """Add the counts of another part of the input (a cluster partition)."""
        self.outcomes.update(other.outcomes)
        self.checked += other.checked
        self.failed += other.failed
        self.input_errors += other.input_errors
        self.action_errors.merge(other.action_errors)

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
        errors = self.action_errors.total
        if errors:
            text += f"; {errors} Action error{'s' if errors != 1 else ''}"
        if self.input_errors:
            plural = "s" if self.input_errors != 1 else ""
            text += f"; {self.input_errors} record{plural} with input errors"
        return text
