"""tenant.toml: defaults for every key, and errors that name the key and the file."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contextmfa.config import inspect_config, load_config
from contextmfa.config_lines import key_lines, line_of
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
    assert failure(path) == f"{path}:4: error: policy.mfaa: unknown key; did you mean 'mfa'?"


def test_bad_value_names_key_and_choices(tmp_path: Path):
    path = write(tmp_path, '[tenant]\nid = "a"\n[policy]\nmfa = "sometimes"\n')
    assert failure(path) == (
        f"{path}:4: error: policy.mfa: expected one of 'never', 'adaptive' or 'always', "
        "got 'sometimes'"
    )


def test_unknown_factor(tmp_path: Path):
    path = write(tmp_path, '[tenant]\nid = "a"\n[policy]\nfactors = ["otp", "totp"]\n')
    message = failure(path)
    assert message.startswith(f"{path}:4: error: policy.factors[1]: expected one of 'otp', ")
    assert message.endswith(" or 'recovery-code', got 'totp'; did you mean 'otp'?")


def test_negative_number(tmp_path: Path):
    path = write(tmp_path, '[tenant]\nid = "a"\n[sandbox]\ntimeout_ms = -5\n')
    assert failure(path) == (
        f"{path}:4: error: sandbox.timeout_ms: expected a whole number from 1 to 60000, got -5"
    )


def test_missing_action_file(tmp_path: Path):
    path = write(tmp_path, '[tenant]\nid = "a"\n[flow]\nactions = ["gone.py"]\n')
    assert failure(path) == f"{path}:4: error: flow.actions[0]: file not found: gone.py"


def test_missing_deny_list(tmp_path: Path):
    path = write(tmp_path, '[tenant]\nid = "a"\n[risk]\ndeny_lists = { tor = "tor.txt" }\n')
    assert failure(path) == f"{path}:4: error: risk.deny_lists.tor: file not found: tor.txt"


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
    assert message == f"{path}:6: error: secrets.x.HOOK: environment variable HOOK_URL is not set"


def test_secrets_for_an_action_not_in_the_flow_are_a_warning(tmp_path: Path):
    text = '[tenant]\nid = "a"\n[flow]\nactions = ["step_up.py"]\n[secrets.stepup]\nK = "v"\n'
    path = write(tmp_path, text, "step_up.py")
    config = load_config(path)
    assert [str(w) for w in config.warnings] == [
        f"{path}:5: warning: secrets.stepup: no Action 'stepup' in flow.actions, so these "
        "secrets are never used; did you mean 'step_up'?"
    ]


def test_two_actions_with_one_name(tmp_path: Path):
    text = '[tenant]\nid = "a"\n[flow]\nactions = ["a/x.py", "b/x.py"]\n'
    path = write(tmp_path, text, "a/x.py", "b/x.py")
    assert failure(path) == f"{path}:4: error: flow.actions[1]: two Actions named 'x'"


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
        == f"{path}:4: error: delivery.email: expected one of 'outbox' or 'smtp', got 'pigeon'"
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
    assert failure(path) == (
        f"{path}:4: error: risk.impossible_speed_kmh: expected a finite number, got inf"
    )


def test_no_enabled_factor_is_refused(tmp_path: Path):
    path = write(tmp_path, '[tenant]\nid = "a"\n[policy]\nfactors = []\n')
    assert failure(path) == f"{path}:4: error: policy.factors: expected at least 1 entry"


def test_a_directory_is_not_an_action(tmp_path: Path):
    (tmp_path / "dir.py").mkdir()
    path = write(tmp_path, '[tenant]\nid = "a"\n[flow]\nactions = ["dir.py"]\n')
    assert failure(path) == f"{path}:4: error: flow.actions[0]: not a file: dir.py"


# -- every problem at once, at its line, in words ------------------------------------------------

MANY_MISTAKES = """\
[tenant]
id = "-acme"

[flow]
actons = ["one.py"]
on_error = "ignore"
rules = "rules/a.rules"

[policy]
factors = ["otp", "totp"]

[sandbox]
timeout_ms = 0

[service]
api_key = 1234567890123456789
issuer = ["https://mfa.acme.test"]

[flwo]
x = 1

[delivery.webhook]
url = "ftp://hooks.acme.test"
"""


def test_every_problem_is_reported_at_once_at_its_line(tmp_path: Path):
    path = write(tmp_path, MANY_MISTAKES)
    assert failure(path).splitlines() == [
        f"{path}:2: error: tenant.id: expected letters, digits, '.', '_' and '-', starting with "
        "a letter or digit",
        f"{path}:5: error: flow.actons: unknown key; did you mean 'actions'?",
        f"{path}:6: error: flow.on_error: expected one of 'deny' or 'challenge', got 'ignore'",
        f"{path}:7: error: flow.rules: expected a list, got a string "
        '(write rules = ["rules/a.rules"])',
        f"{path}:10: error: policy.factors[1]: expected one of 'otp', 'sms', 'voice', 'email', "
        "'push-notification', 'webauthn-roaming', 'webauthn-platform', 'duo' or "
        "'recovery-code', got 'totp'; did you mean 'otp'?",
        f"{path}:13: error: sandbox.timeout_ms: expected a whole number from 1 to 60000, got 0",
        f"{path}:16: error: service.api_key: expected a string, got a whole number",
        f"{path}:17: error: service.issuer: expected a string, got a list",
        f"{path}:19: error: flwo: unknown key; did you mean 'flow'?",
        f"{path}:23: error: delivery.webhook.url: expected an http:// or https:// URL",
    ]


TENANT = '[tenant]\nid = "a"\n'

IN_WORDS = [
    ('actions = ["x.py"]\n' + TENANT, "actions: unknown key here; actions belongs in [flow]"),
    (
        TENANT + '[policy]\non_error = "deny"\n',
        "policy.on_error: unknown key here; on_error belongs in [flow]",
    ),
    (
        TENANT + '[flow]\nactions = "x.py"\n',
        'flow.actions: expected a list, got a string (write actions = ["x.py"])',
    ),
    (
        TENANT + "[policy]\nremember_browser_days = 1.5\n",
        "policy.remember_browser_days: expected a whole number, got 1.5",
    ),
    (
        TENANT + "[risk]\nimpossible_speed_kmh = 0\n",
        "risk.impossible_speed_kmh: expected a number above 0 and at most 1000000, got 0",
    ),
    ('[tenant]\nid = ""\n', "tenant.id: expected a non-empty string"),
    (TENANT + '[policy]\nfactors = ["otp", "otp"]\n', "policy.factors: a factor is listed twice"),
    (
        TENANT + '[sandbox]\nisolation = "threads"\n',
        "sandbox.isolation: expected one of 'inline' or 'process', got 'threads'",
    ),
    ("flow = 3\n" + TENANT, "flow: expected a table, got a whole number"),
    (
        TENANT + '[duo]\nclient_id = "DI"\nclient_secret = "s"\napi_host = "h"\n'
        'redirect_uri = "duo/callback"\n',
        "duo.redirect_uri: expected an http:// or https:// URL",
    ),
]


@pytest.mark.parametrize(("text", "message"), IN_WORDS)
def test_messages_say_what_is_expected_in_words(tmp_path: Path, text: str, message: str):
    found = failure(write(tmp_path, text))
    assert found.endswith(f": error: {message}"), found
    for jargon in ("Input should", "valid tuple", "pattern", "^", "Field required", "Extra inputs"):
        assert jargon not in found


def test_a_secret_value_is_never_shown(tmp_path: Path):
    text = (
        '[tenant]\nid = "a"\n[service]\napi_key = 98765432109876543\n'
        "admin_key = 1.5e300\n[flow]\nactions = []\n[secrets.x]\nTOKEN = 424242424242\n"
    )
    found = failure(write(tmp_path, text))
    assert "98765432109876543" not in found and "1.5e+300" not in found
    assert "424242424242" not in found
    assert "service.api_key: expected a string, got a whole number" in found
    assert "secrets.x.TOKEN: expected a string, got a whole number" in found


def test_invalid_toml_is_placed_at_its_line_and_column(tmp_path: Path):
    path = write(tmp_path, '[tenant]\nid = "a"\n[flow\n')
    assert failure(path).startswith(f"{path}:3:6: error: invalid TOML: ")


def test_a_config_with_problems_is_still_read_as_far_as_it_can_be(tmp_path: Path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "a.rules").write_text("")
    text = (
        '[tenant]\nid = "acme"\n[flow]\nrules = ["rules/a.rules", "rules/gone.rules"]\n'
        'actions = ["one.py", "two.txt"]\non_error = "sometimes"\n'
    )
    path = write(tmp_path, text, "one.py", "two.txt")
    config, problems = inspect_config(path)
    assert [str(p) for p in problems] == [
        f"{path}:4: error: flow.rules[1]: file not found: rules/gone.rules",
        f"{path}:5: error: flow.actions[1]: an Action is a .py file",
        f"{path}:6: error: flow.on_error: expected one of 'deny' or 'challenge', got 'sometimes'",
    ]
    assert config is not None and config.tenant_id == "acme"
    assert config.rule_files == (tmp_path / "rules" / "a.rules",)
    assert config.action_files == (tmp_path / "one.py",)
    assert config.flow.on_error == "deny"  # the default stands in for the bad value


def test_a_file_that_is_not_toml_gives_no_config(tmp_path: Path):
    config, problems = inspect_config(write(tmp_path, "tenant = \n"))
    assert config is None and len(problems) == 1 and "invalid TOML" in problems[0].message


# -- where keys are written ---------------------------------------------------------------------


def _paths(value: object, prefix: str = "") -> list[str]:
    """Every key path of a parsed TOML value, as config_lines spells them."""
    found = []
    if isinstance(value, dict):
        for key, inner in value.items():
            path = f"{prefix}.{key}" if prefix else key
            found += [path, *_paths(inner, path)]
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            path = f"{prefix}[{index}]"
            found += [path, *_paths(inner, path)]
    return found


@pytest.mark.parametrize("name", ["tenant.toml", "always/tenant.toml"])
def test_every_key_of_the_sample_configs_is_found_on_its_own_line(name: str):
    text = (Path(__file__).resolve().parents[1] / "samples" / name).read_text(encoding="utf-8")
    lines = key_lines(text)
    source = text.splitlines()
    for path in _paths(tomllib.loads(text)):
        assert path in lines, path
        last = path.rsplit(".", 1)[-1].split("[")[0]
        assert last in source[lines[path] - 1], (path, lines[path])


def test_key_lines_follow_strings_comments_and_nesting():
    text = (
        '# a comment with [brackets] and key = "value"\n'
        '[tenant]\nid = "a#b"  # trailing\n'
        '[flow]\nrules = [\n  "a.rules",  # one\n  """b\n.rules""",\n  \'c.rules\',\n]\n'
        '[risk]\ndeny_lists = { tor = "t.txt", "quoted key" = "q.txt" }\n'
        '[secrets."my-action"]\nK = "v"\n'
    )
    lines = key_lines(text)
    assert lines["tenant.id"] == 3
    assert [lines[f"flow.rules[{i}]"] for i in range(3)] == [6, 7, 9]
    assert lines["risk.deny_lists.quoted key"] == 12
    assert lines["secrets.my-action.K"] == 14
    assert line_of(lines, "flow.rules[7]") == 5  # the closest known parent
    assert line_of(lines, "nowhere.at.all") == 0


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="[]{}\"'=,#\n\\ ab.1", max_size=80))
def test_key_lines_never_raises_nor_hangs(text: str):
    assert isinstance(key_lines(text), dict)


def test_egress_entries_and_http_bounds_are_read(tmp_path: Path):
    path = write(
        tmp_path,
        '[tenant]\nid = "acme"\n[sandbox]\n'
        'egress = ["https://minfraud.maxmind.com", "http://127.0.0.1:8081/score"]\n'
        "http_max_calls = 2\nhttp_timeout_ms = 700\n",
    )
    sandbox = load_config(path).sandbox
    assert sandbox.egress == ("https://minfraud.maxmind.com", "http://127.0.0.1:8081/score")
    assert (sandbox.http_max_calls, sandbox.http_timeout_ms, sandbox.http_max_timeout_ms) == (
        2,
        700,
        5000,
    )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("https://user:pw@risk.example", "userinfo"),
        ("ftp://risk.example", "scheme 'ftp' is not allowed"),
        ("https://risk.example/score?key=1", "no query string"),
        ("https://2130706433", "is not a host name"),
        ("risk.example", "not an absolute http:// or https:// URL"),
    ],
)
def test_a_bad_egress_entry_is_a_located_error(tmp_path: Path, entry: str, message: str):
    path = write(
        tmp_path,
        f'[tenant]\nid = "acme"\n[sandbox]\negress = [\n  "https://ok.example",\n  "{entry}",\n]\n',
    )
    text = failure(path)
    assert f"tenant.toml:6: error: sandbox.egress[1]: {entry!r}: " in text
    assert message in text and text.count("error:") == 1
