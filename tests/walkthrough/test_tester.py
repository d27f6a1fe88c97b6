"""A tester's first day: replaying recorded logins before a change ships.

He replays the sample logins as the README's set-up does, pipes files in the way shell users do,
imports his identity provider's log export, and replays it against a candidate tenant whose new
Action crashes. Every gate he builds must fail where there is nothing to check or something
broke, and say why in one line.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sample_tree import copy_samples
from shell import Shell, jsonl, sample_event

AUTH0_EXPORT = Path(__file__).resolve().parents[1] / "importers" / "data" / "auth0-logs.json"
SAMPLES = ["--config", "samples/tenant.toml"]
SAMPLE_SUMMARY = [
    "action partner_contract: 1 error: exception at line 24: ValueError: Invalid isoformat "
    "string: '31/12/2026' (first at samples/logins.jsonl:26 l-0023)",
    "replayed 71 logins: 29 allow, 26 challenge, 3 enroll, 13 deny; 71 expectations checked, "
    "0 failed; 1 Action error",
]

CRASHING = """\
def on_execute_post_login(event, api):
    level = int(event.user.app_metadata.get("clearance"))
    if level < 3:
        api.multifactor.enable("any")
"""


@pytest.fixture(scope="module")
def shell(tmp_path_factory: pytest.TempPathFactory) -> Shell:
    root = copy_samples(tmp_path_factory.mktemp("tester")).parent
    shutil.copy(AUTH0_EXPORT, root / "tenant-logs.json")
    return Shell(root)


def test_the_samples_replay_as_the_readme_says(shell: Shell) -> None:
    replayed = shell.contextmfa("replay", "samples/logins.jsonl", *SAMPLES)
    assert (replayed.code, replayed.err) == (0, [])
    assert replayed.out[-2:] == SAMPLE_SUMMARY
    assert len([row for row in replayed.out if row.startswith("│")]) == 71


def test_a_gate_on_nothing_fails(shell: Shell) -> None:
    """An empty file used to replay 0 logins and pass; --fail-on-change without a candidate
    had nothing to compare and passed too."""
    shell.write("empty.jsonl", "")
    empty = shell.contextmfa("replay", "empty.jsonl", *SAMPLES)
    assert empty.code == 2
    assert empty.out[-1] == (
        "replayed 0 logins: 0 allow, 0 challenge, 0 enroll, 0 deny; 0 expectations checked, "
        "0 failed"
    )
    assert empty.err == [
        "empty.jsonl: error: nothing to replay: no login records in it "
        "(pass --allow-empty to accept an empty file)"
    ]

    alone = shell.contextmfa("replay", "samples/logins.jsonl", *SAMPLES, "--fail-on-change")
    assert (alone.code, alone.out) == (2, [])
    assert alone.err == [
        "Usage: contextmfa replay [OPTIONS] {LOGINS.jsonl}",
        "Try 'contextmfa replay --help' for help.",
        "╭─ Error ──────────────────────────────────────────────────────────────────────╮",
        "│ Invalid value for '--fail-on-change': needs --against CANDIDATE.toml: it     │",
        "│ fails when the candidate config decides a login differently                  │",
        "╰──────────────────────────────────────────────────────────────────────────────╯",
    ]


def test_an_auth0_export_replayed_against_a_crashing_action(shell: Shell) -> None:
    """Import the IdP's logs, then replay them against a candidate whose Action raises on every
    login. The logins carry no expectations, so only the error count can fail the gate: it used
    to say nothing and exit 0."""
    imported = shell.contextmfa("import", "auth0-logs", "tenant-logs.json", "-o", "logins.jsonl")
    assert (imported.code, imported.out) == (0, [])
    assert imported.err[0] == "read 16 log events: imported 4 logins (4 successful login)"
    assert len((shell.cwd / "logins.jsonl").read_text().splitlines()) == 4

    shell.write("candidate/clearance.py", CRASHING)
    shell.write(
        "candidate/tenant.toml", '[tenant]\nid = "acme"\n\n[flow]\nactions = ["clearance.py"]\n'
    )
    crash = (
        "action clearance: 4 errors: exception at line 2: TypeError: int() argument must be "
        "a string, a bytes-like object or a real number, not 'NoneType' "
        "(first at {source}:1 90020260302080022950000000000000000003)"
    )
    summary = (
        "replayed 4 logins: 0 allow, 0 challenge, 0 enroll, 4 deny; 0 expectations checked, "
        "0 failed; 4 Action errors"
    )

    piped = shell.sh("cat logins.jsonl | contextmfa replay - --config candidate/tenant.toml")
    assert (piped.code, piped.err) == (0, [])
    assert piped.out[-2:] == [crash.format(source="<stdin>"), summary]

    gated = shell.contextmfa(
        "replay", "logins.jsonl", "--config", "candidate/tenant.toml", "--fail-on-error"
    )
    assert (gated.code, gated.err) == (1, ["replay failed: 4 Action errors (--fail-on-error)"])
    assert gated.out[-2:] == [crash.format(source="logins.jsonl"), summary]


def test_what_is_not_an_export_is_refused_with_what_one_is(shell: Shell) -> None:
    shell.write("foo.json", '{"foo": 1}\n')
    seen = shell.contextmfa("import", "auth0-logs", "foo.json", "-o", "foo.jsonl")
    assert (seen.code, seen.out) == (2, [])
    assert seen.err == [
        'foo.json:1: error: not an Auth0 log event: it has no "type" (its keys: foo); an export '
        'is the JSON array GET /api/v2/logs returns, a page with a "logs" array, or a log '
        "stream's JSON Lines, each item a log event with its type, date and log_id"
    ]
    assert not (shell.cwd / "foo.jsonl").exists()


def test_head_ends_a_replay_quietly(shell: Shell) -> None:
    """More decisions than a pipe holds, read by ``head``: exit 141 as any Unix tool, nothing
    on stderr (it used to be "internal error", exit 3)."""
    seen = shell.sh(
        "contextmfa replay samples/logins.jsonl --config samples/tenant.toml --format jsonl"
        " | head -n 1"
    )
    assert (seen.code, seen.err) == (141, [])
    assert [json.loads(line)["login_id"] for line in seen.out] == ["l-0001"]


def test_a_file_that_is_not_utf8_is_one_located_line(shell: Shell) -> None:
    login = sample_event("admin-office")
    login["user"]["name"] = "Renée Dubois"
    shell.write("latin1.jsonl", jsonl([login]).replace("\\u00e9", "é").encode("latin-1"))
    column = jsonl([login]).index("\\u00e9") + 1

    seen = shell.contextmfa("replay", "latin1.jsonl", *SAMPLES)
    assert seen.code == 2
    assert seen.out[-1] == (
        "replayed 0 logins: 0 allow, 0 challenge, 0 enroll, 0 deny; 0 expectations checked, "
        "0 failed; 1 record with input errors"
    )
    assert seen.err == [
        f"latin1.jsonl:1: error: invalid JSON: not UTF-8: byte 0xe9 at column {column}"
    ]
