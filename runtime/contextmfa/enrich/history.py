"""A user's earlier logins: what the risk assessment compares the current login with.

Only logins whose outcome was not ``deny`` are ever added (the caller's duty), so an attacker
cannot "warm up" a device or a location by failing logins.

The risk assessment never scans the history: it asks for the last login and for the last time a
device id or a user agent was seen, which a store can answer with an index and the in-memory
implementation answers with a dict lookup. ``logins()`` is there for tools that want the records.

Timestamps must be timezone-aware (they come from the events' RFC 3339 timestamps).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

__all__ = ["History", "InMemoryHistory", "LoginRecord"]


@dataclass(frozen=True, slots=True)
class LoginRecord:
    """What is kept of one allowed login."""

    timestamp: datetime
    device_id: str | None = None
    user_agent: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    country_code: str | None = None

    @classmethod
    def from_event(cls, event: Mapping[str, Any], timestamp: datetime) -> LoginRecord:
        """What to keep of an enriched event (``timestamp`` = its parsed, aware timestamp)."""
        request = event.get("request") or {}
        geoip = request.get("geoip") or {}
        device = event.get("device") or {}
        return cls(
            timestamp=timestamp,
            device_id=device.get("id") or None,
            user_agent=request.get("user_agent") or None,
            latitude=geoip.get("latitude"),
            longitude=geoip.get("longitude"),
            country_code=geoip.get("country_code"),
        )


@runtime_checkable
class History(Protocol):
    """Per-tenant, per-user login history.

    "The last login" is the one with the latest timestamp (ties: the one added later). A device id
    or user agent's "last seen" is the latest timestamp of a login that carried it. Empty strings
    count as absent.
    """

    def logins(self, tenant_id: str, user_id: str) -> Sequence[LoginRecord]:
        """The kept logins, oldest first."""
        ...

    def add(self, tenant_id: str, user_id: str, record: LoginRecord) -> None: ...

    def last(self, tenant_id: str, user_id: str) -> LoginRecord | None: ...

    def device_last_seen(self, tenant_id: str, user_id: str, device_id: str) -> datetime | None: ...

    def user_agent_last_seen(
        self, tenant_id: str, user_id: str, user_agent: str
    ) -> datetime | None: ...


def _touch(seen: dict[str, datetime], key: str, when: datetime, cap: int) -> None:
    """Record ``key`` as seen at ``when``, keeping at most ``cap`` keys (least recently added out).

    Re-inserting moves the key to the end of the dict's order, so the first key is always the one
    touched longest ago and eviction is O(1).
    """
    previous = seen.pop(key, None)
    seen[key] = when if previous is None or when > previous else previous
    if len(seen) > cap:
        del seen[next(iter(seen))]


class _UserHistory:
    __slots__ = ("agents", "devices", "last", "recent")

    def __init__(self, keep: int) -> None:
        self.last: LoginRecord | None = None
        self.recent: deque[LoginRecord] = deque(maxlen=keep)
        self.devices: dict[str, datetime] = {}
        self.agents: dict[str, datetime] = {}


class InMemoryHistory:
    """The history ``replay`` uses: a dict per user, O(1) per lookup, bounded per user.

    Per user it keeps the last login, the ``keep_logins`` most recently added records (for
    ``logins()``), and the last-seen time of at most ``max_devices`` device ids and
    ``max_user_agents`` user agent strings; beyond that the one added longest ago is forgotten
    (it would then count as new). The number of users is not bounded: a replay holds the users
    of its file. Not thread-safe; a replay worker owns its own.
    """

    def __init__(
        self, *, keep_logins: int = 100, max_devices: int = 256, max_user_agents: int = 256
    ) -> None:
        if min(keep_logins, max_devices, max_user_agents) < 1:
            raise ValueError("InMemoryHistory bounds must be at least 1")
        self._keep = keep_logins
        self._max_devices = max_devices
        self._max_agents = max_user_agents
        self._users: dict[tuple[str, str], _UserHistory] = {}

    def add(self, tenant_id: str, user_id: str, record: LoginRecord) -> None:
        user = self._users.get((tenant_id, user_id))
        if user is None:
            user = self._users[(tenant_id, user_id)] = _UserHistory(self._keep)
        if user.last is None or record.timestamp >= user.last.timestamp:
            user.last = record
        user.recent.append(record)
        if record.device_id:
            _touch(user.devices, record.device_id, record.timestamp, self._max_devices)
        if record.user_agent:
            _touch(user.agents, record.user_agent, record.timestamp, self._max_agents)

    def logins(self, tenant_id: str, user_id: str) -> Sequence[LoginRecord]:
        user = self._users.get((tenant_id, user_id))
        if user is None:
            return ()
        return tuple(sorted(user.recent, key=lambda record: record.timestamp))

    def last(self, tenant_id: str, user_id: str) -> LoginRecord | None:
        user = self._users.get((tenant_id, user_id))
        return None if user is None else user.last

    def device_last_seen(self, tenant_id: str, user_id: str, device_id: str) -> datetime | None:
        user = self._users.get((tenant_id, user_id))
        return None if user is None or not device_id else user.devices.get(device_id)

    def user_agent_last_seen(
        self, tenant_id: str, user_id: str, user_agent: str
    ) -> datetime | None:
        user = self._users.get((tenant_id, user_id))
        return None if user is None or not user_agent else user.agents.get(user_agent)

    def __len__(self) -> int:
        """The number of users with at least one login."""
        return len(self._users)
