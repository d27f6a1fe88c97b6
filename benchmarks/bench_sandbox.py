"""What the Actions sandbox costs per login: plain Python, in-process, and in a worker process.

    python benchmarks/bench_sandbox.py [--action actions/step_up_admins_security_keys.py]
                                       [--event samples/events/admin-office.json] [--logins 3000]

Three ways to run the same Action against the same enriched login, each timed over
``--logins`` back-to-back logins, best of five rounds:

- plain Python: the file compiled with ``compile()`` and called with a trivial read-only event
  object and an ``api`` that records calls: the floor, with no guard at all;
- inline: ``InlineFlow`` (``isolation = "inline"``): RestrictedPython, guards, budgets;
- process: ``ProcessFlow`` with one pre-forked worker (``isolation = "process"``): the inline
  cost plus one round trip to the worker, the request and the checked results.

Then the same for the whole sample tenant's flow (every Action of samples/tenant.toml). A
benchmark, not a test: figures vary with the machine and its load; on a VM, waking a sleeping
CPU dominates the process round trip.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from contextmfa.config import load_config
from contextmfa.engine import Engine, Enrichment
from contextmfa.enrich.geoip import GeoIP
from contextmfa.events import load_event
from contextmfa.flow import InlineFlow
from contextmfa.sandbox import InMemoryActionCache, SandboxLimits, compile_action
from contextmfa.sandbox.helpers import distance_km, ip_in_range
from contextmfa.sandbox.process import ProcessFlow

ROOT = Path(__file__).resolve().parent.parent
RISK = {
    "confidence": "high",
    "version": "1",
    "assessments": {
        "new_device": {"code": "match", "details": {}},
        "impossible_travel": {"code": "minimal_travel_from_last_login", "details": {}},
        "untrusted_ip": {"code": "not_found_on_deny_list", "details": {}},
    },
}


class Plain:
    """A read-only attribute view for the plain-Python floor (what a trusted host would pass)."""

    __slots__ = ("_d",)

    def __init__(self, data: dict[str, Any]) -> None:
        self._d = data

    def __getattr__(self, name: str) -> Any:
        return _plain(self._d[name])

    def get(self, key: str, default: Any = None) -> Any:
        return _plain(self._d.get(key, default))

    def __iter__(self) -> Any:
        return iter(self._d)

    def __getitem__(self, key: str) -> Any:
        return self._d[key]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return Plain(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


class Recorder:
    """An ``api`` that accepts every call and keeps it."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def __getattr__(self, name: str) -> Any:
        return self if name != "cache" else _Cache()

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self.calls.append(args)


class _Cache:
    def get(self, key: str) -> None:
        return None

    def set(self, *args: Any, **kwargs: Any) -> None:
        return None


def enriched_event(path: Path) -> tuple[dict[str, Any], Any]:
    event = load_event(path)
    geoip = GeoIP.open("default", "", base_dir=ROOT)
    try:
        ip = __import__("ipaddress").ip_address(event.request.ip)
        enrichment = Enrichment("acme", geoip.city(ip), geoip.asn(ip), RISK)
    finally:
        geoip.close()
    return Engine.event_view(event, enrichment), event.timestamp


def per_login_us(run: Callable[[], Any], logins: int) -> tuple[float, float]:
    """Best and median of five rounds, in microseconds per login."""
    for _ in range(max(logins // 10, 50)):
        run()
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(logins):
            run()
        rounds.append((time.perf_counter() - started) / logins * 1e6)
    return min(rounds), statistics.median(rounds)


def plain_runner(paths: list[Path], secrets: Callable[[str], Any], event: dict[str, Any]):
    functions = []
    for path in paths:
        namespace: dict[str, Any] = {
            "__name__": path.stem,
            "print": lambda *a, **k: None,
            "ip_in_range": ip_in_range,
            "distance_km": distance_km,
        }
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
        functions.append((namespace["on_execute_post_login"], dict(secrets(path.stem))))

    def run() -> None:
        for function, action_secrets in functions:
            function(Plain({**event, "secrets": action_secrets}), Recorder())

    return run


def flow_rows(
    paths: list[Path], secrets: Any, event: dict[str, Any], now: Any, n: int, process: bool = True
) -> dict[str, tuple[float, float]]:
    """Best and median µs per login of the Actions at ``paths``: plain Python, inline, process."""
    actions = [compile_action(p.read_text(encoding="utf-8"), str(p)) for p in paths]
    options = dict(secrets_for=secrets, limits=SandboxLimits(), on_error="deny")
    inline = InlineFlow(actions, cache=InMemoryActionCache(), **options)
    rows = {
        "plain Python (floor)": per_login_us(plain_runner(paths, secrets, event), n),
        "inline": per_login_us(lambda: inline.run(event, now=now, tenant_id="acme"), n),
    }
    if process:
        worker = ProcessFlow(actions, cache=InMemoryActionCache(), **options)
        try:
            expected = inline.run(event, now=now, tenant_id="acme")
            assert worker.run(event, now=now, tenant_id="acme") == expected, "flows disagree"
            rows["process"] = per_login_us(lambda: worker.run(event, now=now, tenant_id="acme"), n)
        finally:
            worker.close()
    return rows


def measure(label: str, paths: list[Path], secrets: Any, event: dict[str, Any], now: Any, n: int):
    rows = list(flow_rows(paths, secrets, event, now, n).items())
    print(f"\n{label} ({len(paths)} Action{'s' if len(paths) > 1 else ''})")
    print(f"  {'':22} {'best':>9} {'median':>9}   µs per login")
    for name, (best, median) in rows:
        print(f"  {name:22} {best:9.1f} {median:9.1f}")
    overhead = rows[2][1][0] - rows[1][1][0]
    print(f"  process isolation adds {overhead:.0f} µs per login (best rounds)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--action", type=Path, default=ROOT / "actions/step_up_admins_security_keys.py"
    )
    parser.add_argument("--event", type=Path, default=ROOT / "samples/events/admin-office.json")
    parser.add_argument("--config", type=Path, default=ROOT / "samples/tenant.toml")
    parser.add_argument("--logins", type=int, default=3000)
    args = parser.parse_args()

    event, now = enriched_event(args.event)
    config = load_config(args.config)
    measure(
        f"a typical Action: {args.action.stem}",
        [args.action],
        config.secrets_for,
        event,
        now,
        args.logins,
    )
    measure(
        f"the sample tenant's flow: {args.config.name}",
        list(config.action_files),
        config.secrets_for,
        event,
        now,
        max(args.logins // 3, 300),
    )


if __name__ == "__main__":
    main()
