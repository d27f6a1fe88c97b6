"""tenant.toml: defaults for every key, and errors that name the key and the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from contextmfa.config import load_config
from contextmfa.errors import ConfigError


def write(tmp_path: Path, text: str, *files: str) -> Path:
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("def on_execute_post_login(event, api):\n    pass\n")
    path = tmp_path / "tenant.toml"
    path.write_text(text)
    return path


def failure(path: Path, **kwargs: object) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path, **kwargs)
    return str(caught.value)


def test_defaults_for_every_key(tmp_path: Path):
    config = load_config(write(tmp_path, '[tenant]\nid = "acme"\n'))
    assert config.tenant_id == "acme"
    assert config.policy.mfa == "adaptive"
    assert "duo" not in config.policy.factors and "otp" in config.policy.factors
    assert (config.policy.remember_browser_days, config.policy.device_trust_days) == (30, 30)
    assert (config.flow.rules, config.flow.actions, config.flow.on_error) == ((), (), "deny")
    assert (config.geoip.city_database, config.geoip.asn_database) == ("default", "")
    assert config.risk.impossible_speed_kmh == 1000 and config.deny_lists == {}
    assert (config.sandbox.timeout_ms, config.sandbox.memory_mb) == (100, 64)
    assert config.service.store == "sqlite:///contextmfa.db"


def test_paths_are_relative_to_the_config(tmp_path: Path):
    text = '[tenant]\nid = "a"\n[flow]\nactions = ["actions/one.py"]\n'
    config = load_config(write(tmp_path, text, "actions/one.py"))
    assert config.action_files == (tmp_path / "actions/one.py",)


def test_missing_default_config_says_how_to_pass_one(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"tenant.toml: error: config file not found.*--config"):
        load_config()


def test_missing_given_config(tmp_path: Path):
    assert "config file not found" in failure(tmp_path / "nope.toml")


def test_invalid_toml(tmp_path: Path):
    assert "invalid TOML" in failure(write(tmp_path, "[tenant\n"))


def test_tenant_id_is_required(tmp_path: Path):
    path = write(tmp_path, "[policy]\nmfa = 'always'\n")
    assert failure(path) == f"{path}: error: tenant: required key is missing"


def test_unknown_key_is_named(tmp_path: Path):
    path = write(tmp_path, '[tenant]\nid = "a"\n[policy]\nmfaa = "always"\n')
    assert failure(path) == f"{path}: error: policy.mfaa: unknown key"


def test_bad_value_names_key_and_choices(tmp_path: Path):
    path = write(tmp_path, '[tenant]\nid = "a"\n[policy]\nmfa = "sometimes"\n')
    assert failure(path) == (
        f"{path}: error: policy.mfa: expected one of 'never', 'adaptive' or 'always', "
        "got 'sometimes'"
    )


def test_unknown_factor(tmp_path: Path):
    path = write(tmp_path, '[tenant]\nid = "a"\n[policy]\nfactors = ["otp", "totp"]\n')
    assert failure(path).startswith(f"{path}: error: policy.factors.1: expected one of")


def test_negative_number(tmp_path: Path):
    path = write(tmp_path, '[tenant]\nid = "a"\n[sandbox]\ntimeout_ms = -5\n')
    assert failure(path).startswith(f"{path}: error: sandbox.timeout_ms:")


def test_missing_action_file(tmp_path: Path):
    path = write(tmp_path, '[tenant]\nid = "a"\n[flow]\nactions = ["gone.py"]\n')
    assert failure(path) == f"{path}: error: flow.actions[0]: file not found: gone.py"


def test_missing_deny_list(tmp_path: Path):
    path = write(tmp_path, '[tenant]\nid = "a"\n[risk]\ndeny_lists = { tor = "tor.txt" }\n')
    assert failure(path) == f"{path}: error: risk.deny_lists.tor: file not found: tor.txt"


def test_secret_from_environment_without_leaking_it(tmp_path: Path):
    text = '[tenant]\nid = "a"\n[flow]\nactions = ["x.py"]\n[secrets.x]\nHOOK = "env:HOOK_URL"\n'
    path = write(tmp_path, text, "x.py")
    config = load_config(path, environ={"HOOK_URL": "s3cr3t-value"})
    assert config.secrets_for("x") == {"HOOK": "s3cr3t-value"}
    assert "s3cr3t-value" not in repr(config)


def test_secret_from_unset_environment_variable(tmp_path: Path):
    text = '[tenant]\nid = "a"\n[flow]\nactions = ["x.py"]\n[secrets.x]\nHOOK = "env:HOOK_URL"\n'
    path = write(tmp_path, text, "x.py")
    message = failure(path, environ={})
    assert message == f"{path}: error: secrets.x.HOOK: environment variable HOOK_URL is not set"


def test_secrets_for_an_action_not_in_the_flow(tmp_path: Path):
    path = write(tmp_path, '[tenant]\nid = "a"\n[secrets.nobody]\nK = "v"\n')
    assert "secrets.nobody: no Action 'nobody' in flow.actions" in failure(path)


def test_two_actions_with_one_name(tmp_path: Path):
    text = '[tenant]\nid = "a"\n[flow]\nactions = ["a/x.py", "b/x.py"]\n'
    path = write(tmp_path, text, "a/x.py", "b/x.py")
    assert "flow.actions[1]: two Actions named 'x'" in failure(path)


def test_delivery_defaults_to_the_outbox(tmp_path: Path):
    config = load_config(write(tmp_path, '[tenant]\nid = "a"\n'))
    assert (config.delivery.sms, config.delivery.email, config.delivery.push) == (
        "outbox",
        "outbox",
        "outbox",
    )
    assert config.duo is None


def test_delivery_provider_is_checked(tmp_path: Path):
    path = write(tmp_path, '[tenant]\nid = "a"\n[delivery]\nemail = "pigeon"\n')
    assert (
        failure(path)
        == f"{path}: error: delivery.email: expected one of 'outbox' or 'smtp', got 'pigeon'"
    )


def test_duo_section_builds_factor_settings_without_leaking_the_secret(tmp_path: Path, monkeypatch):
    from contextmfa.factors.settings import FactorSettings

    text = (
        '[tenant]\nid = "a"\n[duo]\nclient_id = "DIXXXXXXXXXXXXXXXXXX"\n'
        'client_secret = "env:DUO_SECRET"\napi_host = "api-123.duosecurity.com"\n'
        'redirect_uri = "https://mfa.acme.test/duo/callback"\n'
    )
    config = load_config(write(tmp_path, text))
    monkeypatch.setenv("DUO_SECRET", "s" * 40)
    settings = FactorSettings.from_config(config)
    assert settings.duo is not None and settings.duo.client_secret == "s" * 40
    assert "s" * 40 not in repr(settings) and "s" * 40 not in repr(config)


def test_infinite_speed_would_disable_impossible_travel(tmp_path: Path):
    path = write(tmp_path, '[tenant]\nid = "a"\n[risk]\nimpossible_speed_kmh = inf\n')
    assert failure(path).startswith(f"{path}: error: risk.impossible_speed_kmh:")


def test_no_enabled_factor_is_refused(tmp_path: Path):
    path = write(tmp_path, '[tenant]\nid = "a"\n[policy]\nfactors = []\n')
    assert failure(path).startswith(f"{path}: error: policy.factors:")


def test_a_directory_is_not_an_action(tmp_path: Path):
    (tmp_path / "dir.py").mkdir()
    path = write(tmp_path, '[tenant]\nid = "a"\n[flow]\nactions = ["dir.py"]\n')
    assert failure(path) == f"{path}: error: flow.actions[0]: not a file: dir.py"
