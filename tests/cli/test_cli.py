"""The commands as a user runs them: output, stderr, and every documented exit code."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from contextmfa.cli import console
from contextmfa.errors import ContextMFAError
from contextmfa.replay.parallel import WorkerFailed

ROOT = Path(__file__).resolve().parents[2]

BROKEN = "def on_execute_post_login(event, api):\n    if True\n        pass\n"


def write_jsonl(path: Path, *records: object) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n")
    return path


# check ---------------------------------------------------------------------------------------


def test_check_samples_ok(cli, samples):
    result = cli("check", "--config", samples / "tenant.toml")
    assert result.exit_code == 0, result.output
    assert "ok: 9 Actions, 5 rule files" in result.stdout


def test_check_broken_action_prints_location_and_exits_1(cli, tenant):
    (tenant.parent / "step_up.py").write_text(BROKEN)
    result = cli("check", "--config", tenant)
    assert result.exit_code == 1
    assert f"{tenant.parent / 'step_up.py'}:2:" in result.stderr
    assert ": error: " in result.stderr
    assert "check failed: 1 error" in result.stderr


def test_check_missing_default_config_shows_the_flag(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("check")
    assert result.exit_code == 1
    assert "tenant.toml: error: config file not found (pass --config PATH" in result.stderr


def test_check_bad_config_value(cli, tenant):
    tenant.write_text('[tenant]\nid = "acme"\n[flow]\non_error = "ignore"\n')
    result = cli("check", "--config", tenant)
    assert result.exit_code == 1
    assert "flow.on_error: expected one of 'deny' or 'challenge', got 'ignore'" in result.stderr


# evaluate ------------------------------------------------------------------------------------


def test_evaluate_prints_decision_json(cli, samples):
    result = cli(
        "evaluate", samples / "events/admin-office.json", "--config", samples / "tenant.toml"
    )
    assert result.exit_code == 0, result.output
    decision = json.loads(result.stdout)
    assert list(decision)[:3] == ["login_id", "outcome", "factors"]
    assert (decision["outcome"], decision["factors"]) == ("challenge", ["webauthn-roaming"])
    assert decision["source"] == "action:step_up_admins_security_keys"


def test_evaluate_pretty(cli, samples):
    result = cli(
        "evaluate",
        samples / "events/embargoed-cuba.json",
        "--config",
        samples / "tenant.toml",
        "--format",
        "pretty",
    )
    assert result.exit_code == 0, result.output
    assert "deny" in result.stdout and "embargoed_country" in result.stdout


def test_evaluate_bad_json(cli, tenant, tmp_path):
    event = tmp_path / "e.json"
    event.write_text("{not json")
    result = cli("evaluate", event, "--config", tenant)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{event}: error: invalid JSON")
    assert "Traceback" not in result.output


def test_evaluate_unknown_key(cli, tenant, tmp_path, sample_event):
    sample_event["request"]["ipaddress"] = "1.2.3.4"
    event = tmp_path / "e.json"
    event.write_text(json.dumps(sample_event))
    result = cli("evaluate", event, "--config", tenant)
    assert result.exit_code == 2
    assert "request.ipaddress: unknown key" in result.stderr


def test_evaluate_bad_ip(cli, tenant, tmp_path, sample_event):
    sample_event["request"]["ip"] = "300.1.2.3"
    event = tmp_path / "e.json"
    event.write_text(json.dumps(sample_event))
    result = cli("evaluate", event, "--config", tenant)
    assert result.exit_code == 2
    assert "request.ip: '300.1.2.3' is not an IP address" in result.stderr


def test_evaluate_refuses_an_ip_given_as_a_number(cli, tenant, tmp_path, sample_event):
    sample_event["request"]["ip"] = 12345
    event = tmp_path / "e.json"
    event.write_text(json.dumps(sample_event))
    result = cli("evaluate", event, "--config", tenant)
    assert result.exit_code == 2
    assert result.stderr == (
        f"{event}: error: request.ip: expected an IP address as a JSON string, got number 12345\n"
    )


def test_evaluate_bad_timestamp(cli, tenant, tmp_path, sample_event):
    sample_event["timestamp"] = "2026-13-45T99:00:00Z"
    event = tmp_path / "e.json"
    event.write_text(json.dumps(sample_event))
    result = cli("evaluate", event, "--config", tenant)
    assert result.exit_code == 2
    assert "timestamp:" in result.stderr and "RFC 3339" in result.stderr


def test_evaluate_missing_config(cli, samples, tmp_path):
    result = cli("evaluate", samples / "events/admin-office.json", "--config", tmp_path / "x.toml")
    assert result.exit_code == 2
    assert "config file not found" in result.stderr


def test_evaluate_bad_config_value(cli, samples, tenant):
    tenant.write_text('[tenant]\nid = "acme"\n[policy]\nremember_browser_days = "thirty"\n')
    result = cli("evaluate", samples / "events/admin-office.json", "--config", tenant)
    assert result.exit_code == 2
    assert "policy.remember_browser_days:" in result.stderr


def test_evaluate_broken_action_is_a_config_error(cli, samples, tenant):
    (tenant.parent / "step_up.py").write_text(BROKEN)
    result = cli("evaluate", samples / "events/admin-office.json", "--config", tenant)
    assert result.exit_code == 2
    assert "step_up.py:2:" in result.stderr


def test_evaluate_event_of_another_tenant(cli, tenant, tmp_path, sample_event):
    sample_event["tenant"] = {"id": "globex"}
    event = tmp_path / "e.json"
    event.write_text(json.dumps(sample_event))
    result = cli("evaluate", event, "--config", tenant)
    assert result.exit_code == 2
    assert "tenant.id: 'globex' is not the config's tenant 'acme'" in result.stderr


# replay --------------------------------------------------------------------------------------


def test_replay_samples_meets_every_expectation(cli, samples):
    result = cli("replay", samples / "logins.jsonl", "--config", samples / "tenant.toml")
    assert result.exit_code == 0, result.output
    *_, errors, last = result.stdout.strip().splitlines()
    assert last.startswith("replayed 71 logins:")
    # partner_contract fails on l-0023 on purpose: that login shows on_error.
    assert last.endswith("71 expectations checked, 0 failed; 1 Action error")
    assert errors.startswith("action partner_contract: 1 error: exception at line 24: ValueError")


def test_replay_mismatch_exits_1_with_line_and_login(cli, tenant, tmp_path, sample_event):
    sample_event["expect"] = {"outcome": "allow"}
    logins = write_jsonl(tmp_path / "l.jsonl", sample_event)
    result = cli("replay", logins, "--config", tenant)
    assert result.exit_code == 1
    assert f"{logins}:1: {sample_event['id']}: expected outcome 'allow', got 'challenge'" in (
        result.stderr
    )
    assert "1 expectations checked, 1 failed" in result.stdout


def test_replay_goes_past_bad_records_and_exits_2(cli, tenant, tmp_path, sample_event):
    bad = dict(sample_event, id="bad")
    bad["request"] = {"ip": "not-an-ip"}
    good = dict(sample_event, id="good")
    logins = write_jsonl(tmp_path / "l.jsonl", bad, "{", good)
    result = cli("replay", logins, "--config", tenant, "--format", "jsonl")
    assert result.exit_code == 2
    assert f"{logins}:1: error: request.ip: 'not-an-ip' is not an IP address" in result.stderr
    assert f"{logins}:2: error: invalid JSON" in result.stderr
    decisions = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["login_id"] for d in decisions] == ["good"]
    assert "2 records with input errors" in result.stderr


def test_replay_refuses_an_ip_given_as_a_boolean(cli, tenant, tmp_path, sample_event):
    coerced = dict(sample_event, id="coerced")
    coerced["request"] = dict(sample_event["request"], ip=True)
    logins = write_jsonl(tmp_path / "l.jsonl", sample_event, coerced)
    result = cli("replay", logins, "--config", tenant, "--format", "jsonl")
    assert result.exit_code == 2
    expected = f"{logins}:2: error: request.ip: expected an IP address as a JSON string, got"
    assert f"{expected} boolean true" in result.stderr
    assert [json.loads(line)["login_id"] for line in result.stdout.splitlines()] == ["l-0005"]


def test_replay_json_array_to_output_file(cli, samples, tmp_path):
    out = tmp_path / "decisions.json"
    result = cli(
        "replay",
        samples / "logins.jsonl",
        "--config",
        samples / "tenant.toml",
        "--format",
        "json",
        "--output",
        out,
    )
    assert result.exit_code == 0, result.output
    decisions = json.loads(out.read_text())
    assert len(decisions) == 71
    assert result.stdout.splitlines()[-1].startswith("replayed 71 logins")


def test_replay_history_builds_up_in_order(cli, tenant, tmp_path, sample_event):
    first = dict(sample_event, id="first")
    second = dict(sample_event, id="second", timestamp="2026-03-02T09:30:00+01:00")
    logins = write_jsonl(tmp_path / "l.jsonl", first, second)
    result = cli("replay", logins, "--config", tenant, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    one, two = (json.loads(line) for line in result.stdout.splitlines())
    assert one["risk"]["assessments"]["new_device"]["code"] == "initial_login"
    assert two["risk"]["assessments"]["new_device"]["code"] == "match"


def test_replay_missing_file(cli, tenant, tmp_path):
    result = cli("replay", tmp_path / "none.jsonl", "--config", tenant)
    assert result.exit_code == 2
    assert "none.jsonl: error: no such file" in result.stderr


# test ----------------------------------------------------------------------------------------


def test_test_command_shows_directives(cli, samples, tmp_path):
    action = samples.parent / "actions/block_embargoed_countries.py"
    result = cli(
        "test", action, "--event", samples / "events/embargoed-cuba.json", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["directives"] == [{"directive": "deny", "reason": "embargoed_country"}]
    assert summary["error"] is None


def test_test_command_with_secret(cli, samples):
    action = samples.parent / "actions/block_embargoed_countries.py"
    result = cli(
        "test",
        action,
        "--event",
        samples / "events/embargoed-cuba.json",
        "--secret",
        "EMBARGOED_COUNTRIES=KP",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["directives"] == []


def test_test_command_failing_action_exits_1(cli, samples, tmp_path):
    action = tmp_path / "boom.py"
    action.write_text("def on_execute_post_login(event, api):\n    raise ValueError('no')\n")
    result = cli("test", action, "--event", samples / "events/admin-office.json")
    assert result.exit_code == 1
    assert "ValueError" in result.stdout


def test_test_command_compile_error_exits_1(cli, samples, tmp_path):
    action = tmp_path / "broken.py"
    action.write_text(BROKEN)
    result = cli("test", action, "--event", samples / "events/admin-office.json")
    assert result.exit_code == 1
    assert f"{action}:2:" in result.stderr


def test_test_command_without_config_takes_the_events_tenant(cli, samples, tmp_path):
    """With no config there is no tenant to compare with: an event of tenant acme just runs."""
    event = json.loads((samples / "events/embargoed-cuba.json").read_text())
    event["tenant"] = {"id": "acme"}
    path = tmp_path / "acme.json"
    path.write_text(json.dumps(event))
    action = samples.parent / "actions/block_embargoed_countries.py"
    result = cli("test", action, "--event", path, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["directives"] == [
        {"directive": "deny", "reason": "embargoed_country"}
    ]
    globex = tmp_path / "globex.toml"
    globex.write_text('[tenant]\nid = "globex"\n')
    with_config = cli("test", action, "--event", path, "--config", globex)
    assert with_config.exit_code == 2
    assert "tenant.id: 'acme' is not the config's tenant 'globex'" in with_config.stderr


def test_test_command_bad_secret_exits_2(cli, samples):
    action = samples.parent / "actions/block_embargoed_countries.py"
    result = cli("test", action, "--event", samples / "events/admin-office.json", "-s", "NOEQUALS")
    assert result.exit_code == 2
    assert "--secret: expected KEY=VALUE" in result.stderr


def test_test_command_bad_event_exits_2(cli, samples, tmp_path):
    event = tmp_path / "e.json"
    event.write_text("[]")
    action = samples.parent / "actions/block_embargoed_countries.py"
    result = cli("test", action, "--event", event)
    assert result.exit_code == 2
    assert "expected a JSON object" in result.stderr


# entry points --------------------------------------------------------------------------------


def test_python_dash_m_and_help():
    result = subprocess.run(
        [sys.executable, "-m", "contextmfa", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    for command in ("check", "evaluate", "replay", "test"):
        assert command in result.stdout


def test_replay_help_explains_exit_codes(cli):
    result = cli("replay", "--help")
    assert result.exit_code == 0
    assert "Exit 0 when every expectation is met" in result.stdout


# hostile text in terminal output ----------------------------------------------------------------


def test_test_command_prints_markup_literally(cli, samples, tmp_path):
    action = tmp_path / "markup.py"
    action.write_text(
        "def on_execute_post_login(event, api):\n"
        "    print('a [/red] b [link=file:///etc/passwd]x[/link]')\n"
    )
    result = cli("test", action, "--event", samples / "events/admin-office.json")
    assert result.exit_code == 0, result.output
    assert "a [/red] b [link=file:///etc/passwd]x[/link]" in result.stdout


def test_pretty_output_escapes_control_characters(cli, samples, tmp_path, sample_event):
    sample_event["id"] = "l-\x1b[2Jcleared"
    event = tmp_path / "e.json"
    event.write_text(json.dumps(sample_event))
    result = cli("evaluate", event, "-c", samples / "tenant.toml", "--format", "pretty")
    assert result.exit_code == 0, result.output
    assert "\x1b[2J" not in result.stdout
    assert "l-\\x1b[2Jcleared" in result.stdout


def test_test_command_secret_error_does_not_echo_the_value(cli, samples):
    action = samples.parent / "actions/block_embargoed_countries.py"
    event = samples / "events/admin-office.json"
    result = cli("test", action, "--event", event, "--secret", "hunter2-supersecret")
    assert result.exit_code == 2
    assert "hunter2" not in result.output


def test_the_readme_names_every_exit_code_the_cli_uses():
    """Scripts rely on exit codes: each one the commands can return is documented."""
    sources = "\n".join(path.read_text() for path in (ROOT / "runtime/contextmfa/cli").glob("*.py"))
    used = {int(code) for code in re.findall(r"Exit\((\d+)\)", sources)}
    used |= {console.INTERNAL_ERROR, console.BROKEN_PIPE, ContextMFAError.exit_code}
    used |= {WorkerFailed("stopped").exit_code}
    readme = (ROOT / "README.md").read_text()
    paragraph = readme[readme.index("Exit codes, for every command:") :].split("\n\n")[0]
    items = paragraph.split(":", 1)[1].split(";")
    documented = {int(re.match(r"\s*(\d+)\s", item).group(1)) for item in items}
    assert used <= documented, used - documented
    assert {0, 1, 2, 3, 130, 141} <= documented
