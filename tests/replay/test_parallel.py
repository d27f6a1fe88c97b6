"""Parallel replay gives the rows a one-process replay gives, in the same order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contextmfa import Engine, load_config
from contextmfa.replay.evaluator import Evaluator
from contextmfa.replay.parallel import WorkerFailed, WorkerSpec, parallel_rows, route
from contextmfa.replay.rows import Row, RowOptions
from contextmfa.replay.source import (
    PARALLEL_MIN_RECORDS,
    cpu_count,
    default_workers,
    sequential_rows,
)


def _comparable(row: Row) -> tuple:
    decision = json.loads(row.decision_json) if row.decision_json else None
    if decision is not None:
        decision.pop("timing_us")
    return (
        row.line,
        row.login_id,
        row.user_id,
        row.error,
        row.current,
        row.candidate,
        row.responsible,
        row.mismatches,
        decision,
        row.facts,
    )


def test_workers_give_the_sequential_rows_in_order(tmp_path, tree, synthetic):
    logins = synthetic(tmp_path / "logins.jsonl", users=13, rounds=2)
    config, candidate = tree / "tenant.toml", tree / "always" / "tenant.toml"
    options = RowOptions(source=str(logins), decision_json=True, facts=True, details=True)
    evaluator = Evaluator(Engine(load_config(config)), options, Engine(load_config(candidate)))
    try:
        expected = [_comparable(row) for row in sequential_rows(evaluator, logins)]
    finally:
        evaluator.close()
    spec = WorkerSpec(config, candidate, options)
    # tiny chunks and a short window: many chunks in flight, answered out of order
    got = [_comparable(row) for row in parallel_rows(logins, spec, 2, chunk=7, in_flight=3)]
    assert len(got) == len(expected) == 142
    assert got == expected
    # history built up per user: the same user's later logins know the device
    codes = {row[8]["risk"]["assessments"]["new_device"]["code"] for row in got}
    assert {"initial_login", "match"} <= codes
    assert any(row[5] != row[4] for row in got)  # the candidate changes some decisions


def test_cli_with_two_workers_matches_one_worker_messages_included(cli, tmp_path, tree, synthetic):
    logins = synthetic(tmp_path / "logins.jsonl", users=5, rounds=2)
    lines = logins.read_text().splitlines()
    bad_ip = json.loads(lines[3])
    bad_ip["request"]["ip"] = "999.1.1.1"
    lines[3] = json.dumps(bad_ip)
    lines[10] = "{not json"
    lines[20] = '{"id": "x", "padding": "' + "a" * (1 << 20) + '"}'
    lines.insert(30, "# a comment")
    lines.insert(31, "")
    logins.write_text("\n".join(lines) + "\n")

    def run(workers: int):
        return cli("replay", logins, "-c", tree / "tenant.toml", "-f", "jsonl", "-w", workers)

    one, two = run(1), run(2)
    assert one.exit_code == two.exit_code == 2
    assert one.stderr == two.stderr
    assert f"{logins}:4: error: request.ip: '999.1.1.1' is not an IP address" in two.stderr
    assert f"{logins}:11: error: invalid JSON" in two.stderr
    assert f"{logins}:21: error: record is larger than" in two.stderr
    assert "3 records with input errors" in two.stderr

    def decisions(result) -> list[dict]:
        found = [json.loads(line) for line in result.stdout.splitlines()]
        for decision in found:
            decision.pop("timing_us")
        return found

    assert decisions(one) == decisions(two)
    assert len(decisions(two)) == len(lines) - 2 - 3


def test_a_worker_that_cannot_start_fails_the_replay(tmp_path, samples):
    spec = WorkerSpec(tmp_path / "gone.toml", None, RowOptions())
    with pytest.raises(WorkerFailed) as failed:
        list(parallel_rows(samples / "logins.jsonl", spec, 2))
    assert failed.value.exit_code == 2
    assert "gone.toml: error: config file not found" in str(failed.value)


def test_missing_file_fails_before_any_worker_starts(cli, tmp_path, samples):
    result = cli("replay", tmp_path / "none.jsonl", "-c", samples / "tenant.toml", "-w", "2")
    assert result.exit_code == 2
    assert "none.jsonl: error: no such file" in result.stderr


def test_records_of_one_user_go_to_one_worker():
    def raw(user: str, n: int) -> bytes:
        return json.dumps({"id": str(n), "user": {"user_id": user}}).encode()

    assert len({route(raw("auth0|alice", n), 4) for n in range(20)}) == 1
    assert len({route(raw(f"user-{n}", n), 4) for n in range(200)}) == 4
    assert route(b'{"user": 1}', 4) == 0


def test_default_workers_use_every_core_for_large_files_only():
    assert default_workers(10) == 1
    assert default_workers(PARALLEL_MIN_RECORDS + 1) == cpu_count()


def test_rows_without_decisions_are_errors(tmp_path: Path, samples):
    logins = tmp_path / "l.jsonl"
    logins.write_text('{"id": "a"}\n')
    evaluator = Evaluator(Engine(load_config(samples / "tenant.toml")), RowOptions(str(logins)))
    try:
        (row,) = list(sequential_rows(evaluator, logins))
    finally:
        evaluator.close()
    assert row.current is None and row.error.startswith(f"{logins}:1: error: ")
