"""Storage behind ``api.cache``: a small key/value store per tenant and Action.

The store is dumb on purpose: ``api.cache`` (api.py) checks keys, values, TTLs and the entry
count before calling it, so every backend enforces the same spec limits. Time is always the
login's timestamp (``now``), never the wall clock, so a replay of recorded logins sees the same
expiries as the original run.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Protocol


class ActionCache(Protocol):
    """What ``api.cache`` needs from a store (in-memory here; Redis and SQL elsewhere)."""

    def get(self, tenant_id: str, action: str, key: str, now: datetime) -> str | None: ...

    def set(
        self, tenant_id: str, action: str, key: str, value: str, ttl_seconds: int, now: datetime
    ) -> None: ...

    def delete(self, tenant_id: str, action: str, key: str) -> None: ...

    def entry_count(self, tenant_id: str, action: str, now: datetime) -> int: ...


class InMemoryActionCache:
    """A process-local :class:`ActionCache`; entries expire at ``now + ttl`` (login time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], dict[str, tuple[str, datetime]]] = {}

    def get(self, tenant_id: str, action: str, key: str, now: datetime) -> str | None:
        with self._lock:
            space = self._entries.get((tenant_id, action))
            if not space or key not in space:
                return None
            value, expires = space[key]
            if now >= expires:
                del space[key]
                return None
            return value

    def set(
        self, tenant_id: str, action: str, key: str, value: str, ttl_seconds: int, now: datetime
    ) -> None:
        expires = now + timedelta(seconds=ttl_seconds)
        with self._lock:
            self._entries.setdefault((tenant_id, action), {})[key] = (value, expires)

    def delete(self, tenant_id: str, action: str, key: str) -> None:
        with self._lock:
            space = self._entries.get((tenant_id, action))
            if space:
                space.pop(key, None)

    def entry_count(self, tenant_id: str, action: str, now: datetime) -> int:
        with self._lock:
            space = self._entries.get((tenant_id, action))
            if not space:
                return 0
            for key in [k for k, (_, expires) in space.items() if now >= expires]:
                del space[key]
            return len(space)
