"""``replay --report``: one self-contained HTML file, and what it says."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from contextmfa.config import load_config
from contextmfa.config_version import config_version
from contextmfa.replay import OUTCOMES

BLOCK_PEGGY = """rule "block-peggy" priority 1000 {
    when user.id == "auth0|peggy"
    deny "peggy is blocked"
}
"""
HOSTILE = '<img src=x onerror="alert(1)">'


def _report(cli, tree, out: Path, *extra) -> str:
    result = cli("replay", *extra[:1], "-c", tree / "tenant.toml", "--report", out, *extra[1:])
    assert result.exit_code in (0, 1), result.output
    assert f"report written to {out}" in result.stdout
    return out.read_text(encoding="utf-8")


@pytest.fixture
def mismatched(tmp_path, tree) -> Path:
    """Two sample logins, one with a wrong expectation and a hostile login id."""
    lines = [
        line for line in (tree / "logins.jsonl").read_text().splitlines() if line.startswith("{")
    ][:2]
    record = json.loads(lines[1])
    record["id"] = HOSTILE
    record["expect"] = {"outcome": "deny"}
    path = tmp_path / "mismatched.jsonl"
    path.write_text(lines[0] + "\n" + json.dumps(record) + "\n")
    return path


def test_report_is_self_contained_and_locked_down(cli, tree, tmp_path):
    html = _report(cli, tree, tmp_path / "r.html", tree / "logins.jsonl")
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"<link|<img|<iframe|\bsrc=|url\(|@import", html)
    script = re.search(r"<script>(.*?)</script>", html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in html
    assert "default-src 'none'" in html
    assert html.count("<script") == 1


def test_report_counts_outcomes_sources_places_and_risk(cli, tree, tmp_path, expectations):
    html = _report(cli, tree, tmp_path / "r.html", tree / "logins.jsonl")
    summary = re.search(r'<p class="note" id="summary">(.*?)</p>', html).group(1)
    assert summary == "71 logins replayed; 71 expectations checked, 0 failed; 1 Action error"
    cards = dict(re.findall(r'data-outcome="(\w+)"><small>\w+</small><b>([\d,]+)</b>', html))
    expected = Counter(e["outcome"] for e in expectations)
    assert cards == {outcome: str(expected[outcome]) for outcome in OUTCOMES}
    assert "<code>action:<wbr>skip_<wbr>mfa_<wbr>on_<wbr>corporate_<wbr>network</code>" in html
    assert "<code>rule:<wbr>vpn-exit-strong-mfa</code>" in html
    assert html.count("<circle ") >= 10
    assert "NL Netherlands" in html and "JP Japan" in html
    assert "<code>impossible_<wbr>travel_<wbr>from_<wbr>last_<wbr>login</code>" in html
    assert "Travel speed from the last login (km/h)" in html
    # The sample's partner_contract Action fails on l-0023 on purpose: that login is to read.
    assert "1 logins with a failed expectation or an Action error." in html
    assert html.count('<details class="login"') == 1


def test_mismatches_are_listed_with_their_trace_and_escaped(cli, tree, tmp_path, mismatched):
    html = _report(cli, tree, tmp_path / "r.html", mismatched)
    assert HOSTILE not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    (login,) = re.findall(r'<details class="login" id="line-2".*?</details>', html, re.S)
    assert "expected outcome &#x27;deny&#x27;, got &#x27;allow&#x27;" in login
    assert "<dt>trace</dt>" in login


def test_diff_report_lists_changes_and_honours_the_limit(cli, tree, tmp_path, candidate):
    blocked = candidate("block", rules=BLOCK_PEGGY)
    html = _report(
        cli,
        tree,
        tmp_path / "r.html",
        tree / "logins.jsonl",
        "--against",
        blocked,
        "--report-limit",
        "2",
    )
    assert "What the candidate changes" in html
    rows = re.findall(
        r"<tr><td class=\"transition\"><span class=\"pill o-(\w+)\">.*?<code>([^<]+)</code>", html
    )
    assert rows == [("challenge", "rule:block-peggy"), ("allow", "rule:block-peggy")]
    assert html.count('<details class="login"') == 2
    assert "6 logins with a failed expectation, an Action error or a changed decision." in html
    assert "Showing the first 2 (raise --report-limit, or 0 for all)." in html
    assert "changed by the candidate" in html


def test_an_unwritable_report_fails_before_the_replay(cli, tree, tmp_path):
    report = tmp_path / "missing" / "r.html"
    result = cli("replay", tree / "logins.jsonl", "-c", tree / "tenant.toml", "--report", report)
    assert result.exit_code == 2
    assert f"{report}: error: cannot write: No such file or directory" in result.stderr
    assert "replayed" not in result.output


def test_report_names_each_config_with_its_version(cli, tree, tmp_path):
    current = config_version(load_config(tree / "tenant.toml"))
    html = _report(cli, tree, tmp_path / "r.html", tree / "logins.jsonl")
    assert f"({current})</code>" in html
    # Any change to a file that decides logins is a new version.
    rules = tree / "rules" / "admins.rules"
    rules.write_text(rules.read_text() + "\n# reviewed\n")
    assert config_version(load_config(tree / "tenant.toml")) != current


def test_logins_without_a_location_are_listed(cli, tree, tmp_path):
    records = [
        json.loads(x) for x in (tree / "logins.jsonl").read_text().splitlines() if x[:1] == "{"
    ]
    record = dict(records[0], id="l-private")
    record["request"] = dict(record["request"], ip="10.1.2.3")
    record.pop("expect", None)
    logins = tmp_path / "l.jsonl"
    logins.write_text(json.dumps(record) + "\n")
    html = _report(cli, tree, tmp_path / "r.html", logins)
    (listed,) = re.findall(r'<details id="unlocated">.*?</details>', html, re.S)
    assert "1 logins had no location" in listed
    assert "<code>l-private</code>" in listed and "<code>10.1.2.3</code>" in listed


def test_a_diff_report_says_which_config_the_bars_show(cli, tree, tmp_path, candidate):
    blocked = candidate("block", rules=BLOCK_PEGGY)
    html = _report(cli, tree, tmp_path / "r.html", tree / "logins.jsonl", "--against", blocked)
    assert "each bar is split by the candidate config's outcomes" in html
    assert "by country (candidate config&#x27;s outcomes)" in html
    assert "<h3>current config</h3>" in html and "<h3>candidate config</h3>" in html
