"""A tenant developer's first day: porting an Auth0 Action with the README open.

She works beside a copy of the samples, in a tenant directory of her own built as the README's
tour builds one (``tenant.toml`` with an id and a flow, the Action next to it), and runs
``check``, ``test``, ``evaluate`` and ``replay`` as the README shows. Her mistakes are those of
someone coming from Auth0 or from plain Python; each step asserts what she reads.
"""

from __future__ import annotations

import copy
import json
import re

import pytest
from sample_tree import copy_samples
from shell import Shell, jsonl, sample_event


@pytest.fixture(scope="module")
def shell(tmp_path_factory: pytest.TempPathFactory) -> Shell:
    return Shell(copy_samples(tmp_path_factory.mktemp("author")).parent)


def tenant(shell: Shell, name: str, action: str, policy: str = "") -> str:
    """``NAME/tenant.toml`` with one Action in its flow, as the README's tour writes them."""
    shell.write(f"{name}/{name}.py", action)
    flow = f'[flow]\nactions = ["{name}.py"]\n'
    shell.write(f"{name}/tenant.toml", f'[tenant]\nid = "acme"\n{policy}\n{flow}')
    return f"{name}/tenant.toml"


def logins_of_users(count: int) -> str:
    """``count`` users signing in one minute apart, each for the first time."""
    records = []
    for n in range(count):
        login = copy.deepcopy(sample_event("traveller-tokyo"))
        login["id"] = f"l-{n:03d}"
        login["timestamp"] = f"2026-03-02T10:{n:02d}:00+01:00"
        login["user"]["user_id"] = f"auth0|user{n:02d}"
        login["device"]["id"] = f"d-{n:03d}"
        records.append(login)
    return jsonl(records)


def test_auth0_spellings_are_errors_with_the_name_meant(shell: Shell) -> None:
    """Copied from Auth0 and renamed by hand: every camelCase name is a located error at check
    time (it used to pass, and every login was then denied by on_error)."""
    config = tenant(
        shell,
        "ported",
        "def on_execute_post_login(event, api):\n"
        '    if event.request.geoip.countryCode != "NL":\n'
        '        api.multifactor.enabled("any")\n'
        "    if not event.user.enrolledFactors:\n"
        '        api.user.setAppMetadata("needs_mfa", True)\n',
    )
    seen = shell.contextmfa("check", "--config", config)
    assert seen.code == 1
    assert seen.out == []
    assert seen.err == [
        "ported/ported.py:2:28: error: event.request.geoip has no field 'countryCode'; "
        "did you mean 'country_code'?",
        "ported/ported.py:3:25: error: api.multifactor has no attribute 'enabled'; "
        "did you mean 'enable'?",
        "ported/ported.py:4:23: error: event.user has no field 'enrolledFactors'; "
        "did you mean 'enrolled_factors'?",
        "ported/ported.py:5:18: error: api.user has no attribute 'setAppMetadata'; "
        "did you mean 'set_app_metadata'?",
        "check failed: 4 errors",
    ]


def test_async_says_actions_are_synchronous(shell: Shell) -> None:
    config = tenant(
        shell,
        "awaiting",
        'async def on_execute_post_login(event, api):\n    api.multifactor.enable("any")\n',
    )
    seen = shell.contextmfa("check", "--config", config)
    assert seen.code == 1
    assert seen.err == [
        "awaiting/awaiting.py:1:1: error: async def is not available in Actions; write def "
        "instead: Actions are synchronous and api calls return their result directly "
        "(write def on_execute_post_login(event, api):)",
        "check failed: 1 error",
    ]


MFA_FROM_METADATA = '''\
"""MFA for users whose metadata asks for it, from the first of March."""
from datetime import datetime


def on_execute_post_login(event, api):
    mfa = event.user.app_metadata.get("mfa")
    if isinstance(mfa, dict) and mfa.get("required") and datetime.now() > datetime(2026, 3, 1):
        print("mfa required since", mfa["since"], "now", datetime.now())
        api.multifactor.enable("any")
'''


def test_metadata_dicts_and_the_clock_work_as_in_plain_python(shell: Shell) -> None:
    """isinstance(v, dict) on metadata used to be False (MFA silently skipped), and comparing
    datetime.now() with a plain datetime raised (every login denied)."""
    config = tenant(shell, "metadata", MFA_FROM_METADATA)
    event = sample_event("traveller-tokyo")
    event["user"]["app_metadata"]["mfa"] = {"required": True, "since": "2026-02-01"}
    shell.write("metadata/event.json", json.dumps(event))

    tested = shell.contextmfa("test", "metadata/metadata.py", "--event", "metadata/event.json")
    assert tested.code == 0
    assert tested.err == []
    assert tested.out[:-1] == [
        "action     metadata",
        'directive  {"directive": "require", "factors": "any", "remember": false}',
        "log        mfa required since 2026-02-01 now 2026-03-02 09:00:00",
    ]
    assert re.fullmatch(r"time       \d+ µs", tested.out[-1])

    decided = shell.contextmfa("evaluate", "metadata/event.json", "--config", config)
    assert decided.code == 0
    decision = decided.json()
    assert decision["outcome"] == "challenge"
    assert decision["source"] == "action:metadata"
    assert decision["errors"] == []


CACHE_AND_ROLL_OUT = """\
def on_execute_post_login(event, api):
    key = "seen:" + event.user.user_id
    if api.cache.get(key) is None:
        api.cache.set(key, "1", ttl_seconds=3600)
        if hash(event.user.user_id) % 100 < 50:
            api.multifactor.enable("any")
"""


def test_a_cache_of_many_users_and_a_hash_roll_out_replay_the_same_every_time(
    shell: Shell,
) -> None:
    """The 21st user within the cache's TTL used to be denied (a full cache failed the login),
    and hash() gave each run of the same file its own roll-out. The dashboard policy is
    "never", so MFA is exactly the roll-out's share."""
    config = tenant(shell, "rollout", CACHE_AND_ROLL_OUT, policy='[policy]\nmfa = "never"\n')
    shell.write("rollout/logins.jsonl", logins_of_users(25))

    first = shell.contextmfa("replay", "rollout/logins.jsonl", "--config", config, hash_seed="1")
    again = shell.contextmfa("replay", "rollout/logins.jsonl", "--config", config, hash_seed="2")
    assert (first.code, first.err) == (0, [])
    assert first.out[-1] == (
        "replayed 25 logins: 6 allow, 19 challenge, 0 enroll, 0 deny; "
        "0 expectations checked, 0 failed"
    )
    assert again == first
