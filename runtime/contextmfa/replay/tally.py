"""What a replay adds up, row by row: the summary, the diff, Action errors, order warnings and
the report's counts. One place for it, so that a one-process replay, the parallel one and each
partition of a cluster replay count a row the same way, and cluster partitions can be merged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from contextmfa.replay.action_errors import ActionErrors
from contextmfa.replay.diff import DiffSummary
from contextmfa.replay.order import OrderWarnings
from contextmfa.replay.report.collect import ReportData
from contextmfa.replay.rows import Row
from contextmfa.replay.summary import ReplaySummary

__all__ = ["Tally"]


@dataclass
class Tally:
    """The aggregates of a replay (or of one part of its input)."""

    diffing: bool = False
    summary: ReplaySummary = field(default_factory=ReplaySummary)
    diff: DiffSummary | None = None
    candidate_errors: ActionErrors = field(default_factory=ActionErrors)
    order: OrderWarnings = field(default_factory=OrderWarnings)
    report: ReportData | None = None
    records: int = 0

    def __post_init__(self) -> None:
        if self.diffing and self.diff is None:
            self.diff = DiffSummary()

    def attach_report(self, title: str, inputs: dict[str, str], limit: int) -> ReportData:
        """Start the report's data, sharing this tally's diff, errors and order warnings."""
        self.report = ReportData(
            title,
            inputs,
            diff=self.diff,
            limit=limit,
            action_errors=self.summary.action_errors,
            candidate_errors=self.candidate_errors if self.diffing else None,
            order=self.order,
        )
        return self.report

    def add(self, row: Row) -> None:
        self.records += 1
        outcome = row.current.outcome if row.current is not None and row.error is None else None
        self.summary.count(outcome, checked=row.checked, failed=bool(row.mismatches))
        self.summary.action_errors.add(row.line, row.login_id, row.errors)
        self.candidate_errors.add(row.line, row.login_id, row.candidate_errors)
        self.order.add(row.line, row.login_id, row.out_of_order, row.repeated)
        if self.diff is not None:
            self.diff.add(row)
        if self.report is not None:
            self.report.add(row)

    def merge(self, other: Tally) -> None:
        """Add another part's aggregates; the report's listed logins are the caller's."""
        self.records += other.records
        self.summary.merge(other.summary)
        self.candidate_errors.merge(other.candidate_errors)
        self.order.merge(other.order)
        if self.diff is not None and other.diff is not None:
            self.diff.merge(other.diff)
        if self.report is not None and other.report is not None:
            self.report.merge(other.report)
