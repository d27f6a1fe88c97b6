"""Every figure of the login path in one run, each as a ratio to its floor measured in that run.

    python benchmarks/bench_all.py [--quick] [--skip-service]

One process measures each figure and, beside it, a floor: the same work written directly in
plain Python (or, for the worker round trip, a bare message to a forked child and back). The
service is measured by ``load_logins.py`` in subprocesses (2 workers, a fresh store; 4 clients
with the Actions in confined worker processes, as ``serve`` runs them by default, and inline on
SQLite and, when reachable, PostgreSQL; 16 clients on the rules-only tenant) against the engine
alone in this run (with its Actions in a worker process for the first), and against the durable
commit rate of one SQLite writer (``bench_service``). A ratio moves when the code does, whatever
the machine: compare ratios between runs, not raw figures.

Floors: each Action and the sample tenant's nine Actions as plain Python
(``bench_sandbox.plain_runner``); the rules-only sample tenant as hand-written Python
(``floors.SamplePolicy``); for the sample tenant's evaluate p50 and replay rate, those two floors
added (its Actions on one login plus its rules); for process isolation, a bare 1 KB round trip to
a forked child; for ip_in_range, a hand-written loop over networks parsed once; for the engine's
fixed work per login (``_user_context``, ``enrich``, ``resolve``, the decision document), the same
step written directly for the sample's shapes (``fixed_floors``); for the service,
the engine alone in this run (its replay rate on one core, times the 2 cores; its evaluate p99;
its CPU per login), and for the service on SQLite also fsync'd commits of one writer.

``ratio`` is value / floor: for costs, how many times the floor the figure costs; for rates
(logins/s), the share of the floor's rate reached. ``target`` is the aim of issue 18. Default run
about two minutes here; ``--quick`` (fewer rounds, 2 s load tests) under a minute.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import bench_helpers
import bench_replay
import bench_sandbox
import bench_service
import fixed_floors
import floors

from contextmfa.config import load_config
from contextmfa.decision import resolve
from contextmfa.engine import Engine
from contextmfa.enrich.history import InMemoryHistory
from contextmfa.events import LoginEvent, parse_event_json
from contextmfa.rules import RuleContext

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


@dataclasses.dataclass(frozen=True)
class Row:
    figure: str
    value: float
    floor: float
    unit: str
    target: str = ""

    @property
    def ratio(self) -> float:
        return self.value / self.floor if self.floor > 0 else math.nan


@dataclasses.dataclass(frozen=True)
class Sizes:
    """How much of each measurement a run does."""

    empty: int
    ten: int
    sample: int
    passes: int
    round_trips: int
    cidr_calls: int
    load_seconds: float
    load_warmup: float


DEFAULT = Sizes(100_000, 20_000, 1_500, 50, 20_000, 5_000, 6.0, 1.0)
QUICK = Sizes(2_000, 500, 100, 4, 500, 300, 2.0, 0.5)


def action_rows(sizes: Sizes, directory: Path) -> tuple[list[Row], float]:
    """The Action figures; also returns the sample tenant's Actions as plain Python (µs)."""
    event, now = bench_sandbox.enriched_event(SAMPLES / "events/admin-office.json")
    config = load_config(SAMPLES / "tenant.toml")
    rows = []
    for name, source, n, target in (
        ("empty Action, per run (µs)", floors.EMPTY_ACTION, sizes.empty, "<= 3 µs"),
        ("ten-condition Action (µs)", floors.TEN_CONDITION_ACTION, sizes.ten, "<= 1.2x"),
    ):
        path = directory / f"{name.split()[0]}.py"
        path.write_text(source, encoding="utf-8")
        runs = bench_sandbox.flow_rows([path], lambda _: {}, event, now, n, process=False)
        floor, inline = runs["plain Python (floor)"][0], runs["inline"][0]
        rows.append(Row(name, inline, floor, "µs", target))
    runs = bench_sandbox.flow_rows(
        list(config.action_files), config.secrets_for, event, now, sizes.sample
    )
    plain, inline, process = (runs[k][0] for k in ("plain Python (floor)", "inline", "process"))
    rows.append(Row("sample tenant's 9 Actions inline (µs)", inline, plain, "µs", "<= 1.6x"))
    round_trip = floors.round_trip_us(sizes.round_trips)
    rows.append(
        Row(
            "process isolation adds, per login (µs)", process - inline, round_trip, "µs", "<= 80 µs"
        )
    )
    return rows, plain


def parsed(lines: list[str]) -> list[LoginEvent]:
    return [parse_event_json(line, where="bench") for line in lines]


def best_per_login(run, events: list[LoginEvent], passes: int) -> float:
    """Best µs per login of ``run(events)`` over ``passes`` passes (at least three)."""
    best = float("inf")
    for _ in range(max(passes, 3)):
        started = time.perf_counter()
        run(events)
        best = min(best, (time.perf_counter() - started) / len(events) * 1e6)
    return best


def rules_only_row(sizes: Sizes, events: list[LoginEvent]) -> tuple[Row, float]:
    config = load_config(SAMPLES / "tenant.toml")
    engine = Engine(dataclasses.replace(config, action_files=()))
    policy = floors.SamplePolicy(engine.geoip, SAMPLES / "lists")

    def evaluate(batch: list[LoginEvent]) -> None:
        history = InMemoryHistory()
        for event in batch:
            engine.evaluate(event, history)

    def floor(batch: list[LoginEvent]) -> None:
        devices: dict[str, set[str]] = {}
        for event in batch:
            policy.decide(event, devices)

    measured = best_per_login(evaluate, events, sizes.passes)
    base = best_per_login(floor, events, sizes.passes)
    return Row("Engine.evaluate, rules-only tenant (µs)", measured, base, "µs", "<= 6x"), base


def fixed_work_rows(sizes: Sizes, events: list[LoginEvent]) -> list[Row]:
    """The engine's fixed work per login, each step beside the same work written directly
    (``fixed_floors``), over the sample logins with the history of the logins before them."""
    engine = Engine(load_config(SAMPLES / "tenant.toml"))
    plain = fixed_floors.PlainEnrichment(engine)
    history = InMemoryHistory()
    steps = []
    for event in events:  # each login as the engine saw it, then added to both histories
        enrichment = engine.enrich(event, history)
        context = RuleContext.build(
            event, geoip=enrichment.geoip, asn=enrichment.asn, risk=enrichment.risk
        )
        directives = list(engine.rules.evaluate(context))
        view = engine.event_view(event, enrichment)
        flow = engine.flow.run(view, now=event.timestamp, tenant_id=enrichment.tenant_id)
        directives.extend(flow.directives)
        user = engine._user_context(event, enrichment.risk)
        steps.append((event, enrichment.risk, directives, user))
        plain.add(event, enrichment.geoip)
        history.add(
            enrichment.tenant_id, event.user.user_id, engine._record(event, enrichment.geoip)
        )
    decisions = [engine.evaluate(event, InMemoryHistory()) for event in events]
    for _, _, directives, user in steps:
        ours = resolve(directives, engine.policy, user)
        theirs = fixed_floors.resolve(directives, engine.policy, user)
        if (ours.outcome, ours.factors) != theirs[:2]:
            found = f"{ours.outcome} {ours.factors} against {theirs[:2]}"
            raise SystemExit(f"the resolve floor disagrees on {directives}: {found}")
    passes = sizes.passes

    def timed(run) -> float:
        return best_per_login(lambda _: run(), events, passes)

    user_context = engine._user_context
    rows = [
        Row(
            "_user_context (µs)",
            timed(lambda: [user_context(e, r) for e, r, _, _ in steps]),
            timed(lambda: [fixed_floors.user_context(e, r) for e, r, _, _ in steps]),
            "µs",
            "<= 2x",
        ),
        Row(
            "enrich, GeoIP cached (µs)",
            timed(lambda: [engine.enrich(e, history) for e in events]),
            timed(lambda: [plain.enrich(e) for e in events]),
            "µs",
            "<= 2x",
        ),
        Row(
            "resolve (µs)",
            timed(lambda: [resolve(d, engine.policy, u) for _, _, d, u in steps]),
            timed(lambda: [fixed_floors.resolve(d, engine.policy, u) for _, _, d, u in steps]),
            "µs",
            "<= 2x",
        ),
        Row(
            "decision document (µs)",
            timed(lambda: [d.to_dict() for d in decisions]),
            timed(lambda: [fixed_floors.document(d) for d in decisions]),
            "µs",
            "<= 2x",
        ),
    ]
    engine.close()
    return rows


def replay_in_workers(sizes: Sizes, lines: list[str]) -> dict[str, float]:
    """The sample tenant's replay with its Actions in a confined worker process: the floor of
    the service run with ``isolation = "process"``."""
    config = load_config(SAMPLES / "tenant.toml")
    sandbox = config.sandbox.model_copy(update={"isolation": "process"})
    engine = Engine(dataclasses.replace(config, sandbox=sandbox), workers=1)
    try:
        return bench_replay.replay(engine, lines, max(2, sizes.passes // 5))
    finally:
        engine.close()


def replay_rows(sizes: Sizes, lines: list[str], floor_us: float) -> tuple[list[Row], dict]:
    engine = Engine(load_config(SAMPLES / "tenant.toml"))
    figures = bench_replay.replay(engine, lines, sizes.passes)
    rows = [
        Row("sample tenant evaluate p50 (µs)", figures["p50_us"], floor_us, "µs", "<= 150 µs"),
        Row(
            "replay, sample tenant, logins/s per core",
            figures["logins_per_s"],
            1e6 / floor_us,
            "/s",
            ">= 5,000/s",
        ),
    ]
    return rows, figures


def ip_in_range_row(sizes: Sizes) -> Row:
    base, _, ours = bench_helpers.ip_in_range_figures(
        random.Random(bench_helpers.SEED), 100, number=sizes.cidr_calls
    )
    return Row("ip_in_range, 100 CIDRs (µs)", ours, base, "µs", "")


def service_rows(sizes: Sizes, engine: dict, rules_only_us: float, lines: list[str]) -> list[Row]:
    """The load tests (module docstring); PostgreSQL's rows only when it is reachable."""
    timing = {"seconds": sizes.load_seconds, "warmup": sizes.load_warmup}
    engine_rate, engine_us = 2 * engine["logins_per_s"], 1e6 / engine["logins_per_s"]
    in_workers = replay_in_workers(sizes, lines)
    isolated = bench_service.load(clients=4, isolation="process", **timing)
    sqlite = bench_service.load(clients=4, **timing)
    rows = [
        Row(
            "service logins/s, SQLite, 4 clients, Actions in workers",
            isolated.logins_per_s,
            2 * in_workers["logins_per_s"],
            "/s",
            ">= 0.5x",
        ),
        Row(
            "service p99, SQLite, 4 clients, Actions in workers (µs)",
            isolated.p99_us,
            in_workers["p99_us"],
            "µs",
            "<= 10 ms",
        ),
        Row(
            "service logins/s, SQLite, 4 clients", sqlite.logins_per_s, engine_rate, "/s", ">= 0.5x"
        ),
        Row(
            "service logins/s per durable SQLite commit/s",
            sqlite.logins_per_s,
            bench_service.durable_commits_per_s(),
            "/s",
            "",
        ),
        Row(
            "service p99, SQLite, 4 clients (µs)", sqlite.p99_us, engine["p99_us"], "µs", "<= 10 ms"
        ),
        Row("service server CPU a login, SQLite (µs)", sqlite.cpu_us, engine_us, "µs", ""),
    ]
    with bench_service.postgres() as url:
        if url is None:
            print("PostgreSQL is not reachable on 127.0.0.1:5432: its rows are left out")
        else:
            pg = bench_service.load(clients=4, store=url, **timing)
            rows += [
                Row(
                    "service logins/s, PostgreSQL, 4 clients",
                    pg.logins_per_s,
                    engine_rate,
                    "/s",
                    ">= 0.5x",
                ),
                Row(
                    "service p99, PostgreSQL, 4 clients (µs)",
                    pg.p99_us,
                    engine["p99_us"],
                    "µs",
                    "<= 10 ms",
                ),
            ]
    rules = bench_service.load(clients=16, rules_only=True, **timing)
    rows.append(
        Row(
            "service logins/s, rules only, SQLite, 16 clients",
            rules.logins_per_s,
            2 * 1e6 / rules_only_us,
            "/s",
            ">= 1,500/s",
        )
    )
    return rows


def measure(sizes: Sizes, service: bool) -> list[Row]:
    lines = bench_replay.sample_lines(SAMPLES / "logins.jsonl")
    with tempfile.TemporaryDirectory(prefix="contextmfa-bench-") as temp:
        rows, actions_floor = action_rows(sizes, Path(temp))
    rules_row, rules_floor = rules_only_row(sizes, parsed(lines))
    rows.append(rules_row)
    rows.extend(fixed_work_rows(sizes, parsed(lines)))
    more, engine = replay_rows(sizes, lines, actions_floor + rules_floor)
    rows.extend(more)
    rows.append(ip_in_range_row(sizes))
    if service:
        rows.extend(service_rows(sizes, engine, rules_row.value, lines))
    return rows


def table(rows: list[Row]) -> str:
    out = [
        "| figure | value | floor | ratio | target |",
        "|---|---:|---:|---:|---|",
    ]
    for row in rows:
        out.append(
            f"| {row.figure} | {row.value:,.1f} | {row.floor:,.1f} | {row.ratio:.2f} "
            f"| {row.target} |"
        )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Fewer rounds: under 30 s.")
    parser.add_argument(
        "--skip-service", action="store_true", help="Leave out the load test subprocess."
    )
    args = parser.parse_args()
    started = time.perf_counter()
    rows = measure(QUICK if args.quick else DEFAULT, service=not args.skip_service)
    print(table(rows))
    print(
        f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {sys.version.split()[0]}, "
        f"{time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
