"""Benchmark the enrichment hot paths: deny-list load and lookup, GeoIP lookups, risk assessment.

Run with the project's Python:  python benchmarks/bench_enrich.py

Deterministic inputs (fixed seed); timings are the best of several runs, in microseconds per
operation unless stated. netaddr figures are there as the reference the design notes compare with.
"""

from __future__ import annotations

import contextlib
import ipaddress
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import geoip2.database
import geoip2.errors
import maxminddb
import netaddr

from contextmfa.enrich.geoip import GeoIP, bundled_city_database
from contextmfa.enrich.history import InMemoryHistory, LoginRecord
from contextmfa.enrich.iplists import IPRangeSet
from contextmfa.enrich.risk import RiskSettings, assess

SEED = 20261127


def best_of(repeat: int, func: Callable[[], object]) -> float:
    """Best wall time of ``repeat`` runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def random_cidrs(rng: random.Random, count: int) -> list[str]:
    """Deny-list-like entries: 90 % IPv4 (/16 to /32, mostly hosts and /24s), 10 % IPv6."""
    entries = []
    for _ in range(count):
        if rng.random() < 0.9:
            prefix = rng.choice([32, 32, 32, 32, 28, 24, 24, 22, 20, 16])
            network = ipaddress.IPv4Network((rng.getrandbits(32), prefix), strict=False)
        else:
            prefix = rng.choice([128, 64, 56, 48, 32])
            network = ipaddress.IPv6Network((rng.getrandbits(128), prefix), strict=False)
        entries.append(
            str(network)
            if network.prefixlen != network.max_prefixlen
            else str(network.network_address)
        )
    return entries


def random_public_ipv4(rng: random.Random, count: int) -> list[ipaddress.IPv4Address]:
    found: list[ipaddress.IPv4Address] = []
    while len(found) < count:
        address = ipaddress.IPv4Address(rng.getrandbits(32))
        if address.is_global and not address.is_multicast:
            found.append(address)
    return found


def per_lookup(ranges: IPRangeSet, probes: list) -> float:
    """µs per membership test, best of 5 passes over ``probes`` (loop overhead included)."""

    def lookups() -> None:
        for ip in probes:
            ip in ranges  # noqa: B015

    return best_of(5, lookups) / len(probes) * 1e6


def bench_iplists(rng: random.Random) -> None:
    print("IPRangeSet (deny lists)")
    v4_probes = [ipaddress.IPv4Address(rng.getrandbits(32)) for _ in range(10_000)]
    v6_probes = [ipaddress.IPv6Address(rng.getrandbits(128)) for _ in range(10_000)]
    print("  lookups: µs per test of a random address (cold CPU caches) / the same address again")
    with tempfile.TemporaryDirectory() as directory:
        for count in (100, 10_000, 50_000):
            entries = random_cidrs(rng, count)
            path = Path(directory) / f"list-{count}.txt"
            path.write_text("# benchmark list\n" + "\n".join(entries) + "\n", encoding="utf-8")
            load = best_of(3, lambda path=path: IPRangeSet.from_file(path))
            ranges = IPRangeSet.from_file(path)
            v4 = per_lookup(ranges, v4_probes)
            v6 = per_lookup(ranges, v6_probes)
            hot = per_lookup(ranges, [v4_probes[0]] * len(v4_probes))
            print(
                f"  {count:>6} entries ({len(ranges):>6} merged ranges): "
                f"load {load * 1000:6.1f} ms   lookup IPv4 {v4:4.2f} / {hot:4.2f} µs, "
                f"IPv6 {v6:4.2f} µs"
            )
        entries = random_cidrs(rng, 50_000)
        netaddr_load = best_of(
            1, lambda: netaddr.cidr_merge([netaddr.IPNetwork(e) for e in entries])
        )
        print(f"  reference: netaddr parse + cidr_merge of 50,000: {netaddr_load * 1000:.0f} ms")
        ipset = netaddr.IPSet(entries[:10_000])
        sample = [str(ip) for ip in v4_probes[:2_000]]
        ipset_lookup = best_of(3, lambda: [ip in ipset for ip in sample]) / len(sample) * 1e6
        print(f"  reference: netaddr.IPSet lookup, 10,000 entries: {ipset_lookup:.1f} µs")


def bench_geoip(rng: random.Random) -> None:
    print("GeoIP city() on the bundled GeoLite2 City database")
    addresses = random_public_ipv4(rng, 20_000)
    path = str(bundled_city_database())
    with GeoIP.open("default", base_dir=Path("."), cache_size=0) as uncached:
        cold = best_of(3, lambda: [uncached.city(ip) for ip in addresses]) / len(addresses)
    hot_set = addresses[:1_000]
    with GeoIP.open("default", base_dir=Path(".")) as cached:
        for ip in hot_set:
            cached.city(ip)
        hot = best_of(5, lambda: [cached.city(ip) for _ in range(10) for ip in hot_set]) / (
            10 * len(hot_set)
        )
    with maxminddb.open_database(path) as raw:
        raw_get = best_of(3, lambda: [raw.get(ip) for ip in addresses]) / len(addresses)
    with geoip2.database.Reader(path) as reader:

        def geoip2_city() -> None:
            for ip in addresses[:5_000]:
                with contextlib.suppress(geoip2.errors.AddressNotFoundError):
                    reader.city(ip)

        model = best_of(3, geoip2_city) / 5_000
    print(f"  uncached (cache_size=0):  {cold * 1e6:6.2f} µs")
    print(f"  cached (same IPs again):  {hot * 1e6:6.2f} µs")
    print(f"  reference: maxminddb Reader.get(): {raw_get * 1e6:6.2f} µs")
    print(f"  reference: geoip2 Reader.city():   {model * 1e6:6.2f} µs")


def bench_risk() -> None:
    print("risk.assess with InMemoryHistory")
    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    history = InMemoryHistory()
    ua = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
    history.add("acme", "alice", LoginRecord(now - timedelta(hours=3), "d1", ua, 52.37, 4.89, "NL"))
    geoip = {"latitude": 40.71, "longitude": -74.01}
    settings = RiskSettings()

    def run() -> None:
        for _ in range(10_000):
            assess(
                now=now,
                tenant_id="acme",
                user_id="alice",
                device_id="d1",
                user_agent=ua,
                geoip=geoip,
                history=history,
                deny_list_match=None,
                deny_lists_configured=True,
                settings=settings,
            )

    print(f"  one assessment: {best_of(5, run) / 10_000 * 1e6:6.2f} µs")


def main() -> None:
    rng = random.Random(SEED)
    bench_iplists(rng)
    bench_geoip(rng)
    bench_risk()


if __name__ == "__main__":
    main()
