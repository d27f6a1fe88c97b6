"""`contextmfa check` on tenant.toml: every config problem at once, at its line, in words, and
the rule files and Actions that can still be compiled are compiled all the same."""

from __future__ import annotations

from pathlib import Path

BROKEN_ACTION = "def on_execute_post_login(event, api):\n    if True\n        pass\n"
GOOD_ACTION = "def on_execute_post_login(event, api):\n    api.multifactor.enable('any')\n"


def write_tenant(root: Path, text: str, files: dict[str, str] | None = None) -> Path:
    for name, content in (files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, encoding="utf-8")
    config = root / "tenant.toml"
    config.write_text(text, encoding="utf-8")
    return config


def test_every_config_problem_then_the_rule_files_that_can_be_compiled(cli, tmp_path: Path):
    config = write_tenant(
        tmp_path,
        '[tenant]\nid = "acme"\n'
        '[policy]\nmfa = "sometimes"\n'
        '[flow]\nrules = ["rules/geo.rules", "rules/gone.rules"]\nactons = ["step_up.py"]\n'
        "[service]\napi_key = 12345\n",
        {"rules/geo.rules": 'rule "nl" { when geo.contry == "NL" skip mfa }\n'},
    )
    result = cli("check", "--config", config)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{config}:4: error: policy.mfa: expected one of 'never', 'adaptive' or 'always', "
        "got 'sometimes'",
        f"{config}:6: error: flow.rules[1]: file not found: rules/gone.rules",
        f"{config}:7: error: flow.actons: unknown key; did you mean 'actions'?",
        f"{config}:9: error: service.api_key: expected a string, got a whole number",
        f"{tmp_path / 'rules' / 'geo.rules'}:1:18: error: unknown field 'geo.contry'; "
        "did you mean 'geo.country'?",
        "check failed: 5 errors",
    ]


def test_a_bad_config_value_does_not_hide_the_actions_problems(cli, tmp_path: Path):
    config = write_tenant(
        tmp_path,
        '[tenant]\nid = "acme"\n[flow]\nactions = ["step_up.py", "ok.py"]\non_error = "ignore"\n',
        {"step_up.py": BROKEN_ACTION, "ok.py": GOOD_ACTION},
    )
    result = cli("check", "--config", config)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"{config}:5: error: flow.on_error: expected one of 'deny' or 'challenge', got 'ignore'"
    )
    assert lines[1].startswith(f"{tmp_path / 'step_up.py'}:2:") and ": error: " in lines[1]
    assert lines[-1] == "check failed: 2 errors"


def test_secrets_for_an_action_not_in_the_flow_are_a_warning(cli, tmp_path: Path):
    config = write_tenant(
        tmp_path,
        '[tenant]\nid = "acme"\n[flow]\nactions = ["step_up.py"]\n[secrets.step_upp]\nK = "v"\n',
        {"step_up.py": GOOD_ACTION},
    )
    result = cli("check", "--config", config)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"{config}:5: warning: secrets.step_upp: no Action 'step_upp' in flow.actions, so these "
        "secrets are never used; did you mean 'step_up'?"
    ]
    assert result.stdout.splitlines()[-1] == f"{config}: ok: 1 Action, 0 rule files, 1 warning"


def test_a_missing_database_and_a_bad_deny_list_are_placed_and_reported_together(
    cli, tmp_path: Path
):
    config = write_tenant(
        tmp_path,
        '[tenant]\nid = "acme"\n'
        '[geoip]\nasn_database = "GeoLite2-ASN.mmdb"\n'
        '[risk]\ndeny_lists = { tor = "tor.txt", vpn = "vpn.txt" }\n',
        {"tor.txt": "# exits\n185.220.101.0/24\n185.220.999.0/24\n", "vpn.txt": "# none yet\n"},
    )
    result = cli("check", "--config", config)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{config}:4: error: geoip.asn_database: database file 'GeoLite2-ASN.mmdb' not found",
        f"{config}:6: warning: risk.deny_lists.vpn: vpn.txt has no entries, so no address is "
        "ever on list vpn",
        f"{tmp_path / 'tor.txt'}:3: error: '185.220.999.0/24' is not an IP address or CIDR",
        "check failed: 2 errors",
    ]


def test_invalid_toml_is_one_located_error(cli, tmp_path: Path):
    config = write_tenant(tmp_path, '[tenant]\nid = "acme"\n[flow\n')
    result = cli("check", "--config", config)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{config}:3:6: error: invalid TOML: ")
    assert lines[1:] == ["check failed: 1 error"]


FETCHING_ACTION = 'def on_execute_post_login(event, api):\n    fetch("https://risk.example/")\n'


def test_an_action_that_calls_fetch_with_no_egress_and_a_short_timeout_is_warned_of(
    cli, tmp_path: Path
):
    config = write_tenant(
        tmp_path,
        '[tenant]\nid = "acme"\n[flow]\nactions = ["risk.py", "quiet.py"]\n'
        '[sandbox]\nisolation = "inline"\n',
        {"risk.py": FETCHING_ACTION, "quiet.py": GOOD_ACTION},
    )
    result = cli("check", "--config", config)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"{config}:5: warning: sandbox.egress: empty, but the Action risk calls fetch(): every "
        "call will be refused (forbidden)",
        f"{config}:5: warning: sandbox.timeout_ms: 100 ms is less than http_timeout_ms "
        "(1000 ms), and the Action risk calls fetch(): a call never outlives its Action, so it "
        "gets at most this",
    ]


def test_a_listed_destination_and_time_for_the_call_check_clean(cli, tmp_path: Path):
    config = write_tenant(
        tmp_path,
        '[tenant]\nid = "acme"\n[flow]\nactions = ["risk.py"]\n[sandbox]\nisolation = "inline"\n'
        'timeout_ms = 2000\negress = ["https://risk.example"]\n',
        {"risk.py": FETCHING_ACTION},
    )
    result = cli("check", "--config", config)
    assert result.exit_code == 0 and result.stderr == "", result.output
    assert "ok: 1 Action, 0 rule files, 0 warnings" in result.stdout
