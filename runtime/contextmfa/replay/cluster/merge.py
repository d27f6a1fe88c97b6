"""On the client: partition results merged as they arrive, in bounded memory.

Counts add up (``Tally.merge``). What a replay shows "the first of" (messages, table rows, the
report's logins) is kept as the lowest line numbers seen so far, each list no longer than what
is shown, so the merged run shows what a one-process replay of the same input shows.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from contextmfa.replay.cluster.partition import MESSAGES_KEPT, PartitionResult
from contextmfa.replay.report.collect import ERRORS_KEPT
from contextmfa.replay.rows import Row
from contextmfa.replay.tally import Tally

__all__ = ["ClusterMerge"]

T = TypeVar("T")


def _first(kept: list[T], more: Iterable[T], key: Callable[[T], int], limit: int) -> list[T]:
    """The ``limit`` items with the lowest keys of two lists sorted by key (0: all)."""
    merged = heapq.merge(kept, more, key=key)
    if not limit:
        return list(merged)
    return [item for _, item in zip(range(limit), merged, strict=False)]


@dataclass
class ClusterMerge:
    """The run's tally, plus the first messages, table rows and report logins by line."""

    tally: Tally
    table_rows: int = 0
    report_limit: int = 0
    messages: list[tuple[int, str, bool]] = field(default_factory=list)
    message_count: int = 0
    table: list[Row] = field(default_factory=list)
    details: list[dict[str, Any]] = field(default_factory=list)
    partitions: int = 0

    def add(self, result: PartitionResult) -> None:
        self.partitions += 1
        self.tally.merge(result.tally)
        self.message_count += result.message_count
        self.messages = _first(self.messages, result.messages, _line_of, MESSAGES_KEPT)
        if self.table_rows:
            self.table = _first(self.table, result.table, _row_line, self.table_rows)
        if self.tally.report is not None:
            self.details = _first(self.details, result.details, _detail_line, self.report_limit)

    def finish_report(self) -> None:
        """List the kept logins and input errors in the report, in input order."""
        report = self.tally.report
        if report is None:
            return
        for detail in self.details:
            report.keep_detail(detail)
        errors = [text for _, text, input_error in self.messages if input_error]
        report.errors = errors[:ERRORS_KEPT]

    @property
    def more_messages(self) -> int:
        return self.message_count - len(self.messages)


def _line_of(item: tuple[int, str, bool]) -> int:
    return item[0]


def _row_line(row: Row) -> int:
    return row.line


def _detail_line(detail: dict[str, Any]) -> int:
    return int(detail["line"])
