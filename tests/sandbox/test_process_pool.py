"""The idle pool hands out the worker used last, and wakes a login waiting for one."""

from __future__ import annotations

import threading
from typing import Any

from contextmfa.sandbox.process.pool import WorkerPool


class _Server:
    """Forks nothing: each spawn is a new token standing for a worker."""

    def __init__(self) -> None:
        self.spawned: list[Any] = []

    def spawn(self) -> Any:
        self.spawned.append(object())
        return self.spawned[-1]


def test_the_worker_given_back_last_is_taken_first():
    server = _Server()
    pool = WorkerPool(server, 3)  # type: ignore[arg-type]
    first = pool.take()
    pool.give_back(first)
    assert pool.take() is first
    second = pool.take()
    pool.give_back(first)
    assert pool.take() is first
    assert second is not first and len(server.spawned) == 3


def test_a_login_waiting_for_a_worker_gets_the_one_given_back():
    server = _Server()
    pool = WorkerPool(server, 1)  # type: ignore[arg-type]
    only = pool.take()
    got: list[Any] = []
    waiter = threading.Thread(target=lambda: got.append(pool.take()))
    waiter.start()
    pool.give_back(only)
    waiter.join(timeout=10)
    assert got == [only] and len(server.spawned) == 1
