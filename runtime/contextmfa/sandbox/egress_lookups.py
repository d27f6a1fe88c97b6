"""Name lookups for ``fetch``, bounded per tenant so one tenant's hanging names starve no other.

``getaddrinfo`` takes no timeout and cannot be cancelled: a name whose authoritative server
never answers holds its thread for as long as the system resolver keeps trying (tens of
seconds), after the call that asked has given up. Each lookup therefore runs in a thread of its
own and takes a slot: at most :data:`TENANT_LOOKUPS` of one tenant's lookups may be in flight
(finished or abandoned ones free theirs when the resolver returns), and at most
:data:`PROCESS_LOOKUPS` in all, so a tenant never holds more than half. A lookup beyond either
cap fails at once as a ``LookupError``, which ``fetch`` reports as a network error.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

__all__ = ["PROCESS_LOOKUPS", "TENANT_LOOKUPS", "LookupSlots"]

PROCESS_LOOKUPS = 64
TENANT_LOOKUPS = 16


class LookupSlots:
    """Counts the lookups in flight, per tenant and in all (module docstring)."""

    def __init__(self, total: int = PROCESS_LOOKUPS, per_tenant: int = TENANT_LOOKUPS) -> None:
        self.total = total
        self.per_tenant = min(per_tenant, total // 2)
        self._lock = threading.Lock()
        self._in_flight = 0
        self._by_tenant: dict[Hashable, int] = {}

    def in_flight(self, tenant: Hashable | None = None) -> int:
        with self._lock:
            return self._in_flight if tenant is None else self._by_tenant.get(tenant, 0)

    def resolve(
        self,
        tenant: Hashable,
        resolver: Callable[[str, int], list[str]],
        host: str,
        port: int,
        timeout_s: float,
    ) -> list[str]:
        """``resolver(host, port)`` in a slot of ``tenant``'s; TimeoutError past ``timeout_s``
        (the lookup goes on and keeps its slot), LookupError when no slot is free."""
        self._take(tenant, host)
        done = threading.Event()
        outcome: list[list[str] | BaseException] = []

        def lookup() -> None:
            try:
                outcome.append(resolver(host, port))
            except BaseException as exc:  # handed to the caller, if it still waits
                outcome.append(exc)
            finally:
                self._give_back(tenant)
                done.set()

        threading.Thread(target=lookup, name="egress-dns", daemon=True).start()
        if not done.wait(max(timeout_s, 0.001)):
            raise TimeoutError(f"looking up {host} timed out")
        result = outcome[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def _take(self, tenant: Hashable, host: str) -> None:
        with self._lock:
            mine = self._by_tenant.get(tenant, 0)
            if mine >= self.per_tenant:
                raise LookupError(
                    f"cannot resolve {host}: {mine} lookups of this tenant are still in "
                    f"flight (at most {self.per_tenant})"
                )
            if self._in_flight >= self.total:
                raise LookupError(f"cannot resolve {host}: the host has too many lookups in flight")
            self._by_tenant[tenant] = mine + 1
            self._in_flight += 1

    def _give_back(self, tenant: Hashable) -> None:
        with self._lock:
            self._in_flight -= 1
            left = self._by_tenant[tenant] - 1
            if left:
                self._by_tenant[tenant] = left
            else:
                del self._by_tenant[tenant]
