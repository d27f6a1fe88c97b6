"""One lock per user with a login in flight: a user's logins in one process run one at a time.

A login reads the user's history, is evaluated, and adds to that history; two logins of one user
evaluated side by side would each miss the other. Logins of different users share nothing, so
they never wait for each other here. A user's entry lives only while one of its logins holds or
waits for it (a count of holders), so the table is bounded by the logins in flight, not by the
users ever seen. Across processes the store's commit keeps the order
(:mod:`contextmfa.store.sql.login_commit`).

Waiting is bounded, because each waiting login holds one of the server's worker threads: with
more than :data:`MAX_WAITING` logins of one user already queued, or after :data:`WAIT_SECONDS`
in the queue, a login is answered 503 with ``Retry-After`` (fail closed: no decision). Otherwise
a password alone, posted in a loop for one user, would park every thread and stall every other
user's logins and MFA calls.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from contextmfa.service.errors import Unavailable

__all__ = ["MAX_WAITING", "WAIT_SECONDS", "UserLocks"]

MAX_WAITING = 8
"""Logins of one user that may queue behind the one being decided, per process."""
WAIT_SECONDS = 5.0
"""How long a queued login waits for its turn before it is answered 503."""


class _Entry:
    __slots__ = ("holders", "lock")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.holders = 0


class UserLocks:
    """One tenant's table (each :class:`~contextmfa.service.tenants.Tenant` has its own)."""

    def __init__(self, *, max_waiting: int = MAX_WAITING, wait_seconds: float = WAIT_SECONDS):
        self._guard = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self._max_waiting = max_waiting
        self._wait_seconds = wait_seconds

    @contextmanager
    def hold(self, user_id: str) -> Iterator[None]:
        """Hold the user's lock, waiting (bounded) while another login of the user holds it."""
        with self._guard:
            entry = self._entries.get(user_id)
            if entry is None:
                entry = self._entries[user_id] = _Entry()
            elif entry.holders > self._max_waiting:
                raise _busy()
            entry.holders += 1
        try:
            if not entry.lock.acquire(timeout=self._wait_seconds):
                raise _busy()
            try:
                yield
            finally:
                entry.lock.release()
        finally:
            with self._guard:
                entry.holders -= 1
                if entry.holders == 0:
                    del self._entries[user_id]

    def __len__(self) -> int:
        """Users with a login in flight (what the table holds)."""
        with self._guard:
            return len(self._entries)


def _busy() -> Unavailable:
    return Unavailable(
        "too many logins of this user at once; try again", headers={"Retry-After": "1"}
    )
