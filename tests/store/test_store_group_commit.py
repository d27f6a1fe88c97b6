"""Group commit: logins that reach their commit while one is being written share the next
transaction; each returns only once its own transaction committed, with its own outcome."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from contextmfa.store.errors import HistoryConflict, StoreUnavailable
from contextmfa.store.sql.group_commit import GroupCommit

GIVE_UP = 30.0


class Writer:
    """Records each batch; the first waits until ``queued`` more submitters are waiting."""

    def __init__(self, queued: int = 0) -> None:
        self.batches: list[list[str]] = []
        self.committed: set[str] = set()
        self.first_started = threading.Event()
        self.release_first = threading.Event()
        self.poisoned: set[str] = set()
        self.refused: set[str] = set()
        self.unavailable = False
        if queued == 0:
            self.release_first.set()

    def __call__(self, items: Sequence[str]) -> list[BaseException | None]:
        self.batches.append(list(items))
        if len(self.batches) == 1:
            self.first_started.set()
            assert self.release_first.wait(GIVE_UP)
        if self.unavailable:
            raise StoreUnavailable("down")
        if self.poisoned & set(items):
            raise ValueError("a bad row")
        errors: list[BaseException | None] = [
            HistoryConflict("moved") if item in self.refused else None for item in items
        ]
        self.committed.update(i for i, e in zip(items, errors, strict=True) if e is None)
        return errors


def _submit_all(group: GroupCommit[str], writer: Writer, items: list[str]) -> dict[str, str]:
    """``items[0]`` first (it leads and blocks), then the rest while it is being written."""
    outcomes: dict[str, str] = {}

    def submit(item: str) -> None:
        try:
            group.submit(item)
            # returns only once its own batch committed
            outcomes[item] = "committed" if item in writer.committed else "returned early"
        except Exception as exc:
            outcomes[item] = type(exc).__name__

    first = threading.Thread(target=submit, args=(items[0],))
    first.start()
    assert writer.first_started.wait(GIVE_UP)
    rest = [threading.Thread(target=submit, args=(item,)) for item in items[1:]]
    for thread in rest:
        thread.start()
    while len(group._queue) < len(rest):  # every other one waits behind the first batch
        threading.Event().wait(0.005)
    writer.release_first.set()
    for thread in [first, *rest]:
        thread.join(GIVE_UP)
    return outcomes


def test_commits_arriving_during_one_are_written_together_in_the_next():
    writer = Writer(queued=5)
    group = GroupCommit(writer)
    items = [f"login-{i}" for i in range(6)]
    outcomes = _submit_all(group, writer, items)
    assert outcomes == dict.fromkeys(items, "committed")
    assert writer.batches[0] == ["login-0"]
    assert sorted(writer.batches[1]) == items[1:]
    assert group.batches == 2


def test_a_lone_commit_is_written_at_once_in_a_batch_of_its_own():
    writer = Writer()
    group = GroupCommit(writer)
    group.submit("alone")
    group.submit("next")
    assert writer.batches == [["alone"], ["next"]]


def test_each_item_gets_its_own_outcome():
    writer = Writer(queued=3)
    writer.refused = {"stale"}
    group = GroupCommit(writer)
    outcomes = _submit_all(group, writer, ["first", "a", "stale", "b"])
    assert outcomes == {
        "first": "committed",
        "a": "committed",
        "stale": "HistoryConflict",
        "b": "committed",
    }


def test_a_bad_item_fails_alone_its_batch_is_written_again_item_by_item():
    writer = Writer(queued=3)
    writer.poisoned = {"bad"}
    group = GroupCommit(writer)
    outcomes = _submit_all(group, writer, ["first", "a", "bad", "b"])
    assert outcomes == {
        "first": "committed",
        "a": "committed",
        "bad": "ValueError",
        "b": "committed",
    }
    assert sorted(len(batch) for batch in writer.batches) == [1, 1, 1, 1, 3]


def test_a_store_that_is_down_fails_the_whole_batch_without_trying_each_again():
    writer = Writer()
    writer.unavailable = True
    group = GroupCommit(writer)
    with pytest.raises(StoreUnavailable):
        group.submit("one")
    writer.unavailable = False
    group.submit("two")  # the group is usable again
    assert writer.committed == {"two"}
