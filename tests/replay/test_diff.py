"""``replay --against``: what a candidate config changes, checked on changes of known effect.

The oracle is the sample file's own expectations: the sample config meets every one (the CLI
tests check that), so ``expect.source`` says which logins the dashboard policy decides today.
"""

from __future__ import annotations

import json
from collections import Counter

from contextmfa import Engine, InMemoryHistory, load_config, load_event
from contextmfa.replay.diff import DiffSummary, responsible
from contextmfa.replay.rows import COMPARED_FIELDS, Row, Verdict

BLOCK_PEGGY = """rule "block-peggy" priority 1000 {
    when user.id == "auth0|peggy"
    deny "peggy is blocked"
}
"""


def _diff(cli, tree, candidate_path, *extra):
    result = cli(
        "replay",
        tree / "logins.jsonl",
        "--config",
        tree / "tenant.toml",
        "--against",
        candidate_path,
        "--format",
        "json",
        *extra,
    )
    assert result.exit_code in (0, 1), result.output
    return result, json.loads(result.stdout)


def _transitions(document):
    return {(t["from"], t["to"]): t["count"] for t in document["transitions"]}


def test_same_config_changes_nothing(cli, tree):
    result = cli(
        "replay",
        tree / "logins.jsonl",
        "--config",
        tree / "tenant.toml",
        "--against",
        tree / "tenant.toml",
        "--fail-on-change",
    )
    assert result.exit_code == 0, result.output
    assert "compared 71 logins: 0 changed" in result.stdout
    assert "71 expectations checked, 0 failed" in result.stdout


def test_policy_always_changes_exactly_the_logins_the_policy_decided(
    cli, tree, candidate, expectations
):
    always = candidate("always", replace={'mfa = "adaptive"': 'mfa = "always"'})
    _, document = _diff(cli, tree, always)
    assert document["compared"] == 71
    assert _transitions(document) == {
        ("allow", "challenge"): 17,
        ("allow", "enroll"): 1,  # no factor enrolled: always enrolls, adaptive let it through
        ("challenge", "challenge"): 1,  # same outcome, now remember-browser allowed
        ("deny", "enroll"): 1,  # adaptive_mfa_unenrolled becomes an enrollment
    }
    assert {g["responsible"] for g in document["groups"]} == {"policy:always"}
    by_policy = [e for e in expectations if e.get("source") == "policy:adaptive"]
    assert document["changed"] == len(by_policy) == 20
    assert Counter(e["outcome"] for e in by_policy) == {"allow": 18, "challenge": 1, "deny": 1}
    current = Counter(e["outcome"] for e in expectations)
    assert document["outcomes"]["candidate"] == {
        "allow": current["allow"] - 18,
        "challenge": current["challenge"] + 17,
        "enroll": current["enroll"] + 2,
        "deny": current["deny"] - 1,
    }


def test_policy_never_allows_what_the_policy_challenged(cli, tree, candidate, expectations):
    never = candidate("never", replace={'mfa = "adaptive"': 'mfa = "never"'})
    _, document = _diff(cli, tree, never)
    by_policy = Counter(e["outcome"] for e in expectations if e.get("source") == "policy:adaptive")
    assert _transitions(document) == {
        ("allow", "allow"): by_policy["allow"],  # same outcome, source policy:never
        ("challenge", "allow"): by_policy["challenge"],
        ("deny", "allow"): by_policy["deny"],
    }
    group = document["groups"][0]
    assert group["responsible"] == "policy:never"
    assert group["changed_fields"] == {"source": 18}
    assert group["sources"] == {"policy:adaptive -> policy:never": 18}


def test_an_added_rule_is_responsible_for_what_it_denies(cli, tree, candidate, expectations):
    blocked = candidate("block", rules=BLOCK_PEGGY)
    result, document = _diff(cli, tree, blocked, "--fail-on-change")
    peggy = Counter(e["outcome"] for e in expectations if e["user"] == "auth0|peggy")
    assert _transitions(document) == {
        ("challenge", "deny"): peggy["challenge"],
        ("allow", "deny"): peggy["allow"],
    }
    assert {g["responsible"] for g in document["groups"]} == {"rule:block-peggy"}
    examples = [e for g in document["groups"] for e in g["examples"]]
    assert {e["user_id"] for e in examples} == {"auth0|peggy"}
    assert result.exit_code == 1  # --fail-on-change


def test_changes_without_fail_on_change_exit_0(cli, tree, candidate):
    blocked = candidate("block", rules=BLOCK_PEGGY)
    result = cli("replay", tree / "logins.jsonl", "-c", tree / "tenant.toml", "--against", blocked)
    assert result.exit_code == 0, result.output
    assert "compared 71 logins: 5 changed (3 challenge -> deny, 2 allow -> deny)" in result.stdout
    assert "rule:block-peggy" in result.stdout  # the table


def test_jsonl_lists_the_changed_logins_only_with_both_traces(cli, tree, candidate):
    blocked = candidate("block", rules=BLOCK_PEGGY)
    result = cli(
        "replay",
        tree / "logins.jsonl",
        "-c",
        tree / "tenant.toml",
        "--against",
        blocked,
        "--format",
        "jsonl",
    )
    assert result.exit_code == 0, result.output
    changed = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(changed) == 5
    first = changed[0]
    assert first["login_id"] == "l-0001" and first["line"] == 4
    assert first["transition"] == "allow -> deny"
    assert first["responsible"] == "rule:block-peggy"
    assert first["changed"] == ["outcome", "deny_reason", "source"]
    assert first["candidate"]["deny_reason"] == "peggy is blocked"
    assert first["candidate"]["trace"][0]["source"] == "rule:block-peggy"
    assert first["current"]["source"] == "policy:adaptive"
    assert "timing_us" not in first["current"]
    assert "compared 71 logins: 5 changed" in result.stderr  # stdout is for the JSON


def test_timing_never_counts_as_a_change(tree):
    """Two evaluations of one login differ in timing_us; their verdicts are equal."""
    engine = Engine(load_config(tree / "tenant.toml"))
    event = load_event(tree / "events" / "admin-office.json")
    first = engine.evaluate(event, InMemoryHistory())
    second = engine.evaluate(event, InMemoryHistory())
    engine.close()
    assert "timing_us" not in COMPARED_FIELDS
    assert Verdict.of(first) == Verdict.of(second)
    row = Row(1, "l-1", "u", current=Verdict.of(first), candidate=Verdict.of(second))
    summary = DiffSummary()
    summary.add(row)
    assert (summary.compared, summary.changed) == (1, 0)


def test_responsible_source():
    def v(source: str, outcome: str = "challenge") -> Verdict:
        return Verdict(outcome, ("otp",), (), False, None, source)

    added = responsible(v("policy:adaptive", "allow"), v("rule:new"), changed_policy=None)
    assert added == "rule:new"
    removed = responsible(v("action:skip", "allow"), v("policy:always"), changed_policy="x")
    assert removed == "action:skip"
    switched = responsible(
        v("policy:adaptive", "allow"), v("policy:always"), changed_policy="policy:always"
    )
    assert switched == "policy:always"
    remembered = responsible(
        v("policy:adaptive"), v("remembered-browser", "allow"), changed_policy="policy:always"
    )
    assert remembered == "policy:always"
    assert responsible(v("rule:a"), v("rule:a"), changed_policy=None) == "rule:a"


def test_candidate_config_errors_exit_2(cli, tree, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[tenant]\nid = "acme"\n[policy]\nmfa = "sometimes"\n')
    result = cli("replay", tree / "logins.jsonl", "-c", tree / "tenant.toml", "--against", bad)
    assert result.exit_code == 2
    assert "policy.mfa" in result.stderr


def test_the_table_stops_listing_past_its_limit(cli, tree, monkeypatch):
    monkeypatch.setattr("contextmfa.cli.replay_output.TABLE_MAX_ROWS", 5)
    result = cli("replay", tree / "logins.jsonl", "-c", tree / "tenant.toml")
    assert result.exit_code == 0, result.output
    assert "... and 66 more logins (--format jsonl or --report for all)" in result.stdout
    assert "replayed 71 logins" in result.stdout
