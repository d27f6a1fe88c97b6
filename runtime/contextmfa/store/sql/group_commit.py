"""Group commit: the logins that reach their commit while another commit is under way are written
together, in one transaction, with one fsync.

Every answered login is on disk: a login's :meth:`GroupCommit.submit` returns only once the
transaction holding its rows has committed. Nothing is delayed to wait for company: the first
login to arrive commits at once (its batch is itself); the ones arriving meanwhile queue, and
the first of them leads the next batch, with everything that queued by then. The leader's own
answer never waits for batches after its own.

A batch runs through ``write`` (one transaction, each item's own result or error); if that
fails as a whole for a reason other than the store being unreachable, each item is tried again
in a transaction of its own, so one bad item does not fail the others.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from contextmfa.store.errors import StoreUnavailable

__all__ = ["GroupCommit"]

Item = TypeVar("Item")

BatchWriter = Callable[[Sequence[Item]], list[BaseException | None]]
"""Writes a batch in one transaction; for each item None, or the error that item alone met (its
rows then left out). Raises when the transaction as a whole failed (nothing written)."""


class _Pending(Generic[Item]):
    __slots__ = ("done", "error", "item", "leads")

    def __init__(self, item: Item) -> None:
        self.item = item
        self.done = threading.Event()
        self.error: BaseException | None = None
        self.leads = False


class GroupCommit(Generic[Item]):
    def __init__(self, write: BatchWriter[Item]) -> None:
        self._write = write
        self._lock = threading.Lock()
        self._queue: list[_Pending[Item]] = []
        self._leading = False
        self.batches = 0
        """Batches written so far (for tests and benchmarks: items / batches is the grouping)."""

    def submit(self, item: Item) -> None:
        """Write ``item`` durably, with whatever else is waiting; raise its error if it had one."""
        mine = _Pending(item)
        with self._lock:
            self._queue.append(mine)
            leads = not self._leading
            self._leading = True
        if not leads:
            mine.done.wait()
            leads = mine.leads
        if leads:
            self._lead()
        if mine.error is not None:
            raise mine.error

    def _lead(self) -> None:
        with self._lock:
            batch, self._queue = self._queue, []
        errors: list[BaseException | None]
        try:
            errors = self._written(batch)
        except BaseException as exc:  # interrupted: every waiter hears of it, none hangs
            errors = [exc] * len(batch)
        with self._lock:
            following = self._queue[0] if self._queue else None
            if following is None:
                self._leading = False
            else:
                following.leads = True
            self.batches += 1
        for pending, error in zip(batch, errors, strict=True):
            pending.error = error
            pending.done.set()
        if following is not None:
            following.done.set()

    def _written(self, batch: list[_Pending[Item]]) -> list[BaseException | None]:
        items = [pending.item for pending in batch]
        try:
            return self._write(items)
        except StoreUnavailable as exc:
            return [exc] * len(items)
        except Exception as exc:
            if len(items) == 1:
                return [exc]
        return [self._alone(item) for item in items]

    def _alone(self, item: Item) -> BaseException | None:
        try:
            return self._write([item])[0]
        except Exception as exc:
            return exc
