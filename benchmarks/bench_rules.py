"""Benchmark rule evaluation: 100 rules over IP lists of 100 to 10,000 CIDRs, per login.

Run with the project's Python:  python benchmarks/bench_rules.py

For each list size the same 100 rules (ten shapes, ten of each: IP list and risk, embargo, admin
off-hours in local time, geofence, metadata and client, user-agent regex, IP list or ASN, night
windows, guarded negation, risk code or logins count) are compiled from a generated rule file
(ten list files) and evaluated against 500 generated logins. Beside them, the same conditions
written by hand as plain Python functions over the same lookup structures, with missing values
handled by hand and the local time computed once per login: the floor, i.e. what the language
costs over no language at all.

Figures are µs per login (RuleContext.build + evaluation of all 100 rules on a fresh login),
best of 7 passes; the calibration line is the cost here of calling 100 empty functions.
Deterministic inputs (fixed seed).
"""

from __future__ import annotations

import ipaddress
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import regex

from contextmfa.enrich.iplists import IPRangeSet
from contextmfa.enrich.risk import haversine_km
from contextmfa.events import LoginEvent
from contextmfa.rules import RuleContext, RuleSet, compile_rule_files
from contextmfa.rules.context import zone

SEED = 20261127
LISTS = 10
SHAPES = 10
PER_SHAPE = 10
LOGINS = 500
REPEAT = 7
OFFICES = [(52.37, 4.89), (52.52, 13.40), (48.86, 2.35), (51.51, -0.13), (40.71, -74.01)]
COUNTRIES = ["NL", "DE", "FR", "GB", "US", "JP", "BR", None]
SPARE = ["AR", "CL", "EG", "FI", "GH", "HU", "KE", "MX", "NO", "PE"]
"""Real country codes no login comes from: each rule's list differs, as a tenant's would."""
ZONES = ["Europe/Amsterdam", "Europe/Berlin", "America/New_York", "Asia/Tokyo", None]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4 Safari",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "curl/8.5.0",
]

Login = tuple[LoginEvent, dict[str, Any] | None, dict[str, Any], dict[str, Any]]


def best_of(repeat: int, func: Callable[[], float]) -> float:
    """Best of ``repeat`` runs of ``func``, which returns its own measured seconds."""
    return min(func() for _ in range(repeat))


def random_cidrs(rng: random.Random, count: int) -> list[str]:
    entries = []
    for _ in range(count):
        if rng.random() < 0.9:
            prefix = rng.choice([32, 32, 28, 24, 24, 22, 20])
            network = ipaddress.IPv4Network((rng.getrandbits(32), prefix), strict=False)
        else:
            network = ipaddress.IPv6Network((rng.getrandbits(128), 48), strict=False)
        entries.append(str(network))
    return entries


# -- the 100 rules, as rule text and as hand-written Python -----------------------------------


def rule_text(shape: int, i: int) -> str:
    k = i % LISTS
    lat, lon = OFFICES[i % len(OFFICES)]
    return [
        f'when ip in net{k} and risk.confidence != "low" require mfa',
        f'when geo.country in ["CU", "IR", "KP", "SY", "{SPARE[i % 10]}"] deny "embargo"',
        'when "admin" in user.roles and not (local.weekday in [mon, tue, wed, thu, fri]\n'
        "      and local.time between 08:00 and 18:00) require mfa with [webauthn-roaming]",
        f"when not within {300 + i} km of ({lat}, {lon}) require mfa remember browser yes",
        f'when user.app_metadata.department == "finance{i}" and client.id == "payroll-web"'
        " require mfa with [otp]",
        f'when request.user_agent matches ".*(curl|python-requests|bot{i}).*" require mfa',
        f"when ip in net{k} or asn.number in [{64500 + i}, {64600 + i}] require mfa",
        f"when time.hour between 1 and {2 + i % 3} or local.time between 22:00 and 06:00"
        " require mfa",
        f'when geo.country is missing or geo.country not in ["NL", "DE", "{SPARE[i % 10]}"]'
        " require mfa",
        'when risk.impossible_travel == "impossible_travel_from_last_login"'
        f" or user.logins_count < {i % 4} require mfa",
    ][shape]


def floor_body(shape: int, i: int) -> str:
    """The same condition as the body of a plain Python function."""
    k = i % LISTS
    lat, lon = OFFICES[i % len(OFFICES)]
    return [
        f'return ip in NET[{k}] and risk.get("confidence") not in (None, "low")',
        'return geo is not None and geo.get("country_code") in '
        f'{{"CU", "IR", "KP", "SY", "{SPARE[i % 10]}"}}',
        'if "admin" not in ev.authorization.roles: return False\n'
        "    c = clock(True)\n"
        "    return not (c[2] < 5 and 480 <= c[3] <= 1080)",
        'if geo is None or geo.get("latitude") is None: return False\n'
        f'    return haversine_km({lat}, {lon}, geo["latitude"], geo["longitude"]) > {300 + i}',
        'md = ev.user.app_metadata.get("department")\n'
        f'    return md == "finance{i}" and ev.client is not None'
        ' and ev.client.client_id == "payroll-web"',
        "ua = ev.request.user_agent\n"
        f"    return ua is not None and PATTERN{i}.fullmatch(ua) is not None",
        f'return ip in NET[{k}] or (asn is not None and asn.get("number") in '
        f"({64500 + i}, {64600 + i}))",
        f"if 1 <= clock(False)[0] <= {2 + i % 3}: return True\n"
        "    t = clock(True)[3]\n"
        "    return t >= 1320 or t <= 360",
        'country = geo.get("country_code") if geo is not None else None\n'
        f'    return country is None or country not in ("NL", "DE", "{SPARE[i % 10]}")',
        'if risk["assessments"]["impossible_travel"]["code"] == '
        '"impossible_travel_from_last_login": return True\n'
        "    stats = ev.stats\n"
        f"    return stats is not None and stats.logins_count is not None"
        f" and stats.logins_count < {i % 4}",
    ][shape]


def write_rules(directory: Path) -> tuple[Path, str]:
    lines = [f'list net{k} = file "net{k}.txt"' for k in range(LISTS)]
    floors = []
    for i in range(PER_SHAPE):
        for shape in range(SHAPES):
            lines.append(f'rule "r{shape}-{i}" {{ {rule_text(shape, i)} }}')
            floors.append(
                f"def r{shape}_{i}(ev, ip, geo, asn, risk, clock):\n    {floor_body(shape, i)}\n"
            )
    path = directory / "bench.rules"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, "\n".join(floors)


def floor_functions(source: str, lists: list[IPRangeSet]) -> list[Callable[..., bool]]:
    namespace: dict[str, Any] = {"NET": lists, "haversine_km": haversine_km}
    for i in range(PER_SHAPE):
        namespace[f"PATTERN{i}"] = regex.compile(f".*(curl|python-requests|bot{i}).*")
    exec(source, namespace)  # the benchmark's own generated floor
    return [namespace[f"r{s}_{i}"] for i in range(PER_SHAPE) for s in range(SHAPES)]


# -- logins -----------------------------------------------------------------------------------


def make_logins(rng: random.Random, inside: list[str]) -> list[Login]:
    start = datetime(2026, 3, 2, tzinfo=UTC)
    logins = []
    for n in range(LOGINS):
        if rng.random() < 0.3:
            ip = rng.choice(inside)
        else:
            ip = str(ipaddress.IPv4Address(rng.getrandbits(32)))
        country = rng.choice(COUNTRIES)
        lat, lon = rng.choice(OFFICES)
        geoip = None
        if country is not None:
            geoip = {
                "country_code": country,
                "latitude": lat + rng.uniform(-5, 5),
                "longitude": lon + rng.uniform(-5, 5),
                "time_zone": rng.choice(ZONES),
            }
        event = LoginEvent.model_validate(
            {
                "id": f"l-{n}",
                "timestamp": (start + timedelta(minutes=37 * n)).isoformat(),
                "user": {
                    "user_id": f"u{n % 50}",
                    "app_metadata": {"department": rng.choice(["finance1", "ops"])},
                },
                "authorization": {"roles": ["admin"] if n % 5 == 0 else []},
                "request": {"ip": ip, "user_agent": rng.choice(AGENTS)},
                "client": {"client_id": rng.choice(["payroll-web", "portal-web"])},
                "stats": {"logins_count": n % 7},
            }
        )
        travel = rng.choice(["minimal_travel_from_last_login", "impossible_travel_from_last_login"])
        risk = {
            "confidence": rng.choice(["high", "medium", "low"]),
            "version": "1",
            "assessments": {
                "new_device": {"code": "match", "details": {}},
                "impossible_travel": {"code": travel, "details": {}},
                "untrusted_ip": {"code": "not_found_on_deny_list", "details": {}},
            },
        }
        asn = {"number": rng.choice([64501, 3333, 1136]), "organization": "x"}
        logins.append((event, geoip, asn, risk))
    return logins


def time_language(ruleset: RuleSet, logins: list[Login]) -> float:
    started = time.perf_counter()
    for event, geoip, asn, risk in logins:
        ruleset.evaluate(RuleContext.build(event, geoip=geoip, asn=asn, risk=risk))
    return time.perf_counter() - started


def time_floor(functions: list[Callable[..., bool]], logins: list[Login]) -> float:
    started = time.perf_counter()
    for event, geoip, asn, risk in logins:
        clocks: dict[bool, tuple[int, int, int, int]] = {}

        def clock(local: bool, event: LoginEvent = event, geoip: Any = geoip, clocks=clocks):
            if local not in clocks:
                where = zone(geoip.get("time_zone") if geoip and local else None)
                moment = event.timestamp.astimezone(where)
                hour, minute = moment.hour, moment.minute
                clocks[local] = (hour, minute, moment.weekday(), hour * 60 + minute)
            return clocks[local]

        ip = event.request.ip
        fired = []
        for function in functions:
            if function(event, ip, geoip, asn, risk, clock):
                fired.append(function)
    return time.perf_counter() - started


def time_empty_calls() -> float:
    """µs to call 100 empty functions once each: this machine's floor for any 100 rules."""
    functions = [lambda ctx: None for _ in range(100)]

    def run() -> float:
        started = time.perf_counter()
        for _ in range(LOGINS):
            for function in functions:
                function(None)
        return time.perf_counter() - started

    return best_of(REPEAT, run) / LOGINS * 1e6


def bench_size(rng: random.Random, size: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        lists, inside = [], []
        for k in range(LISTS):
            entries = random_cidrs(rng, size)
            text = "\n".join(entries) + "\n"
            (directory / f"net{k}.txt").write_text(text, encoding="utf-8")
            lists.append(IPRangeSet.from_entries(entries))
            inside.extend(e.split("/")[0] for e in entries[:20] if ":" not in e)
        path, source = write_rules(directory)
        started = time.perf_counter()
        ruleset = compile_rule_files([path])
        compiled = time.perf_counter() - started
        functions = floor_functions(source, lists)
        logins = make_logins(random.Random(SEED), inside)
        language = best_of(REPEAT, lambda: time_language(ruleset, logins)) / LOGINS * 1e6
        floor = best_of(REPEAT, lambda: time_floor(functions, logins)) / LOGINS * 1e6
        print(
            f"  {size:>14,}  {compiled * 1000:7.0f} ms  {language:6.1f} µs  "
            f"{floor:10.1f} µs  {language / floor:5.2f}"
        )


def main() -> None:
    rng = random.Random(SEED)
    print(
        f"{PER_SHAPE * SHAPES} rules, {LISTS} list files, {LOGINS} logins: µs per login "
        f"(context + every rule, fresh login), best of {REPEAT}"
    )
    print(f"  {'CIDRs per list':>14}  {'compile':>9}  {'rules':>9}  {'plain Python':>13}  ratio")
    for size in (100, 1_000, 10_000):
        bench_size(rng, size)
    print(f"  calibration: 100 empty function calls cost {time_empty_calls():.1f} µs here")
    print(f"  (Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
