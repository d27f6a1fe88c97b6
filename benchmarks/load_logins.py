"""Load test of ``POST /v1/logins``: sustained logins per second and p50/p99 latency.

    python benchmarks/load_logins.py [--workers 1] [--concurrency 16] [--duration 10]
                                     [--store sqlite:///PATH | postgresql+psycopg://...]
                                     [--redis redis://...] [--url URL --api-key KEY]
                                     [--rules-only]

Without ``--url`` it starts ``contextmfa serve`` on a free loopback port with the sample tenant
(``samples/tenant.toml``: five rule files, nine Actions - none with ``--rules-only`` - the bundled
GeoIP database, deny lists) and a fresh SQLite store in a temporary directory, and stops it
afterwards. The logins are the records of ``samples/logins.jsonl`` with fresh login ids and users
spread over ``--users``, so history, risk and the store are exercised as in production. Actions
run inline, or in the sandbox's worker processes with ``--isolation process``.

The client is bounded: ``--concurrency`` keep-alive connections over plain asyncio streams (a
minimal HTTP/1.1 client, so that the client costs the shared CPUs as little as possible), for
``--duration`` seconds after a one-second warm-up, or ``--max-requests`` requests, whichever comes
first. It only ever talks to the loopback address. Figures vary with the machine and its load;
the server's CPU per login (every process of ``serve``, from /proc, over the whole run) varies
much less than logins/s on a machine shared with other work.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


# The server ------------------------------------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)


def write_sample_tenant(
    directory: Path,
    store: str,
    redis: str,
    api_key: str,
    *,
    rules_only: bool = False,
    isolation: str = "inline",
) -> Path:
    """samples/tenant.toml with absolute paths and a [service] section, in ``directory``;
    without its Actions when ``rules_only``; its Actions run ``isolation`` (inline or process)."""
    raw = tomllib.loads((SAMPLES / "tenant.toml").read_text(encoding="utf-8"))
    flow = raw.setdefault("flow", {})
    if rules_only:
        flow["actions"] = []
    for key in ("rules", "actions"):
        flow[key] = [str((SAMPLES / p).resolve()) for p in flow.get(key, [])]
    lists = raw.get("risk", {}).get("deny_lists", {})
    raw["risk"]["deny_lists"] = {k: str((SAMPLES / p).resolve()) for k, p in lists.items()}
    raw["sandbox"] = {**raw.get("sandbox", {}), "isolation": isolation}
    raw["service"] = {"api_key": api_key, "store": store, "redis": redis}
    lines = []
    for section, values in raw.items():
        tables = {k: v for k, v in values.items() if isinstance(v, dict) and section == "secrets"}
        plain = {k: v for k, v in values.items() if k not in tables}
        if plain:
            lines.append(f"[{section}]")
            lines.extend(f"{k} = {_toml_value(v)}" for k, v in plain.items())
        for name, table in tables.items():
            lines.append(f"[{section}.{name}]")
            lines.extend(f"{k} = {_toml_value(v)}" for k, v in table.items())
    path = directory / "tenant.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(config: Path, workers: int, directory: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ}
    env.setdefault("CONTEXTMFA_SECRET_KEY", _keygen())
    command = [
        sys.executable,
        "-m",
        "contextmfa",
        "serve",
        "--config",
        str(config),
        "--port",
        str(port),
    ]
    command += ["--workers", str(workers), "--log-level", "warning"]
    log = open(directory / "serve.log", "wb")  # noqa: SIM115 - kept open for the server's life
    process = subprocess.Popen(
        command,
        cwd=directory,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"serve exited:\n{(directory / 'serve.log').read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("serve did not start within 60 s")


def _keygen() -> str:
    from contextmfa.store import keygen

    return keygen()


def server_cpu_seconds(process: subprocess.Popen) -> float:
    """CPU seconds (user + system) used so far by the server's processes: ``serve`` runs in a
    session of its own, so every process of that session is the server's."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == process.pid:  # the session id
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# The logins ------------------------------------------------------------------------------------


def sample_events() -> list[dict[str, Any]]:
    events = []
    for line in (SAMPLES / "logins.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            event = json.loads(line)
            event.pop("expect", None)
            events.append(event)
    return events


def request_bytes(host: str, api_key: str, event: dict[str, Any]) -> bytes:
    body = json.dumps(event, separators=(",", ":")).encode()
    head = (
        f"POST /v1/logins HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {api_key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


# The client ------------------------------------------------------------------------------------


class Run:
    def __init__(self, duration: float, max_requests: int, warmup: float) -> None:
        self.started = time.perf_counter()
        self.measure_from = self.started + warmup
        self.stop_at = self.measure_from + duration
        self.max_requests = max_requests
        self.sent = 0
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self.first: float | None = None
        self.last = 0.0
        self.server_cpu_us: float | None = None

    def more(self) -> bool:
        return time.perf_counter() < self.stop_at and self.sent < self.max_requests

    def record(self, began: float, ended: float, status: int) -> None:
        if began >= self.measure_from:
            self.first = began if self.first is None else self.first
            self.last = ended
            self.latencies.append(ended - began)
            if status != 200:
                self.errors[str(status)] = self.errors.get(str(status), 0) + 1


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def connection(url: str, api_key: str, events: list, users: int, run: Run) -> None:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while run.more():
            run.sent += 1
            event = dict(events[run.sent % len(events)])
            event["id"] = f"load-{secrets.token_hex(6)}"
            event["user"] = {**event["user"], "user_id": f"load|{run.sent % users}"}
            payload = request_bytes(f"{host}:{port}", api_key, event)
            began = time.perf_counter()
            writer.write(payload)
            await writer.drain()
            status = await read_response(reader)
            run.record(began, time.perf_counter(), status)
    finally:
        writer.close()


async def drive(args: argparse.Namespace, url: str, api_key: str) -> Run:
    run = Run(args.duration, args.max_requests, args.warmup)
    events = sample_events()
    await asyncio.gather(
        *(connection(url, api_key, events, args.users, run) for _ in range(args.concurrency))
    )
    return run


def report(run: Run, args: argparse.Namespace, where: str) -> None:
    latencies = sorted(run.latencies)
    if not latencies or run.first is None:
        raise SystemExit("no request completed inside the measured window")
    elapsed = run.last - run.first
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    print(f"POST /v1/logins on {where}")
    print(
        f"  workers {args.workers}, concurrency {args.concurrency}, "
        f"{len(latencies)} logins in {elapsed:.1f} s (after {args.warmup:.0f} s warm-up)"
    )
    print(f"  sustained: {len(latencies) / elapsed:,.0f} logins/s")
    print(
        f"  latency: p50 {cuts[49] * 1000:.1f} ms, p90 {cuts[89] * 1000:.1f} ms, "
        f"p99 {cuts[98] * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms"
    )
    errors = ", ".join(f"{k}: {v}" for k, v in sorted(run.errors.items())) or "none"
    print(f"  non-200 answers: {errors}")
    if run.server_cpu_us is not None:
        print(f"  server CPU: {run.server_cpu_us:,.0f} µs a login (all workers, whole run)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="A running service (loopback only); else one is started.")
    parser.add_argument("--api-key", help="The tenant's API key, with --url.")
    parser.add_argument("--workers", type=int, default=1, help="serve --workers, when started.")
    parser.add_argument("--store", default="", help="Store URL (default: a fresh SQLite file).")
    parser.add_argument("--redis", default="", help="Redis URL for the started service.")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument(
        "--rules-only", action="store_true", help="The sample tenant without its nine Actions."
    )
    parser.add_argument(
        "--isolation",
        choices=("inline", "process"),
        default="inline",
        help="How the started service runs the Actions (default inline).",
    )
    args = parser.parse_args()

    if args.url:
        host = urlsplit(args.url).hostname or ""
        if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("127."):
            raise SystemExit("--url must be a loopback address")
        if not args.api_key:
            raise SystemExit("--url needs --api-key")
        report(asyncio.run(drive(args, args.url, args.api_key)), args, args.url)
        return
    with tempfile.TemporaryDirectory(prefix="contextmfa-load-") as temp:
        directory = Path(temp)
        api_key = f"load-{secrets.token_hex(16)}"
        store = args.store or f"sqlite:///{directory / 'load.db'}"
        config = write_sample_tenant(
            directory,
            store,
            args.redis,
            api_key,
            rules_only=args.rules_only,
            isolation=args.isolation,
        )
        process, url = start_server(config, args.workers, directory)
        try:
            cpu_before = server_cpu_seconds(process)
            run = asyncio.run(drive(args, url, api_key))
            if run.sent:
                cpu = server_cpu_seconds(process) - cpu_before
                run.server_cpu_us = cpu / run.sent * 1e6
        finally:
            stop_server(process)
        backend = store.split(":", 1)[0] + (" + redis" if args.redis else "")
        tenant = "samples/tenant.toml" + (", rules only" if args.rules_only else "")
        tenant += f", Actions {args.isolation}" if not args.rules_only else ""
        report(run, args, f"{url} ({backend}, {tenant})")


if __name__ == "__main__":
    main()
