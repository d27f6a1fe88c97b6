"""Replay: evaluate recorded logins against a config, compare two configs, report on it.

run.py        replay(): the in-process loop over records (the library API)
items.py      ReplayItem, Mismatch, check_expectation
summary.py    ReplaySummary: the closing line and exit code
tally.py      Tally: everything a replay adds up, row by row, mergeable across partitions
rows.py       Row: a replayed login as the CLI, the diff and the report read it
evaluator.py  Evaluator: records to rows, one engine (two in a diff) with their histories
source.py     the input as raw numbered records; the one-process path
parallel.py   the same rows from worker processes, in input order
diff.py       DiffSummary: transitions grouped by the rule or Action responsible
report/       the self-contained HTML report
cluster/      the same replay on a Dask cluster (the ``cluster`` extra, imported lazily)
"""

from contextmfa.replay.items import OUTCOMES, Mismatch, ReplayItem, check_expectation
from contextmfa.replay.run import replay
from contextmfa.replay.summary import ReplaySummary

__all__ = ["OUTCOMES", "Mismatch", "ReplayItem", "ReplaySummary", "check_expectation", "replay"]
