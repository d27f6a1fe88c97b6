"""Benchmark the Action helpers, each as a ratio to a plain-Python floor measured in the same run.

Run with the project's Python:  python benchmarks/bench_helpers.py

- ``ip_in_range(ip, cidrs)`` at 1, 10 and 100 CIDRs, against the floor a hand-written Action
  would reach with its networks parsed once: ``ipaddress.ip_address(ip)`` and a loop of ``in``.
  ``loop`` is the implementation ``ip_in_range`` had before its CIDR lists were cached: a loop
  over the CIDRs, each network taken from a per-string ``lru_cache``.
- ``local_time(tz)`` (inline, with its guards), against ``datetime.astimezone(ZoneInfo(tz))``.

Deterministic inputs (fixed seed); best of several runs, in microseconds per call.
"""

from __future__ import annotations

import ipaddress
import random
import timeit
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from contextmfa.sandbox.helpers import ip_in_range
from contextmfa.sandbox.timezones import local_time

SEED = 20261207
NOW = datetime(2026, 3, 14, 9, 26, 53, tzinfo=UTC)


def per_call(func: Callable[[], object], number: int = 2000, repeat: int = 7) -> float:
    """Best time of one call, in microseconds."""
    return min(timeit.repeat(func, number=number, repeat=repeat)) / number * 1e6


@lru_cache(maxsize=4096)
def _network(cidr: str) -> Any:
    return ipaddress.ip_network(cidr.strip(), strict=False)


def loop_ip_in_range(ip: str, cidrs: list[str]) -> bool:
    """The loop ``ip_in_range`` ran before (strings only, no nested lists)."""
    address = ipaddress.ip_address(str.strip(ip))
    mapped = getattr(address, "ipv4_mapped", None)
    for cidr in cidrs:
        network = _network(cidr)
        if address.version == network.version and address in network:
            return True
        if mapped is not None and network.version == 4 and mapped in network:
            return True
    return False


def ip_in_range_figures(
    rng: random.Random, count: int, number: int = 2000, repeat: int = 7
) -> tuple[float, float, float]:
    """µs per call at ``count`` CIDRs: the hand-written floor, the old loop, ip_in_range."""
    cidrs = [f"{rng.randrange(1, 223)}.{rng.randrange(256)}.0.0/16" for _ in range(count)]
    networks = [ipaddress.ip_network(c) for c in cidrs]
    ip = "203.0.113.9"

    def floor() -> bool:
        address = ipaddress.ip_address(ip)
        for network in networks:  # noqa: SIM110 - a loop, as the floor is written by hand
            if address in network:
                return True
        return False

    return (
        per_call(floor, number, repeat),
        per_call(lambda: loop_ip_in_range(ip, cidrs), number, repeat),
        per_call(lambda: ip_in_range(ip, cidrs), number, repeat),
    )


def bench_ip_in_range(rng: random.Random) -> None:
    print("ip_in_range, an address in none of the CIDRs (µs per call; x the floor)")
    for count in (1, 10, 100):
        base, loop, now = ip_in_range_figures(rng, count)
        print(
            f"  {count:>3} CIDRs: floor {base:6.2f}   loop {loop:6.2f} ({loop / base:4.2f}x)"
            f"   ip_in_range {now:5.2f} ({now / base:4.2f}x)"
        )


def bench_local_time() -> None:
    guards: Any = SimpleNamespace(now=NOW)  # all local_time reads of a run's guards
    paris = ZoneInfo("Europe/Paris")
    base = per_call(lambda: NOW.astimezone(paris))
    ours = per_call(lambda: local_time(guards, "Europe/Paris"))
    print(f"local_time: floor {base:5.2f}   local_time {ours:5.2f} ({ours / base:4.2f}x)")


def main() -> None:
    bench_ip_in_range(random.Random(SEED))
    bench_local_time()


if __name__ == "__main__":
    main()
