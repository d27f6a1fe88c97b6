"""Each ported risk rule through the real commands: ``contextmfa evaluate --record-http`` with
the stand-in up keeps the login's exchanges in its decision; the login is written as ``contextmfa
logins export`` writes it (recording.py); the stand-in stops; ``contextmfa replay --http
recorded`` decides the login as recorded, answering from the record alone. (The failed calls'
fallbacks replay through the same answerer in test_risk_replay.py.)"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from auth0_ports import PORTS_DIR
from risk_ports import SCENARIOS
from risk_stand_ins import running
from typer.testing import CliRunner

from contextmfa.cli.main import app
from contextmfa.events import LoginEvent
from contextmfa.recording import export_record, recorded_login


def tenant_toml(path: Path, stem: str, egress: str, secrets: dict[str, str]) -> Path:
    lines = [
        '[tenant]\nid = "acme"',
        f'[flow]\nactions = ["{PORTS_DIR / stem}.py"]',
        f'[sandbox]\ntimeout_ms = 5000\negress = ["{egress}"]',
        f"[secrets.{stem}]",
        *(f"{name} = {json.dumps(value)}" for name, value in secrets.items()),
    ]
    config = path / "tenant.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


@pytest.mark.parametrize("stem", SCENARIOS)
def test_evaluate_record_stop_replay(tmp_path, make_event, stem):
    scenario = SCENARIOS[stem]
    event = make_event(**scenario.login)
    del event["authentication"]["risk_assessment"]  # the runtime assesses; input has none
    event_file = tmp_path / "login.json"
    event_file.write_text(json.dumps(event), encoding="utf-8")
    runner = CliRunner()

    with running(scenario.service()) as stand_in:
        secrets = scenario.secrets(stand_in.url)
        config = tenant_toml(tmp_path, stem, stand_in.url, secrets)
        evaluated = runner.invoke(
            app, ["evaluate", str(event_file), "--config", str(config), "--record-http"]
        )
        calls = len(stand_in.seen)
    assert evaluated.exit_code == 0, evaluated.output
    decision = json.loads(evaluated.stdout)
    assert calls >= 1 and len(decision["http"]) == calls
    expected = scenario.scored
    if expected and expected[0][0] == "deny":
        assert (decision["outcome"], decision["deny_reason"]) == ("deny", expected[0][1])
    elif expected:
        assert (decision["outcome"], decision["source"]) == ("challenge", f"action:{stem}")

    login = recorded_login(
        "acme",
        LoginEvent.model_validate(event),
        decision,
        config_version="v1",
        secret_values=secrets.values(),
        now=datetime.datetime.now(datetime.UTC),
    )
    logins = tmp_path / "recorded.jsonl"
    logins.write_text(json.dumps(export_record(login)) + "\n", encoding="utf-8")

    replayed = runner.invoke(
        app, ["replay", str(logins), "--config", str(config), "--http", "recorded"]
    )
    assert replayed.exit_code == 0, replayed.output
    assert "1 expectations checked, 0 failed" in replayed.output
    assert len(stand_in.seen) == calls
