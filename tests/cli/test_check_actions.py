"""``check`` catches the Action mistakes that used to pass and then deny every login; ``test``
says which object lacks a field; Auth0 spellings get a way forward; ``hash`` and set order agree
across processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
EVENT = SAMPLES / "events" / "traveller-tokyo.json"


def tenant_with(tmp_path: Path, source: str) -> Path:
    (tmp_path / "port.py").write_text(source)
    config = tmp_path / "tenant.toml"
    config.write_text('[tenant]\nid = "acme"\n[flow]\nactions = ["port.py"]\n')
    return config


def test_check_locates_unknown_names_on_event_and_api(cli, tmp_path):
    config = tenant_with(
        tmp_path,
        "def on_execute_post_login(event, api):\n"
        "    if api.multifactor.enabled:\n"
        "        return\n"
        "    api.user.setAppMetadata('seen', True)\n"
        "    country = event.request.geoip.countryCode\n"
        "    factors = event.user.enrolledFactors\n"
        "    if is_admin(event):\n"
        "        api.multifactor.enable('any')\n",
    )
    result = cli("check", "--config", config)
    assert result.exit_code == 1
    action = tmp_path / "port.py"
    assert result.stderr.splitlines() == [
        f"{action}:2:24: error: api.multifactor has no attribute 'enabled'; did you mean 'enable'?",
        f"{action}:4:14: error: api.user has no attribute 'setAppMetadata'; "
        "did you mean 'set_app_metadata'?",
        f"{action}:5:35: error: event.request.geoip has no field 'countryCode'; "
        "did you mean 'country_code'?",
        f"{action}:6:26: error: event.user has no field 'enrolledFactors'; "
        "did you mean 'enrolled_factors'?",
        f"{action}:7:8: error: name 'is_admin' is not defined",
        "check failed: 5 errors",
    ]


def test_check_and_run_agree_on_builtins(cli, tmp_path):
    config = tenant_with(
        tmp_path,
        "def on_execute_post_login(event, api):\n"
        "    print(bytes(2), complex(1, 1), NotImplemented, Ellipsis)\n"
        "    x = getattr(event, 'user')\n",
    )
    result = cli("check", "--config", config)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'port.py'}:3:9: error: getattr() is not available in Actions: use x.name, "
        "or x.get(name) or a dict for a name known only at run time",
        "check failed: 1 error",
    ]
    (tmp_path / "port.py").write_text(
        "def on_execute_post_login(event, api):\n"
        "    print(bytes(2), complex(1, 1), NotImplemented, Ellipsis)\n"
    )
    assert cli("check", "--config", config).exit_code == 0
    result = cli("test", tmp_path / "port.py", "--event", EVENT, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["logs"] == ["b'\\x00\\x00' (1+1j) NotImplemented Ellipsis"]


def test_a_missing_field_at_run_time_names_the_object(cli, tmp_path):
    action = tmp_path / "port.py"
    action.write_text(
        "def country(geoip):\n"
        "    return geoip.countryCode\n"
        "\n"
        "\n"
        "def on_execute_post_login(event, api):\n"
        "    print(country(event.request.geoip))\n"
    )
    result = cli("test", action, "--event", EVENT, "--format", "json")
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["message"] == (
        "AttributeError: event.request.geoip has no field 'countryCode'; "
        "did you mean 'country_code'?"
    )
    assert error["line"] == 2


def test_auth0_spellings_get_a_migration_path(cli, tmp_path):
    config = tenant_with(
        tmp_path,
        "async def on_execute_post_login(event, api):\n    value = await api.cache.get('k')\n",
    )
    result = cli("check", "--config", config)
    assert result.exit_code == 1
    action = tmp_path / "port.py"
    assert result.stderr.splitlines() == [
        f"{action}:1:1: error: async def is not available in Actions; write def instead: "
        "Actions are synchronous and api calls return their result directly "
        "(write def on_execute_post_login(event, api):)",
        f"{action}:2:13: error: await is not available in Actions; write the call alone "
        "instead: Actions are synchronous and api calls return their result directly",
        "check failed: 2 errors",
    ]
    action.write_text(
        "exports.onExecutePostLogin = async (event, api) => {\n"
        "  api.multifactor.enable('any');\n"
        "};\n"
    )
    result = cli("check", "--config", config)
    assert result.stderr.splitlines()[0] == (
        f"{action}:1:1: error: syntax error: this is JavaScript (an Auth0 Action?); write "
        "Python: def on_execute_post_login(event, api): and drop async: Actions are synchronous"
    )
    action.write_text("def onExecutePostLogin(event, api):\n    pass\n")
    result = cli("check", "--config", config)
    assert result.stderr.splitlines()[0] == (
        f"{action}:1:1: error: missing top-level function: def on_execute_post_login(event, "
        "api) (onExecutePostLogin found at line 1: Actions use snake_case names)"
    )


def test_check_prints_action_warnings_and_counts_them(cli, tmp_path):
    config = tenant_with(
        tmp_path,
        "def on_execute_post_login(event, api):\n    seen = {'a', 'b'}\n    print(seen)\n",
    )
    result = cli("check", "--config", config)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'port.py'}:3:11: warning: a set shows its items in an order that differs "
        "between processes: show sorted(...) instead"
    ]
    assert "0 rule files, 1 warning" in result.stdout


ROLL_OUT = """\
def on_execute_post_login(event, api):
    bucket = hash(event.user.user_id) % 100
    regions = {"emea", "apac", "amer", "latam", "anz"}
    print(bucket, [r for r in regions], "+".join(regions))
    if bucket < 50:
        api.multifactor.enable("any")
"""


def test_hash_and_set_order_agree_across_processes(tmp_path):
    """A 50% roll-out gives one answer however Python salts its hashes."""
    action = tmp_path / "roll_out.py"
    action.write_text(ROLL_OUT)

    def run(seed: str) -> dict:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        args = [sys.executable, "-m", "contextmfa", "test", str(action), "--event", str(EVENT)]
        done = subprocess.run(
            [*args, "--format", "json"], env=env, capture_output=True, text=True, check=True
        )
        summary = json.loads(done.stdout)
        return {"logs": summary["logs"], "directives": summary["directives"]}

    first, second = run("1"), run("2")
    assert first == second
    assert first["logs"][0].endswith(
        "['amer', 'anz', 'apac', 'emea', 'latam'] amer+anz+apac+emea+latam"
    )


def test_check_locates_a_refused_statement_that_is_alone_in_its_block(cli, tmp_path):
    config = tenant_with(
        tmp_path,
        "def on_execute_post_login(event, api):\n"
        "    try:\n"
        "        pass\n"
        "    except ValueError:\n"
        "        async with event:\n"
        "            pass\n"
        "    for role in event.authorization.roles:\n"
        "        async for x in role:\n"
        "            pass\n",
    )
    result = cli("check", "--config", config)
    assert result.exit_code == 1, result.output
    action = tmp_path / "port.py"
    lines = result.stderr.splitlines()
    assert [line.split(": error: ")[0] for line in lines[:-1]] == [f"{action}:5:9", f"{action}:8:9"]
    assert lines[-1] == "check failed: 2 errors"


def test_check_knows_local_time_and_suggests_it(cli, tmp_path):
    source = (
        "def on_execute_post_login(event, api):\n"
        "    zone = event.request.geoip.time_zone if event.request.geoip else 'UTC'\n"
        "    if local_time(zone).hour < 8:\n"
        "        api.multifactor.enable('any')\n"
    )
    assert cli("check", "--config", tenant_with(tmp_path, source)).exit_code == 0
    result = cli(
        "check", "--config", tenant_with(tmp_path, source.replace("local_time(", "localtime("))
    )
    assert result.exit_code == 1
    assert "name 'localtime' is not defined; did you mean 'local_time'?" in result.stderr
