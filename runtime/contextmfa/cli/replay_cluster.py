"""``replay --cluster``: the same replay, run on a Dask cluster, shown as the local one is.

Partition results are merged as they complete (``replay.cluster.merge``); the decisions, when
printed, are written partition by partition as they arrive (each partition in input order), or
by the workers into ``--output``'s part files. Then messages, the table and the report's logins
come in input order, and the run finishes as a local one does (warnings, summary, report).
"""

from __future__ import annotations

from contextlib import ExitStack

from contextmfa.cli.console import error, is_terminal
from contextmfa.cli.replay_output import ReplayFormat, progress
from contextmfa.cli.replay_run import ReplayRun
from contextmfa.engine import Engine
from contextmfa.replay.cluster.bundle import ConfigBundle
from contextmfa.replay.cluster.client import connect, require, run_partitions, scratch_space
from contextmfa.replay.cluster.merge import ClusterMerge
from contextmfa.replay.cluster.partition import Job, PartitionResult
from contextmfa.replay.cluster.source import list_blocks
from contextmfa.replay.output import DecisionArray, RowWriter
from contextmfa.replay.rows import Row

__all__ = ["replay_on_cluster"]

TABLE_ROWS = 1000


def replay_on_cluster(
    run: ReplayRun,
    stack: ExitStack,
    address: str,
    scratch: str | None,
    engines: tuple[Engine, Engine | None],
    inputs: dict[str, str],
) -> None:
    require()
    engine, candidate = engines
    blocks, total_bytes = list_blocks(run.source)
    bundles = (
        ConfigBundle.of(engine.config),
        ConfigBundle.of(candidate.config) if candidate else None,
    )
    table = run.output_format is ReplayFormat.table and not run.diffing
    lines = run.output_format is not ReplayFormat.table
    job = Job(
        options=run.options(),
        diffing=run.diffing,
        report_limit=run.report_limit if run.report is not None else None,
        table_rows=TABLE_ROWS if table else 0,
        lines=lines and not (run.diffing and run.output_format is ReplayFormat.json),
        output=run.output,
    )
    if run.output is not None:
        _make_directory(run.output)
    rows_out = run.open(stack, inputs, to_file=False)
    merged = ClusterMerge(run.tally, job.table_rows, run.report_limit)
    space = stack.enter_context(scratch_space(scratch, address))
    client = stack.enter_context(connect(address))
    bar = _Bar(stack)
    for result in run_partitions(client, blocks, total_bytes, bundles, job, space, bar.tick):
        merged.add(result)
        _write_decisions(rows_out, result)
    bar.stop()
    for _, text, _ in merged.messages:
        error(text)
    if merged.more_messages:
        error(f"... and {merged.more_messages:,} more errors and mismatches (the first are shown)")
    for row in merged.table:
        rows_out.add(row)
    if table:
        rows_out.skip(run.summary.replayed - len(merged.table))
    merged.finish_report()
    run.finish(rows_out)


def _write_decisions(rows_out: RowWriter, result: PartitionResult) -> None:
    """A partition's JSON Lines to stdout as it arrives (not with ``--output``: the workers
    wrote them)."""
    if not result.text:
        return
    if isinstance(rows_out, DecisionArray):
        for line in result.text.splitlines():
            rows_out.add(Row(0, decision_json=line))
    else:
        rows_out.sink.write(result.text)


def _make_directory(url: str) -> None:
    from fsspec.core import url_to_fs

    fs, path = url_to_fs(url)
    fs.makedirs(path, exist_ok=True)


class _Bar:
    """The progress bar over finished tasks (both stages), with the time left."""

    def __init__(self, stack: ExitStack) -> None:
        self.stack, self.bar, self.total = stack, None, 0

    def tick(self, total: int) -> None:
        if self.bar is None and is_terminal():
            self.bar = progress(self.stack, total, minimum=1)
        if self.bar is not None:
            self.bar.advance()

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
