"""One lock per user with a login in flight: a user's logins in one process run one at a time.

A login reads the user's history, is evaluated, and adds to that history; two logins of one user
evaluated side by side would each miss the other. Logins of different users share nothing, so
they never wait for each other here. A user's entry lives only while one of its logins holds or
waits for it (a count of holders), so the table is bounded by the logins in flight, not by the
users ever seen. Across processes the store's commit keeps the order
(:mod:`contextmfa.store.sql.login_commit`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["UserLocks"]


class _Entry:
    __slots__ = ("holders", "lock")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.holders = 0


class UserLocks:
    """One tenant's table (each :class:`~contextmfa.service.tenants.Tenant` has its own)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    @contextmanager
    def hold(self, user_id: str) -> Iterator[None]:
        """Hold the user's lock, waiting while another login of the user holds it."""
        key = user_id
        with self._guard:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _Entry()
            entry.holders += 1
        try:
            with entry.lock:
                yield
        finally:
            with self._guard:
                entry.holders -= 1
                if entry.holders == 0:
                    del self._entries[key]

    def __len__(self) -> int:
        """Users with a login in flight (what the table holds)."""
        with self._guard:
            return len(self._entries)
