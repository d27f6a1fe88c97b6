"""Replay at scale: a million synthetic logins, throughput and peak memory for 1 and N workers.

    python benchmarks/bench_replay_scale.py [--logins 1000000] [--users 5000] [--workers 1 2]
                                            [--flow light|samples|both] [--samples-logins 100000]
                                            [--keep DIR]

It writes a JSON Lines file of synthetic logins (users with a home network, a few devices and
browsers, roles, now and then a trip abroad, a Tor exit or a VPN), then runs
``contextmfa replay FILE --config C --workers W --format jsonl --output OUT`` as a user would and
reports logins per second and the peak resident memory of the whole process tree (parent and
workers, sampled every 0.2 s from /proc). It then checks that every worker count gave the same
decisions (``timing_us`` aside): Actions get 1 s of wall time here instead of 100 ms, so that a
busy machine cannot turn a slow Action into a different decision.

Two flows: ``light`` (the sample rules and two Actions, what a tenant with a couple of Actions
runs) over ``--logins`` records, and ``samples`` (the sample tenant: five rule files, nine
Actions) over ``--samples-logins`` records, because nine Actions cost about 1 ms a login on one
core. A benchmark, not a test: figures vary with the machine and its load.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

HOMES = [  # (ip prefix, country) of addresses the bundled GeoIP database places
    ("145.100.0.", "NL"),
    ("62.72.64.", "DE"),
    ("193.0.6.", "NL"),
    ("81.2.69.", "GB"),
    ("85.214.0.", "DE"),
    ("82.94.0.", "NL"),
    ("128.32.0.", "US"),
    ("152.2.0.", "US"),
    ("133.11.0.", "JP"),
    ("200.147.0.", "BR"),
    ("90.84.0.", "FR"),
    ("194.153.0.", "SE"),
]
TRAVEL = ["210.173.160.1", "177.71.128.1", "128.32.0.1", "5.0.0.1", "213.205.192.1"]
TOR = "185.220.101.{}"
VPN = "193.138.218.10"
AGENTS = [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0",
]
TIMEOUT_MS = 1000
FACTORS = [["otp"], ["otp", "webauthn-platform"], ["push-notification"], ["sms"], []]
CLIENTS = [("portal-web", "Acme Portal"), ("payroll-web", "Payroll"), ("hr-web", "HR Portal")]


def write_logins(path: Path, count: int, users: int, seed: int = 7) -> None:
    """``count`` logins of ``users`` users, in time order, one JSON object a line."""
    rng = random.Random(seed)
    people = []
    for n in range(users):
        prefix, country = rng.choice(HOMES)
        people.append(
            {
                "user_id": f"auth0|user{n:06d}",
                "email": f"user{n}@acme.test",
                "home": prefix + str(rng.randint(1, 250)),
                "country": country,
                "devices": [f"d-{n}-{k}" for k in range(rng.randint(1, 3))],
                "agent": rng.choice(AGENTS),
                "factors": rng.choice(FACTORS),
                "roles": ["admin"] if rng.random() < 0.02 else [],
                "logins": rng.randint(1, 400),
            }
        )
    now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    step = timedelta(seconds=max(1, 60 * 86400 // max(count, 1)))
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            person = people[rng.randrange(users)]
            ip = person["home"]
            roll = rng.random()
            if roll < 0.03:
                ip = rng.choice(TRAVEL)
            elif roll < 0.035:
                ip = TOR.format(rng.randint(1, 250))
            elif roll < 0.045:
                ip = VPN
            client = CLIENTS[0] if rng.random() < 0.9 else rng.choice(CLIENTS[1:])
            stamp = now.isoformat().replace("+00:00", "Z")
            event = {
                "id": f"l-{n:07d}",
                "timestamp": stamp,
                "user": {
                    "user_id": person["user_id"],
                    "email": person["email"],
                    "email_verified": True,
                    "app_metadata": {"home_country": person["country"]},
                    "enrolled_factors": [{"type": f} for f in person["factors"]],
                },
                "authorization": {"roles": person["roles"]},
                "request": {"ip": ip, "user_agent": person["agent"], "hostname": "login.acme.test"},
                "device": {
                    "id": rng.choice(person["devices"]) if rng.random() < 0.95 else f"d-new-{n}",
                    "remembered": rng.random() < 0.3,
                },
                "authentication": {"methods": [{"name": "pwd", "timestamp": stamp}]},
                "client": {"client_id": client[0], "name": client[1], "metadata": {}},
                "stats": {"logins_count": person["logins"]},
            }
            out.write(json.dumps(event, separators=(",", ":")))
            out.write("\n")
            now += step


def light_config(directory: Path) -> Path:
    """The sample rules and deny lists with two Actions: a tenant with a light flow."""
    rules = ", ".join(f'"{p}"' for p in sorted((SAMPLES / "rules").glob("*.rules")))
    text = f"""[tenant]
id = "acme"

[policy]
mfa = "adaptive"
factors = ["otp", "sms", "voice", "email", "push-notification", "webauthn-roaming",
           "webauthn-platform", "recovery-code"]

[flow]
rules = [{rules}]
actions = ["{ROOT / "actions/block_embargoed_countries.py"}",
           "{ROOT / "actions/step_up_admins_security_keys.py"}"]

[risk]
deny_lists = {{ tor = "{SAMPLES / "lists/tor-exits.txt"}" }}

[sandbox]
timeout_ms = {TIMEOUT_MS}
"""
    path = directory / "light.toml"
    path.write_text(text)
    return path


def samples_config(directory: Path) -> Path:
    """The sample tenant (five rule files, nine Actions), copied so its timeout can be raised."""
    shutil.copytree(SAMPLES, directory / "samples", dirs_exist_ok=True)
    shutil.copytree(ROOT / "actions", directory / "actions", dirs_exist_ok=True)
    path = directory / "samples" / "tenant.toml"
    path.write_text(path.read_text().replace("timeout_ms = 100\n", f"timeout_ms = {TIMEOUT_MS}\n"))
    return path


def fingerprint(output: Path) -> tuple[str, int, Counter[str]]:
    """(digest of every decision without timing_us, decisions, Action errors by kind)."""
    digest, count, errors = hashlib.sha256(), 0, Counter[str]()
    with output.open("rb") as handle:
        for line in handle:
            body = line.rsplit(b',"timing_us"', 1)[0]
            digest.update(body)
            count += 1
            if b'"errors":[]' not in body:
                errors.update(error["kind"] for error in json.loads(line)["errors"])
    return digest.hexdigest()[:16], count, errors


def descendants(pid: int) -> Iterator[int]:
    """Every process below ``pid`` (children, their children...), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    todo = list(children.get(pid, ()))
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, ()))
        yield current


def rss_kb(pid: int) -> int:
    """The resident memory of ``pid`` in kB (0 once it has exited)."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def replay_command(logins: Path, config: Path, where: list[str], output: str) -> list[str]:
    """``contextmfa replay`` as a user runs it, JSON Lines to ``output``; ``where`` says how
    (``--workers W`` or ``--cluster local:W``)."""
    return [
        sys.executable, "-m", "contextmfa", "replay", str(logins), "--config", str(config),
        *where, "--format", "jsonl", "--output", output,
    ]  # fmt: skip


def run_sampled(command: list[str], sample: Callable[[int], None]) -> tuple[float, str]:
    """Run ``command``, calling ``sample(pid)`` every 0.2 s while it runs: its wall time and the
    last line it printed (the summary). A replay that fails (exit 2 and up) ends the benchmark."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()

    def sampling() -> None:
        while not stop.wait(0.2):
            sample(process.pid)

    sampler = threading.Thread(target=sampling, daemon=True)
    sampler.start()
    out, err = process.communicate()
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    if process.returncode not in (0, 1):
        raise SystemExit(f"replay failed ({process.returncode}): {err[-2000:]}")
    return elapsed, (out.strip().splitlines() or [""])[-1]


def run_replay(logins: Path, config: Path, workers: int, output: Path) -> dict[str, Any]:
    peak = {"tree": 0, "parent": 0}

    def sample(pid: int) -> None:
        own = rss_kb(pid)
        tree = own + sum(rss_kb(child) for child in descendants(pid))
        peak["tree"], peak["parent"] = max(peak["tree"], tree), max(peak["parent"], own)

    command = replay_command(logins, config, ["--workers", str(workers)], str(output))
    elapsed, summary = run_sampled(command, sample)
    return {
        "seconds": elapsed,
        "peak_tree_mb": peak["tree"] / 1024,
        "peak_parent_mb": peak["parent"] / 1024,
        "summary": summary,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=1_000_000)
    parser.add_argument("--samples-logins", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--flow", choices=["light", "samples", "both"], default="both")
    parser.add_argument("--keep", type=Path, help="keep the generated files in this directory")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        directory = args.keep or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        runs = []
        if args.flow in ("light", "both"):
            runs.append(("light: rules + 2 Actions", light_config(directory), args.logins))
        if args.flow in ("samples", "both"):
            runs.append(
                ("samples: rules + 9 Actions", SAMPLES / "tenant.toml", args.samples_logins)
            )
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        for label, config, count in runs:
            logins = directory / f"logins-{count}.jsonl"
            if not logins.exists():
                started = time.perf_counter()
                write_logins(logins, count, args.users)
                size = logins.stat().st_size / 1e6
                took = time.perf_counter() - started
                print(f"wrote {count:,} logins of {args.users:,} users ({size:,.0f} MB)", end="")
                print(f" in {took:.0f} s")
            prints = set()
            for workers in args.workers:
                output = directory / "decisions.jsonl"
                result = run_replay(logins, config, workers, output)
                digest, decisions, with_errors = fingerprint(output)
                output.unlink()
                prints.add(digest)
                rate = count / result["seconds"]
                print(
                    f"{label:28} {count:>9,} logins  workers {workers}: "
                    f"{result['seconds']:7.1f} s  {rate:7,.0f} logins/s  "
                    f"peak memory {result['peak_tree_mb']:6.0f} MB "
                    f"(parent {result['peak_parent_mb']:.0f} MB)"
                )
                print(f"    {result['summary']}")
                print(
                    f"    {decisions:,} decisions, digest {digest},",
                    f"Action errors: {dict(with_errors) or 'none'}",
                )
            same = "yes" if len(prints) == 1 else "NO"
            print(f"    same decisions with every worker count: {same}")


if __name__ == "__main__":
    main()
