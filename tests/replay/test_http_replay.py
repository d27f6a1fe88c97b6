"""Replaying logins whose Actions called a service: from the record (the default for an export),
live, or with the network off; a fixture file for ``contextmfa test``; and a diff that names the
calls a candidate makes that the current config never made. The stand-in runs on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from http_stand_in import serve_stand_in

SCORE_ACTION = """
def on_execute_post_login(event, api):
    r = fetch(event.secrets.BASE + "/score?score=" + event.user.app_metadata.get("score", "10"),
              headers={"Authorization": "Bearer " + event.secrets.KEY})
    print("score", r.json()["score"])
    if r.json()["score"] > 50:
        api.access.deny("risky")
"""
CANDIDATE_ACTION = SCORE_ACTION.replace('"/score?score="', '"/score?v=2&score="')
SECRET = "sk-test-4a7d0c9e1b2f3a4b"


def tenant(directory: Path, port: int, action: str = SCORE_ACTION, name: str = "tenant") -> Path:
    """``NAME.toml`` with one Action, ``actions_NAME/risk.py``, allowed to call the stand-in."""
    (directory / f"actions_{name}").mkdir(parents=True, exist_ok=True)
    (directory / f"actions_{name}" / "risk.py").write_text(action)
    path = directory / f"{name}.toml"
    path.write_text(
        f"""[tenant]
id = "acme"

[policy]
mfa = "never"

[flow]
actions = ["actions_{name}/risk.py"]
on_error = "challenge"

[sandbox]
timeout_ms = 3000
egress = ["http://127.0.0.1:{port}/score"]

[secrets.risk]
BASE = "http://127.0.0.1:{port}"
KEY = "{SECRET}"
"""
    )
    return path


def event(login_id: str, score: str, user: str = "auth0|ada") -> dict:
    return {
        "id": login_id,
        "timestamp": "2026-03-14T09:26:53Z",
        "user": {"user_id": user, "app_metadata": {"score": score}},
        "request": {"ip": "203.0.113.9"},
    }


@pytest.fixture
def recorded(tmp_path, cli):
    """Two logins decided live against the stand-in, written as an export would write them;
    the stand-in is stopped before the test reads them."""
    with serve_stand_in() as stand_in:
        config = tenant(tmp_path, stand_in.port)
        lines = []
        for login_id, score in (("l-1", "80"), ("l-2", "20")):
            path = tmp_path / f"{login_id}.json"
            path.write_text(json.dumps(event(login_id, score)))
            result = cli("evaluate", path, "-c", config, "--record-http")
            assert result.exit_code == 0, result.output
            decision = json.loads(result.stdout)
            line = event(login_id, score)
            line["expect"] = {"outcome": decision["outcome"]}
            line["recorded"] = {
                "config_version": "cfg-0000000000000000",
                "recorded_at": "2026-03-14T09:26:54Z",
                "decision": decision,
            }
            lines.append(line)
        port = stand_in.port
    export = tmp_path / "export.jsonl"
    export.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return config, export, lines, port


def test_evaluate_records_the_exchange_only_when_asked(recorded, tmp_path, cli):
    _, _, lines, _ = recorded
    decision = lines[0]["recorded"]["decision"]
    assert decision["outcome"] == "deny" and lines[1]["recorded"]["decision"]["outcome"] == "allow"
    [exchange] = decision["http"]
    assert exchange["url"] == "[REDACTED]/score?score=80"  # BASE is a configured secret
    assert exchange["request_headers"] == {"authorization": "[REDACTED]"}
    assert SECRET not in json.dumps(lines)


def test_replay_answers_from_the_record_with_the_service_stopped(recorded, cli):
    config, export, _, _ = recorded
    result = cli("replay", export, "-c", config, "--fail-on-error")
    assert result.exit_code == 0, result.output
    assert "2 expectations checked, 0 failed" in result.output


def test_replay_off_fails_every_call_and_the_login_follows_on_error(recorded, cli):
    config, export, _, _ = recorded
    result = cli("replay", export, "-c", config, "--http", "off", "--format", "jsonl")
    assert result.exit_code == 1, result.output  # l-1 was a deny: on_error = "challenge" now
    decisions = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["outcome"] for d in decisions] == ["enroll", "enroll"]  # nothing enrolled yet
    assert "network disabled (--http off)" in decisions[0]["errors"][0]["message"]
    assert "http" not in decisions[0]  # only with --record-http


def test_replay_live_calls_out_and_can_record(recorded, cli, tmp_path):
    config, export, _, _ = recorded
    with serve_stand_in() as stand_in:
        moved = tenant(tmp_path / "moved", stand_in.port)
        result = cli(
            "replay", export, "-c", moved, "--http", "live", "--format", "jsonl", "--record-http"
        )
        assert len(stand_in.requests) == 2
    assert result.exit_code == 0, result.output
    decisions = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["http"][0]["status"] for d in decisions] == [200, 200]
    stopped = cli("replay", export, "-c", config, "--http", "live", "--format", "jsonl")
    assert "cannot connect" in stopped.stdout


def test_a_call_that_was_not_recorded_is_an_error_for_that_login(recorded, cli, tmp_path):
    config, _, lines, _ = recorded
    lines[1]["recorded"]["decision"].pop("http")
    export = tmp_path / "partial.jsonl"
    export.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = cli("replay", export, "-c", config, "--format", "jsonl")
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["errors"] == []
    [error] = second["errors"]
    assert error["kind"] == "exception"
    assert "/score was not recorded for this login" in error["message"]
    assert "risk" in result.output and "not recorded" in result.output


def test_the_diff_names_calls_the_candidate_makes_that_the_baseline_never_made(
    recorded, cli, tmp_path
):
    config, export, _, port = recorded
    candidate = tenant(tmp_path, port, CANDIDATE_ACTION, "candidate")
    result = cli("replay", export, "-c", config, "--against", candidate)
    assert "the candidate made HTTP calls the current config never made" in result.stdout
    assert "GET [REDACTED]/score?v=2&score=80" in result.stdout
    as_json = cli("replay", export, "-c", config, "--against", candidate, "--format", "json")
    counts = json.loads(as_json.stdout)["new_http_calls"]
    assert counts["logins"] == 2


def test_contextmfa_test_answers_from_a_fixture_file(tmp_path, cli):
    config = tenant(tmp_path, 9)
    action = tmp_path / "actions_tenant" / "risk.py"
    login = tmp_path / "event.json"
    login.write_text(json.dumps(event("l-9", "80")))
    fixture = tmp_path / "fixture.json"
    fixture.write_text(
        json.dumps(
            {
                "exchanges": [
                    {
                        "url": "http://127.0.0.1:9/score?score=80",
                        "status": 200,
                        "json": {"score": 99},
                    }
                ]
            }
        )
    )
    result = cli("test", action, "-e", login, "-c", config, "--http-fixture", fixture, "-f", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["logs"] == ["score 99"]
    assert summary["directives"][0]["directive"] == "deny"
    assert summary["http"][0]["status"] == 200

    fixture.write_text(json.dumps({"exchanges": [{"url": "http://127.0.0.1:9/x", "oops": 1}]}))
    bad = cli("test", action, "-e", login, "-c", config, "--http-fixture", fixture)
    assert bad.exit_code == 2 and "exchanges[0]: error: unknown key 'oops'" in bad.output


def test_contextmfa_test_in_a_worker_gets_its_answers_from_the_parent(tmp_path, cli):
    config = tenant(tmp_path, 9)
    config.write_text(
        config.read_text().replace("[sandbox]\n", '[sandbox]\nisolation = "process"\n')
    )
    login = tmp_path / "event.json"
    login.write_text(json.dumps(event("l-9", "20")))
    fixture = tmp_path / "fixture.json"
    answer = {"url": "http://127.0.0.1:9/score?score=20", "json": {"score": 20}}
    fixture.write_text(json.dumps({"exchanges": [answer]}))
    action = tmp_path / "actions_tenant" / "risk.py"
    result = cli("test", action, "-e", login, "-c", config, "--http-fixture", fixture, "-f", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["logs"] == ["score 20"] and summary["http"][0]["status"] == 200
