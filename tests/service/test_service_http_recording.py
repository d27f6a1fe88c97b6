"""The round trip of a login whose Action asks a risk service: the service decides it with the
stand-in up (the call made by the parent of a confined worker), records the exchange, ``logins
export`` writes it, the stand-in stops, and ``replay`` answers from the recording: 0 mismatches.
The stand-in listens on 127.0.0.1 only."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from http_stand_in import serve_stand_in
from service_helpers import SECRET_KEY, START, Clock, bearer, login_event
from typer.testing import CliRunner

from contextmfa.cli.main import app as cli_app
from contextmfa.service import create_app, load_tenants

API_KEY = "api-key-of-acme-0123456789"
RISK_KEY = "risk-license-key-0123456789"
ENV = {"CONTEXTMFA_SECRET_KEY": SECRET_KEY, "ACME_API_KEY": API_KEY, "ACME_RISK_KEY": RISK_KEY}
RISK_ACTION = '''"""Require MFA when the risk service scores the login over 50, deny over 90."""


def on_execute_post_login(event, api):
    score = event.user.app_metadata.get("score", "0")
    try:
        r = fetch(
            event.secrets.SERVICE + "/score?score=" + score,
            headers={"Authorization": "Bearer " + event.secrets.KEY},
            timeout_ms=2000,
        )
    except FetchError:
        api.multifactor.enable("any")
        return
    value = r.json()["score"]
    if value > 90:
        api.access.deny("risk_too_high")
    elif value > 50:
        api.multifactor.enable("any")
'''


def tenant(directory: Path, port: int) -> Path:
    (directory / "actions").mkdir(parents=True)
    (directory / "actions" / "risk_score.py").write_text(RISK_ACTION)
    path = directory / "tenant.toml"
    path.write_text(
        f"""[tenant]
id = "acme"

[policy]
mfa = "never"
factors = ["otp", "email"]

[flow]
actions = ["actions/risk_score.py"]

[sandbox]
isolation = "process"
confinement = "best-effort"
timeout_ms = 3000
egress = ["http://127.0.0.1:{port}/score"]

[service]
api_key = "env:ACME_API_KEY"
store = "sqlite:///recorded.db"

[secrets.risk_score]
SERVICE = "http://127.0.0.1:{port}"
KEY = "env:ACME_RISK_KEY"
"""
    )
    return path


def cli(*args: object):
    return CliRunner().invoke(cli_app, [str(a) for a in args], env=ENV)


def test_serve_export_stop_the_service_replay(tmp_path):
    scores = {"l-low": "10", "l-mid": "70", "l-high": "95"}
    with serve_stand_in() as stand_in:
        config = tenant(tmp_path, stand_in.port)
        tenants = load_tenants([config], environ=ENV)
        with TestClient(create_app(tenants, clock=Clock(START), owns_tenants=True)) as client:
            outcomes = {}
            for minute, (login_id, score) in enumerate(scores.items()):
                event = login_event("auth0|alice", login_id)
                event["timestamp"] = f"2026-03-02T09:3{minute}:00Z"
                event["user"]["email_verified"] = True
                event["user"]["app_metadata"] = {"score": score}
                response = client.post("/v1/logins", json=event, headers=bearer(API_KEY))
                assert response.status_code == 200, response.text
                assert "http" not in response.json()  # kept in the record only
                outcomes[login_id] = response.json()["outcome"]
        assert len(stand_in.requests) == 3
        assert all(r.headers["authorization"] == f"Bearer {RISK_KEY}" for r in stand_in.requests)
    assert outcomes == {"l-low": "allow", "l-mid": "challenge", "l-high": "deny"}

    export = tmp_path / "export.jsonl"
    result = cli("logins", "export", "--config", config, "--output", export)
    assert result.exit_code == 0, result.output
    text = export.read_text()
    assert RISK_KEY not in text
    lines = [json.loads(line) for line in text.splitlines()]
    for line in lines:
        [exchange] = line["recorded"]["decision"]["http"]
        assert exchange["status"] == 200 and exchange["action"] == "risk_score"
        assert exchange["request_headers"] == {"authorization": "[REDACTED]"}

    # The stand-in is stopped: a live call would fail (and the Action would ask for MFA).
    replayed = cli("replay", export, "--config", config, "--fail-on-error")
    assert replayed.exit_code == 0, replayed.output
    assert "3 expectations checked, 0 failed" in replayed.output
    live = cli("replay", export, "--config", config, "--http", "live")
    assert live.exit_code == 1, live.output  # l-low and l-high now ask for MFA
    assert "3 expectations checked, 2 failed" in live.output
