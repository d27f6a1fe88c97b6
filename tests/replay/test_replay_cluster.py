"""``replay --cluster`` on a LocalCluster of two worker processes (loopback only) decides every
login as a one-process replay does, and says the same about them.

One cluster serves the module; commands reach it by its scheduler address, as they would reach a
remote one. The generated input (50,000 logins of 2,000 users) runs on the sample rules and deny
list without Actions: the sample tenant's nine Actions cost about 1 ms a login, too slow here.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import logging
import os
import signal
import sys
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="the cluster extra (dask[distributed]) is not installed")
pytest.importorskip("fsspec", reason="the cluster extra (fsspec) is not installed")

from distributed import Client, LocalCluster

import contextmfa.cli.replay_cluster as replay_cluster

ROOT = Path(__file__).resolve().parents[2]
GENERATED_LOGINS, GENERATED_USERS = 50_000, 2_000


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as local:
        yield local


def decisions(text: str) -> list[str]:
    """Every decision of a JSON Lines output, without its timing, sorted."""
    found = []
    for line in text.splitlines():
        decision = json.loads(line)
        decision.pop("timing_us")
        found.append(json.dumps(decision, sort_keys=True))
    return sorted(found)


def replay_both(cli, *args, cluster):
    """The same replay in one process and on the cluster."""
    here = cli("replay", *args, "--workers", "1")
    there = cli("replay", *args, "--cluster", cluster.scheduler_address)
    return here, there


def test_sample_logins_decide_as_one_process(cli, samples, cluster):
    here, there = replay_both(
        cli, samples / "logins.jsonl", "--config", samples / "tenant.toml", "-f", "jsonl",
        cluster=cluster,
    )  # fmt: skip
    assert here.exit_code == there.exit_code == 0, there.output
    assert decisions(there.stdout) == decisions(here.stdout)
    assert len(decisions(there.stdout)) == 71
    assert there.stderr == here.stderr  # Action error lines and the summary, word for word
    assert "71 expectations checked, 0 failed" in there.stderr


def test_failed_expectations_and_diff_read_as_one_process(cli, samples, cluster, tmp_path):
    logins = tmp_path / "logins.jsonl"
    text = (samples / "logins.jsonl").read_text()
    text = text.replace('"expect": {"outcome": "allow"', '"expect": {"outcome": "deny"', 3)
    logins.write_text(text)
    config = ("--config", samples / "tenant.toml")
    here, there = replay_both(cli, logins, *config, cluster=cluster)
    assert here.exit_code == there.exit_code == 1
    assert there.stderr == here.stderr  # every mismatch, in input order
    assert there.stderr.count("expected outcome 'deny', got 'allow'") == 3
    assert there.stdout == here.stdout  # the table and the summary
    against = ("--against", samples / "always" / "tenant.toml")
    here, there = replay_both(cli, logins, *config, *against, "-f", "json", cluster=cluster)
    assert here.exit_code == there.exit_code == 1
    assert json.loads(there.stdout) == json.loads(here.stdout)  # transitions, groups, examples
    assert json.loads(there.stdout)["changed"] > 0
    here, there = replay_both(cli, logins, *config, *against, "-f", "jsonl", cluster=cluster)
    changed = sorted(json.loads(line)["login_id"] for line in there.stdout.splitlines())
    assert changed == sorted(json.loads(line)["login_id"] for line in here.stdout.splitlines())
    report = tmp_path / "report.html"
    there = cli(
        "replay", logins, *config, *against, "--report", report,
        "--cluster", cluster.scheduler_address,
    )  # fmt: skip
    assert there.exit_code == 1
    page = report.read_text()
    assert "l-0001" in page and "policy:always" in page


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """50,000 logins of 2,000 users, a rules-only config, and its one-process decisions."""
    spec = importlib.util.spec_from_file_location(
        "bench_replay_scale", ROOT / "benchmarks" / "bench_replay_scale.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    directory = tmp_path_factory.mktemp("generated")
    logins = directory / "logins.jsonl"
    bench.write_logins(logins, GENERATED_LOGINS, GENERATED_USERS)
    rules = ", ".join(f'"{p}"' for p in sorted((ROOT / "samples" / "rules").glob("*.rules")))
    config = directory / "rules.toml"
    config.write_text(
        f'[tenant]\nid = "acme"\n\n[policy]\nmfa = "adaptive"\nfactors = ["otp", "sms"]\n\n'
        f"[flow]\nrules = [{rules}]\n\n"
        f'[risk]\ndeny_lists = {{ tor = "{ROOT / "samples" / "lists" / "tor-exits.txt"}" }}\n'
    )
    from typer.testing import CliRunner

    from contextmfa.cli.main import app

    here = CliRunner().invoke(
        app, ["replay", str(logins), "--config", str(config), "-f", "jsonl", "--workers", "1"]
    )
    assert here.exit_code == 0, here.output
    return logins, config, decisions(here.stdout), here.stderr


def test_generated_logins_decide_as_one_process(cli, generated, cluster):
    logins, config, expected, summary = generated
    there = cli(
        "replay", logins, "--config", config, "-f", "jsonl",
        "--cluster", cluster.scheduler_address,
    )  # fmt: skip
    assert there.exit_code == 0, there.output
    got = decisions(there.stdout)
    assert len(got) == GENERATED_LOGINS
    assert got == expected
    assert there.stderr == summary
    outcomes = {json.loads(d)["outcome"] for d in got}
    assert {"allow", "challenge", "deny"} <= outcomes


def test_a_worker_killed_mid_run_changes_nothing(cli, generated, cluster, monkeypatch):
    """The worker running a partition dies (SIGKILL); Dask reruns its tasks elsewhere, and each
    partition is counted once: same decisions, same summary."""
    logins, config, expected, summary = generated
    client = Client(cluster.scheduler_address)
    killed = []

    def kill_a_replaying_worker(bar, total):
        if killed:
            return
        for address, keys in client.processing().items():
            if any("contextmfa-partition" in str(key) for key in keys):
                pid = client.run(os.getpid, workers=[address])[address]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return

    monkeypatch.setattr(replay_cluster._Bar, "tick", kill_a_replaying_worker)
    try:
        there = cli(
            "replay", logins, "--config", config, "-f", "jsonl",
            "--cluster", cluster.scheduler_address,
        )  # fmt: skip
    finally:
        client.close()
    assert killed, "no partition was running when a task finished"
    assert there.exit_code == 0, there.output
    assert decisions(there.stdout) == expected
    assert there.stderr == summary  # 50,000 logins counted once each
    cluster.wait_for_workers(2)


def test_a_directory_by_file_url_with_a_gzip_file(cli, samples, cluster, tmp_path):
    """Files in name order are one input (line numbers run on), a .gz file is read as gzip,
    and --output writes a JSON Lines part per partition."""
    lines = (samples / "logins.jsonl").read_text().splitlines(keepends=True)
    directory = tmp_path / "logs"
    directory.mkdir()
    (directory / "a.jsonl").write_text("".join(lines[:40]))
    with gzip.open(directory / "b.jsonl.gz", "wt") as out:
        out.write("".join(lines[40:]))
    (directory / "_SUCCESS").write_text("")
    config = ("--config", samples / "tenant.toml")
    here = cli("replay", samples / "logins.jsonl", *config, "-f", "jsonl", "--workers", "1")
    parts = tmp_path / "decisions"
    there = cli(
        "replay", f"file://{directory}", *config, "-f", "jsonl",
        "--output", f"file://{parts}", "--cluster", cluster.scheduler_address,
    )  # fmt: skip
    assert there.exit_code == 0, there.output
    written = "".join(p.read_text() for p in sorted(parts.glob("part-*.jsonl")))
    assert decisions(written) == decisions(here.stdout)
    assert len(list(parts.glob("part-*.jsonl"))) >= 2
    assert there.stdout.splitlines()[-1] == here.stderr.splitlines()[-1]
    gzipped = cli(
        "replay", directory / "b.jsonl.gz", *config, "-f", "jsonl",
        "--cluster", cluster.scheduler_address,
    )  # fmt: skip
    # alone, the second half lacks its users' earlier logins: some expectations fail
    assert gzipped.exit_code == 1, gzipped.output
    records = [line for line in lines[40:] if line.strip() and not line.startswith("#")]
    assert len(decisions(gzipped.stdout)) == len(records)
    assert f"{directory / 'b.jsonl.gz'}:13: l-0050: expected outcome 'deny'" in gzipped.stderr


def test_without_the_extra_the_error_says_what_to_install(cli, samples, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    result = cli(
        "replay", samples / "logins.jsonl", "--config", samples / "tenant.toml",
        "--cluster", "local:2",
    )  # fmt: skip
    assert result.exit_code == 2
    assert 'pip install "contextmfa[cluster]"' in result.stderr


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (("--cluster", "local:2", "--workers", "2"), "--workers"),
        (("--cluster", "local:2", "--output", "out"), "--format jsonl"),
        (("--scratch", "file:///tmp"), "needs --cluster"),
        (("--cluster", "local:x"), "expected local:N"),
        (("--cluster", "tcp://203.0.113.9:8786"), "needs --scratch URL"),
    ],
)
def test_options_that_cannot_work_are_refused(cli, samples, extra, says):
    result = cli("replay", samples / "logins.jsonl", "--config", samples / "tenant.toml", *extra)
    assert result.exit_code == 2
    assert says in result.output


def test_standard_input_is_refused_on_a_cluster(cli, samples):
    result = cli("replay", "-", "--config", samples / "tenant.toml", "--cluster", "local:2")
    assert result.exit_code == 2
    assert "standard input" in result.output


def test_on_a_terminal_a_bar_counts_every_task(cli, samples, cluster, monkeypatch):
    """One step per finished task (split and partition), out of their total: the time left
    comes from Dask's futures completing."""
    steps: list[int] = []

    class Bar:
        def advance(self) -> None:
            steps.append(1)

        def stop(self) -> None:
            steps.append(0)

    totals: list[int] = []

    def progress(stack, total, *, minimum):
        totals.append(total)
        return Bar()

    monkeypatch.setattr(replay_cluster, "is_terminal", lambda: True)
    monkeypatch.setattr(replay_cluster, "progress", progress)
    result = cli(
        "replay", samples / "logins.jsonl", "--config", samples / "tenant.toml",
        "-f", "jsonl", "--cluster", cluster.scheduler_address,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert totals == [1 + 8]  # one block, two threads x four partitions
    assert steps == [1] * 9 + [0]
