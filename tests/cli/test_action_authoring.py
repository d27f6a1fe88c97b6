"""An Action author's day one through the CLI: what an Action written for plain Python expects.

Each test is a reproduction from issue 17 run through the real commands (``test``, ``evaluate``,
``replay``): the cache never denies a login (#1), values read from ``event`` answer
``isinstance`` (#2), ``datetime.now()`` compares with a plain datetime (#6), a cut log says how
much was cut, and a recursion error points at the recursive call.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CACHE_ACTION = """\
def on_execute_post_login(event, api):
    key = "seen:" + event.user.user_id
    if api.cache.get(key) is None:
        api.authentication.challenge_with("otp")
        result = api.cache.set(key, "1", ttl_seconds=3600)
        print(result["type"])
"""


def tenant_with(tmp_path: Path, source: str, sandbox: str = "") -> Path:
    (tmp_path / "step_up.py").write_text(source)
    config = tmp_path / "tenant.toml"
    config.write_text(f'[tenant]\nid = "acme"\n[flow]\nactions = ["step_up.py"]\n{sandbox}')
    return config


def write_event(tmp_path: Path, event: dict[str, Any]) -> Path:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    return path


def test_the_21st_user_within_the_ttl_is_challenged_not_denied(cli, tmp_path, sample_event):
    config = tenant_with(tmp_path, CACHE_ACTION)
    logins = []
    for n in range(25):
        login = json.loads(json.dumps(sample_event))
        login["id"] = f"login-{n}"
        login["timestamp"] = f"2026-03-02T09:{n:02d}:00+01:00"
        login["user"]["user_id"] = f"auth0|user{n}"
        login["device"]["id"] = f"device-{n}"
        logins.append(json.dumps(login))
    path = tmp_path / "logins.jsonl"
    path.write_text("\n".join(logins) + "\n")
    result = cli("replay", path, "--config", config, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    decisions = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(decisions) == 25
    assert {d["outcome"] for d in decisions} == {"challenge"}
    assert [d["errors"] for d in decisions] == [[]] * 25
    assert [d["logs"][0]["line"] for d in decisions] == ["success"] * 25


def test_a_cache_value_that_cannot_be_stored_is_a_result(cli, tmp_path, sample_event):
    source = (
        "def on_execute_post_login(event, api):\n"
        '    print(api.cache.set("k", "v" * 5000))\n'
        '    print(api.cache.set("k" * 65, "v"), api.cache.get("k" * 65))\n'
        '    api.multifactor.enable("any")\n'
    )
    tenant_with(tmp_path, source)
    event = write_event(tmp_path, sample_event)
    result = cli("test", tmp_path / "step_up.py", "--event", event, "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["logs"] == [
        "{'type': 'error', 'code': 'value_too_long'}",
        "{'type': 'error', 'code': 'key_too_long'} None",
    ]
    assert summary["directives"] == [{"directive": "require", "factors": "any", "remember": False}]


ISINSTANCE_ACTION = """\
def on_execute_post_login(event, api):
    mfa = event.user.app_metadata.get("mfa")
    if isinstance(mfa, dict) and mfa.get("required"):
        api.multifactor.enable("any")
    print(isinstance(event.authorization.roles, list), mfa == {"required": True})
"""


def test_an_isinstance_check_on_event_metadata_requires_mfa(cli, tmp_path, sample_event):
    config = tenant_with(tmp_path, ISINSTANCE_ACTION)
    sample_event["user"]["app_metadata"]["mfa"] = {"required": True}
    event = write_event(tmp_path, sample_event)
    tested = cli("test", tmp_path / "step_up.py", "--event", event, "--format", "json")
    assert tested.exit_code == 0, tested.output
    summary = json.loads(tested.stdout)
    assert summary["directives"] == [{"directive": "require", "factors": "any", "remember": False}]
    assert summary["logs"] == ["True True"]
    evaluated = cli("evaluate", event, "--config", config)
    assert evaluated.exit_code == 0, evaluated.output
    decision = json.loads(evaluated.stdout)
    assert (decision["outcome"], decision["source"]) == ("challenge", "action:step_up")


CLOCK_ACTION = """\
from datetime import date, datetime, timezone

def on_execute_post_login(event, api):
    print(repr(datetime.now()), repr(date.today()))
    print(repr(datetime.now(timezone.utc)))
    if datetime.now() > datetime(2026, 3, 1):
        api.multifactor.enable("any")
"""


def test_datetime_now_compares_with_a_plain_datetime(cli, tmp_path, sample_event):
    tenant_with(tmp_path, CLOCK_ACTION)
    sample_event["timestamp"] = "2026-03-15T02:30:00+09:00"
    event = write_event(tmp_path, sample_event)
    result = cli("test", tmp_path / "step_up.py", "--event", event, "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["error"] is None
    assert summary["logs"] == [
        "datetime.datetime(2026, 3, 14, 17, 30) datetime.date(2026, 3, 14)",
        "datetime.datetime(2026, 3, 14, 17, 30, tzinfo=datetime.timezone.utc)",
    ]
    assert summary["directives"] == [{"directive": "require", "factors": "any", "remember": False}]


def test_a_cut_log_says_how_many_lines_were_dropped(cli, tmp_path, sample_event):
    source = "def on_execute_post_login(event, api):\n    for i in range(10):\n        print(i)\n"
    config = tenant_with(tmp_path, source, "[sandbox]\nmax_output_lines = 3\n")
    event = write_event(tmp_path, sample_event)
    result = cli("evaluate", event, "--config", config)
    assert result.exit_code == 0, result.output
    logs = [entry["line"] for entry in json.loads(result.stdout)["logs"]]
    assert logs == ["0", "1", "2", "... 7 more lines dropped (max_output_lines = 3)"]


def test_a_recursion_error_points_at_the_recursive_call(cli, tmp_path, sample_event):
    source = (
        "def depth(factors, n):\n"
        "    total = n + 1\n"
        "    return depth(factors, total)\n"
        "\n"
        "def on_execute_post_login(event, api):\n"
        "    depth(event.user.enrolled_factors, 0)\n"
    )
    tenant_with(tmp_path, source)
    event = write_event(tmp_path, sample_event)
    result = cli("test", tmp_path / "step_up.py", "--event", event)
    assert result.exit_code == 1, result.output
    assert "limit: recursion depth limit exceeded (50 nested calls) (line 3)" in result.stdout
