"""The second stage of a cluster replay: one partition of users, evaluated and added up.

A task reads its partition's records from every block's scratch file, evaluates them in
timestamp order (each user's logins in order, as history needs) with the worker's Engine and a
fresh history, then counts the rows *in input order* with the same ``Tally`` a local replay
uses. What it returns is small and bounded: the tally, the first error and mismatch messages,
the first table rows and report logins (each by line number, so the client keeps the first of
the whole input), and the decisions only when the client prints them. With ``--output`` the
decisions go to one part file per partition instead, written by the task.

A task is pure: run twice (Dask retries a task whose worker died), it reads the same records,
returns the same result and overwrites the same part file. The client merges each partition's
result once.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from contextmfa.replay.cluster.bundle import ConfigBundle, engine_for
from contextmfa.replay.cluster.shuffle import Split, publish, read_partition
from contextmfa.replay.cluster.source import storage
from contextmfa.replay.evaluator import Evaluator
from contextmfa.replay.output import ChangedLines, DecisionLines
from contextmfa.replay.rows import Row, RowOptions
from contextmfa.replay.source import too_long
from contextmfa.replay.tally import Tally

__all__ = ["MESSAGES_KEPT", "Job", "PartitionResult", "part_name", "replay_partition"]

MESSAGES_KEPT = 1000
"""Error and mismatch messages a replay prints; past this many it says how many more."""


@dataclass(frozen=True, slots=True)
class Job:
    """What every partition computes beyond its tally (the command's options)."""

    options: RowOptions
    diffing: bool = False
    report_limit: int | None = None
    """None: no report. 0: every login to read is listed."""
    table_rows: int = 0
    """Rows of the decision table to keep (0: no table)."""
    lines: bool = False
    """Decisions (in a diff: the changed logins) as JSON Lines."""
    output: str | None = None
    """A directory URL: the JSON Lines go to a part file there instead of the result."""


@dataclass
class PartitionResult:
    number: int
    tally: Tally
    messages: list[tuple[int, str, bool]] = field(default_factory=list)
    message_count: int = 0
    table: list[Row] = field(default_factory=list)
    details: list[dict[str, Any]] = field(default_factory=list)
    text: str | None = None
    logins: int = 0


def part_name(output: str, number: int) -> str:
    return f"{output.rstrip('/')}/part-{number:05d}.jsonl"


def replay_partition(
    number: int,
    splits: list[Split],
    bundle: ConfigBundle,
    candidate: ConfigBundle | None,
    job: Job,
) -> PartitionResult:
    """Evaluate partition ``number`` (module docstring)."""
    records = read_partition(number, splits)
    mode = job.options.http_mode
    evaluator = Evaluator(
        engine_for(bundle, mode), job.options, engine_for(candidate, mode) if candidate else None
    )
    source = job.options.source
    rows = [
        too_long(source, line) if raw is None else evaluator.evaluate_line(line, raw)
        for _, line, raw in records
    ]
    del records
    rows.sort(key=lambda row: row.line)
    tally = Tally(diffing=job.diffing)
    if job.report_limit is not None:
        tally.attach_report("", {}, job.report_limit)
    result = PartitionResult(number, tally, logins=len(rows))
    sink = io.StringIO() if job.lines else None
    lines = (ChangedLines if job.diffing else DecisionLines)(sink) if sink else None
    for row in rows:
        tally.add(row)
        _messages(result, row, source)
        if job.table_rows and len(result.table) < job.table_rows and _in_table(row):
            result.table.append(_table_row(row))
        if lines is not None:
            lines.add(row)
    if tally.report is not None:
        result.details = list(tally.report.details())
        tally.report.close()
    if sink is not None:
        _deliver(result, sink.getvalue(), job.output)
    return result


def _in_table(row: Row) -> bool:
    return row.current is not None and row.error is None


def _table_row(row: Row) -> Row:
    """What the decision table shows of a row, nothing more."""
    return Row(
        row.line,
        row.login_id,
        row.user_id,
        current=row.current,
        checked=row.checked,
        mismatches=row.mismatches,
    )


def _messages(result: PartitionResult, row: Row, source: str) -> None:
    """What the command prints for a row, as ``(line, text, input error?)``; the first
    MESSAGES_KEPT."""
    texts = [(row.error, True)] if row.error is not None else []
    texts += [(f"{source}:{row.line}: {row.login_id}: {m}", False) for m in row.mismatches]
    for text, input_error in texts:
        result.message_count += 1
        if len(result.messages) < MESSAGES_KEPT:
            result.messages.append((row.line, text, input_error))


def _deliver(result: PartitionResult, text: str, output: str | None) -> None:
    if output is None:
        result.text = text
        return
    name = part_name(output, result.number)
    with storage(name, "write"):
        publish(name, text.encode("utf-8"))
