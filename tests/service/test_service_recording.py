"""Recording: the service keeps every decided login; ``contextmfa logins export`` writes them so
that a replay against the config that decided them reproduces every decision.

The round trip runs the sample tenant (its rules, nine Actions, deny lists, the bundled GeoIP
database) behind the real service on a real SQLite file, posts the 71 sample logins, exports them
with the CLI and replays the export with the CLI: zero expectation mismatches, zero changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sample_tree import copy_samples
from service_helpers import SECRET_KEY, START, Clock, bearer, login_event
from typer.testing import CliRunner

from contextmfa.cli.logins import parse_moment
from contextmfa.cli.main import app as cli_app
from contextmfa.errors import InputError
from contextmfa.service import Tenants, create_app, load_tenants
from contextmfa.service.recording import SWEEP_EVERY

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "api-key-of-acme-0123456789"
ADMIN_KEY = "admin-key-of-acme-0123456789"
SLACK_HOOK = "https://hooks.slack.test/T000/B000/very-secret-hook"
BLOCK_PEGGY = """rule "block-peggy" priority 1000 {
    when user.id == "auth0|peggy"
    deny "peggy is blocked"
}
"""
ENV = {
    "CONTEXTMFA_SECRET_KEY": SECRET_KEY,
    "ACME_API_KEY": API_KEY,
    "ACME_ADMIN_KEY": ADMIN_KEY,
    "ACME_SLACK_HOOK": SLACK_HOOK,
}


@dataclass
class Served:
    client: TestClient
    clock: Clock
    tenants: Tenants
    config: Path

    def login(self, event: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post("/v1/logins", json=event, headers=bearer(API_KEY))
        assert response.status_code == 200, response.text
        return response.json()

    def cli(self, *args: object) -> Any:
        return CliRunner().invoke(cli_app, [str(a) for a in args], env=ENV)

    def export(self, *args: object) -> list[dict[str, Any]]:
        result = self.cli("logins", "export", "--config", self.config, *args)
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.stdout.splitlines()]


def sample_tenant(root: Path, *, retention_days: int = 90) -> Path:
    """A copy of samples/ served by the service: keys, a SQLite file, generous Action time."""
    config = copy_samples(root) / "tenant.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("[sandbox]\n", '[sandbox]\nisolation = "inline"\n', 1)
    text = text.replace(
        "[secrets.impossible_travel]",
        f"""[service]
api_key = "env:ACME_API_KEY"
admin_key = "env:ACME_ADMIN_KEY"
store = "sqlite:///recorded.db"
audit_retention_days = {retention_days}

[secrets.impossible_travel]
SLACK_HOOK = "env:ACME_SLACK_HOOK\"""",
        1,
    )
    config.write_text(text, encoding="utf-8")
    return config


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    config = sample_tenant(tmp_path)
    tenants = load_tenants([config], environ=ENV)
    clock = Clock(START)
    with TestClient(create_app(tenants, clock=clock, owns_tenants=True)) as client:
        yield Served(client, clock, tenants, config)


def sample_logins() -> list[dict[str, Any]]:
    lines = (ROOT / "samples" / "logins.jsonl").read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]
    for event in events:
        event.pop("expect", None)
    return events


def test_replaying_an_export_against_its_config_changes_nothing(served, tmp_path):
    events = sample_logins()
    decided = [served.login(event) for event in events]
    recorded = tmp_path / "recorded.jsonl"
    result = served.cli("logins", "export", "--config", served.config, "--output", recorded)
    assert result.exit_code == 0, result.output
    assert f"exported {len(events)} logins" in result.stderr

    lines = [json.loads(line) for line in recorded.read_text().splitlines()]
    assert [line["id"] for line in lines] == [event["id"] for event in events]
    for line, decision in zip(lines, decided, strict=True):
        assert line["expect"]["outcome"] == decision["outcome"]
        assert line["recorded"]["decision"]["outcome"] == decision["outcome"]
        assert line["recorded"]["decision"]["trace"] == decision["trace"]
    # Several outcomes, so the round trip proves more than "everything is allowed".
    assert {line["expect"]["outcome"] for line in lines} >= {"allow", "challenge", "deny"}

    replayed = served.cli("replay", recorded, "--config", served.config, "--format", "json")
    assert replayed.exit_code == 0, replayed.output
    assert f"{len(events)} expectations checked, 0 failed" in replayed.stderr

    against = served.cli(
        "replay", recorded, "-c", served.config, "--against", served.config, "--fail-on-change"
    )
    assert against.exit_code == 0, against.output
    assert f"compared {len(events)} logins: 0 changed" in against.stdout


def test_an_export_replayed_against_a_changed_config_shows_the_change(served, tmp_path):
    for event in sample_logins():
        served.login(event)
    recorded = tmp_path / "recorded.jsonl"
    served.cli("logins", "export", "-c", served.config, "-o", recorded)
    lines = [json.loads(line) for line in recorded.read_text().splitlines()]
    peggy = [x for x in lines if x["user"]["user_id"] == "auth0|peggy"]
    assert peggy and all(x["expect"]["outcome"] != "deny" for x in peggy)

    rules = served.config.parent / "rules" / "block-peggy.rules"
    rules.write_text(BLOCK_PEGGY, encoding="utf-8")
    candidate = served.config.with_name("candidate.toml")
    text = served.config.read_text().replace(
        "rules = [\n", 'rules = [\n    "rules/block-peggy.rules",\n'
    )
    candidate.write_text(text, encoding="utf-8")

    result = served.cli("replay", recorded, "--config", candidate)
    assert result.exit_code == 1, result.output  # expectation mismatches
    assert f"{len(lines)} expectations checked, {len(peggy)} failed" in result.output
    diff = served.cli("replay", recorded, "-c", served.config, "--against", candidate)
    assert f"compared {len(lines)} logins: {len(peggy)} changed" in diff.stdout
    assert "rule:block-peggy" in diff.stdout


def test_every_line_is_a_login_event_with_its_config_version(served):
    served.login(login_event("auth0|alice", "l-v1", timestamp="2026-03-02T09:30:00Z"))
    (line,) = served.export()
    version = line["recorded"]["config_version"]
    assert version.startswith("cfg-") and len(version) == 20
    assert line["recorded"]["recorded_at"] == "2026-03-02T09:30:00Z"
    assert line["user"]["enrolled_factors"] == []  # as served: from the store
    assert line["device"]["remembered"] is False

    # A deployed Action is a new config version.
    source = (
        "def on_execute_post_login(event, api):\n    api.authentication.challenge_with('otp')\n"
    )
    deployed = served.client.put(
        "/v1/actions/always_otp", json={"source": source}, headers=bearer(ADMIN_KEY)
    )
    assert deployed.status_code in (200, 201), deployed.text
    served.login(login_event("auth0|alice", "l-v2", timestamp="2026-03-02T10:30:00Z"))
    first, second = served.export()
    assert first["recorded"]["config_version"] == version
    assert second["recorded"]["config_version"] != version


def test_secrets_and_tokens_are_not_recorded(served):
    event = login_event("auth0|alice", "l-secret")
    event["user"]["app_metadata"] = {
        "api_token": "tok_live_0123456789",
        "password": "hunter2hunter2",
        "plan": "gold",
        "nested": [{"refresh_token": "rt_abcdef012345"}],
    }
    event["client"] = {
        "client_id": "portal",
        "name": "Portal",
        "metadata": {"note": f"posts to {SLACK_HOOK}"},
    }
    served.client.post(
        "/v1/logins",
        json=event,
        headers={**bearer(API_KEY), "X-Remember-Token": "remember-token-value-0123456789"},
    )
    (line,) = served.export()
    text = json.dumps(line)
    for secret in (
        "tok_live_0123456789",
        "hunter2hunter2",
        "rt_abcdef012345",
        SLACK_HOOK,
        API_KEY,
        "remember-token-value-0123456789",
    ):
        assert secret not in text
    metadata = line["user"]["app_metadata"]
    assert metadata["plan"] == "gold"
    assert metadata["api_token"] == metadata["password"] == "[REDACTED]"
    assert metadata["nested"] == [{"refresh_token": "[REDACTED]"}]
    assert line["client"]["metadata"]["note"] == "posts to [REDACTED]"


def test_export_filters_by_time_and_user(served):
    times = ["2026-03-01T08:00:00Z", "2026-03-02T08:00:00Z", "2026-03-03T08:00:00Z"]
    for n, moment in enumerate(times):
        served.login(login_event("auth0|alice", f"a-{n}", timestamp=moment))
        served.login(login_event("auth0|bob", f"b-{n}", timestamp=moment))
    assert [e["id"] for e in served.export("--user", "auth0|bob")] == ["b-0", "b-1", "b-2"]
    window = served.export("--since", "2026-03-02", "--until", "2026-03-03T00:00:00Z")
    assert [e["id"] for e in window] == ["a-1", "b-1"]
    assert [e["id"] for e in served.export("--since", "2026-03-03", "--user", "auth0|alice")] == [
        "a-2"
    ]


def test_export_refuses_bad_times(served):
    result = served.cli("logins", "export", "-c", served.config, "--since", "last tuesday")
    assert result.exit_code == 2
    assert "--since: 'last tuesday' is not a time" in result.output
    backwards = served.cli(
        "logins", "export", "-c", served.config, "--since", "2026-03-02", "--until", "2026-03-01"
    )
    assert backwards.exit_code == 2
    assert "--until must be later than --since" in backwards.output


def test_parse_moment_forms():
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert parse_moment("7d", "--since", now=now) == now - timedelta(days=7)
    assert parse_moment("30m", "--since", now=now) == now - timedelta(minutes=30)
    assert parse_moment("2026-11-01", "--since", now=now) == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_moment("2026-11-01T09:30:00+01:00", "x", now=now) == datetime(
        2026, 11, 1, 8, 30, tzinfo=UTC
    )
    assert parse_moment("2026-11-01T09:30:00", "x", now=now).tzinfo is not None
    with pytest.raises(InputError):
        parse_moment("soon", "--until", now=now)


def test_records_older_than_the_retention_are_swept(tmp_path):
    config = sample_tenant(tmp_path, retention_days=1)
    tenants = load_tenants([config], environ=ENV)
    clock = Clock(START)
    with TestClient(create_app(tenants, clock=clock, owns_tenants=True)) as client:
        served = Served(client, clock, tenants, config)

        def login_at(login_id: str, **delta: float) -> list[str]:
            clock.now = START + timedelta(**delta)
            event = login_event("auth0|alice", login_id, timestamp=clock.now.isoformat())
            served.login(event)
            return [e["id"] for e in served.export()]

        assert login_at("a") == ["a"]  # swept at 0: nothing old yet
        assert login_at("b", minutes=20) == ["a", "b"]
        assert login_at("c", days=1, minutes=10) == ["b", "c"]  # swept: a is older than a day
        audit = tenants.get("acme").store.audit.list("acme")
        assert [e.detail["login_id"] for e in audit] == ["c", "b"]
        # b is now older than a day too, but a sweep runs at most once per SWEEP_EVERY.
        assert timedelta(hours=1) == SWEEP_EVERY
        assert login_at("d", days=1, minutes=30) == ["b", "c", "d"]
        assert login_at("e", days=1, minutes=71) == ["c", "d", "e"]
