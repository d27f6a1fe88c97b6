"""Is every dependency answering? ``/readyz`` asks, and ``serve`` words a start-up failure.

``/healthz`` says the process answers (liveness); ``/readyz`` says it can serve (readiness): each
tenant's store answers ``SELECT 1`` and, where ``[service] redis`` is set, Redis answers PING,
each within :data:`PROBE_SECONDS`. Tenants that share a store share its probe. A probe runs on a
daemon thread of its own, so a database that never answers costs the caller the timeout, not a
hung request; while a dependency's last probe is still hanging no second one is started, so a
load balancer polling a dead host cannot pile threads up.

What is reported names the tenant, the dependency (``store`` or ``redis``, the keys of
``[service]``) and a reason from a fixed list: never a URL, a host's answer or a password.
:func:`shown_url` is the form a start-up error prints: the URL without its password or query.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from sqlalchemy import text

from contextmfa.store import Store

if TYPE_CHECKING:
    from contextmfa.service.tenants import Tenant

__all__ = ["PROBE_SECONDS", "Down", "Readiness", "reason_of", "shown_url"]

PROBE_SECONDS = 2.0
"""How long one probe may take before its dependency counts as down."""

Dependency = Literal["store", "redis"]

_SELECT_ONE = text("SELECT 1")


@dataclass(frozen=True)
class Down:
    """One dependency of one tenant that did not answer in time."""

    tenant: str
    dependency: Dependency
    reason: str


_REASONS = (
    ("refused", "connection refused"),
    ("timed out", "timed out"),
    ("timeout", "timed out"),
    ("name or service not known", "host name not resolved"),
    ("nodename nor servname", "host name not resolved"),
    ("could not translate host name", "host name not resolved"),
    ("temporary failure in name resolution", "host name not resolved"),
    ("authentication failed", "authentication failed"),
    ("password", "authentication failed"),
    ("does not exist", "database does not exist"),
    ("unable to open database file", "cannot open the database file"),
    ("locked", "busy"),
    ("busy", "busy"),
)


def reason_of(exc: BaseException) -> str:
    """A short reason from a fixed list, read from the error chain (never the text itself)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    words = []
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        words.append(str(current).lower())
        current = current.__cause__ or current.__context__
    everything = " ".join(words)
    for needle, reason in _REASONS:
        if needle in everything:
            return reason
    return "unreachable"


def shown_url(url: str) -> str:
    """``url`` as an error may print it: no password, no query (a driver option can hold one)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "the configured URL"
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    return f"{parts.scheme}://{netloc}{parts.path}"


def _ping_store(store: Store) -> None:
    with store.database.read() as connection:
        connection.execute(_SELECT_ONE)


def _ping_redis(store: Store) -> None:
    store.ping_redis()


class _Outcome:
    """One run of a check: set when it ends, with its error if it failed."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.error: BaseException | None = None


class _Probe:
    """One dependency's check on its own thread; at most one in flight."""

    def __init__(self, check: Callable[[], None]) -> None:
        self._check = check
        self._thread: threading.Thread | None = None
        self._outcome = _Outcome()

    def start(self) -> _Outcome:
        """The run to wait for: a new one, or the last one while it still hangs."""
        if self._thread is not None and self._thread.is_alive():
            return self._outcome
        outcome = self._outcome = _Outcome()
        self._thread = threading.Thread(
            target=self._run, args=(outcome,), name="readyz-probe", daemon=True
        )
        self._thread.start()
        return outcome

    def _run(self, outcome: _Outcome) -> None:
        try:
            self._check()
        except Exception as exc:  # any failure means not ready
            outcome.error = exc
        finally:
            outcome.done.set()


def _result(outcome: _Outcome, deadline: float) -> str | None:
    """None when the check passed by ``deadline``; else why it did not."""
    if not outcome.done.wait(max(0.0, deadline - time.monotonic())):
        return "timed out"
    return None if outcome.error is None else reason_of(outcome.error)


class Readiness:
    """The probes of a set of tenants, each dependency probed once per check."""

    def __init__(self, tenants: Iterable[Tenant], timeout: float = PROBE_SECONDS) -> None:
        self._timeout = timeout
        self._tenants = list(tenants)
        self._probes: dict[tuple[int, Dependency], _Probe] = {}
        for tenant in self._tenants:
            store = tenant.store
            key = (id(store), "store")
            if key not in self._probes:
                self._probes[key] = _Probe(lambda s=store: _ping_store(s))
            if store.uses_redis and (id(store), "redis") not in self._probes:
                self._probes[(id(store), "redis")] = _Probe(lambda s=store: _ping_redis(s))
        self._lock = threading.Lock()

    def check(self) -> list[Down]:
        """Every dependency that did not answer, by tenant; empty when all are ready."""
        deadline = time.monotonic() + self._timeout
        with self._lock:
            outcomes = {key: probe.start() for key, probe in self._probes.items()}
        results = {key: _result(outcome, deadline) for key, outcome in outcomes.items()}
        down = []
        for tenant in self._tenants:
            for dependency in ("store", "redis"):
                reason = results.get((id(tenant.store), dependency))
                if reason is not None:
                    down.append(Down(tenant.id, dependency, reason))
        return down
