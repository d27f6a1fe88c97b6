"""Storage behind ``api.cache``: a key/value store sized per tenant, namespaced per Action.

A cache must never decide a login, so a full one forgets instead of refusing: each tenant holds
at most ``capacity`` entries (:data:`TENANT_CAPACITY` by default) across all its Actions, and a
``set`` that takes the tenant past it drops the entries closest to expiry, expired ones first,
ties broken by Action then key, never the entry just written. Keys stay per Action: two Actions
setting ``"k"`` hold two entries.

Stores are otherwise dumb on purpose: ``api.cache`` (api.py) checks keys, values and TTLs before
calling one, so every backend (here, SQL and Redis in ``contextmfa.store``) enforces the same spec
limits and evicts in the same order. Time is always the login's timestamp (``now``), never the
wall clock, so a replay of recorded logins sees the same expiries as the original run.
"""

from __future__ import annotations

import heapq
import threading
from datetime import datetime, timedelta
from typing import Protocol

TENANT_CAPACITY = 10_000
"""Entries one tenant's cache holds, across its Actions (values are 4 KB at most, so at most
about 40 MB a tenant; typical entries are a few dozen bytes)."""


class ActionCache(Protocol):
    """What ``api.cache`` needs from a store (in-memory here; Redis and SQL elsewhere)."""

    def get(self, tenant_id: str, action: str, key: str, now: datetime) -> str | None: ...

    def set(
        self, tenant_id: str, action: str, key: str, value: str, ttl_seconds: int, now: datetime
    ) -> None:
        """Store ``value`` until ``now + ttl_seconds``; evict past the tenant's capacity."""
        ...

    def delete(self, tenant_id: str, action: str, key: str) -> None: ...


Slot = tuple[str, str]
"""(Action, key): where an entry lives in its tenant's space."""


class _Space:
    """One tenant's entries, and a heap of (expires, action, key) ordered for eviction. The heap
    may hold stale items (overwritten or deleted entries); they are skipped when popped."""

    __slots__ = ("entries", "heap")

    def __init__(self) -> None:
        self.entries: dict[Slot, tuple[str, datetime]] = {}
        self.heap: list[tuple[datetime, str, str]] = []


class InMemoryActionCache:
    """A process-local :class:`ActionCache`; entries expire at ``now + ttl`` (login time)."""

    def __init__(self, capacity: int = TENANT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._lock = threading.Lock()
        self._spaces: dict[str, _Space] = {}

    def get(self, tenant_id: str, action: str, key: str, now: datetime) -> str | None:
        with self._lock:
            space = self._spaces.get(tenant_id)
            found = None if space is None else space.entries.get((action, key))
            if found is None:
                return None
            value, expires = found
            if now >= expires:
                del space.entries[(action, key)]  # type: ignore[union-attr]
                return None
            return value

    def set(
        self, tenant_id: str, action: str, key: str, value: str, ttl_seconds: int, now: datetime
    ) -> None:
        expires = now + timedelta(seconds=ttl_seconds)
        with self._lock:
            space = self._spaces.get(tenant_id)
            if space is None:
                space = self._spaces[tenant_id] = _Space()
            space.entries[(action, key)] = (value, expires)
            heapq.heappush(space.heap, (expires, action, key))
            if len(space.entries) > self.capacity:
                self._evict(space, (action, key))
            if len(space.heap) > 2 * len(space.entries) + 64:
                space.heap = [(exp, a, k) for (a, k), (_, exp) in space.entries.items()]
                heapq.heapify(space.heap)

    def _evict(self, space: _Space, written: Slot) -> None:
        kept: list[tuple[datetime, str, str]] = []
        while len(space.entries) > self.capacity and space.heap:
            item = heapq.heappop(space.heap)
            expires, action, key = item
            current = space.entries.get((action, key))
            if current is None or current[1] != expires:
                continue  # stale: overwritten or deleted since
            if (action, key) == written:
                kept.append(item)
                continue
            del space.entries[(action, key)]
        for item in kept:
            heapq.heappush(space.heap, item)

    def delete(self, tenant_id: str, action: str, key: str) -> None:
        with self._lock:
            space = self._spaces.get(tenant_id)
            if space is not None:
                space.entries.pop((action, key), None)
                if not space.entries:
                    del self._spaces[tenant_id]

    def entry_count(self, tenant_id: str, action: str, now: datetime) -> int:
        """Live entries of one Action (for tests and operators; ``api.cache`` does not count)."""
        with self._lock:
            space = self._spaces.get(tenant_id)
            if space is None:
                return 0
            mine = [slot for slot in space.entries if slot[0] == action]
            for slot in [s for s in mine if now >= space.entries[s][1]]:
                del space.entries[slot]
            return sum(1 for slot in mine if slot in space.entries)
