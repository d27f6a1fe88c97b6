"""Replay as a CI gate must not pass on nothing: Action errors are counted and can fail the run,
an empty file is refused, options that mean nothing alone are usage errors, a candidate of another
tenant is refused, and a file out of order says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CRASH = "def on_execute_post_login(event, api):\n    ratio = 1 / 0\n"


def _crashing(tree: Path, name: str = "crash") -> Path:
    """The sample tenant with an Action first in the flow that fails for every login."""
    (tree / "actions" / f"{name}.py").write_text(CRASH)
    text = (tree / "tenant.toml").read_text()
    config = tree / f"{name}.toml"
    config.write_text(text.replace("actions = [\n", f'actions = [\n    "actions/{name}.py",\n', 1))
    return config


@pytest.fixture
def records(tree: Path) -> list[dict]:
    return [
        json.loads(line)
        for line in (tree / "logins.jsonl").read_text().splitlines()
        if line.startswith("{")
    ]


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


# Action errors ------------------------------------------------------------------------------------


def test_a_crashing_action_is_counted_per_action_in_the_summary(cli, tree, records, tmp_path):
    """Before, 71 logins denied by a crashing Action exited 0 and the summary said nothing."""
    logins = _write(
        tmp_path / "l.jsonl", [{k: v for k, v in r.items() if k != "expect"} for r in records]
    )
    result = cli("replay", logins, "--config", _crashing(tree))
    assert result.exit_code == 0, result.output
    *_, table_end, crash, summary = result.stdout.strip().splitlines()
    assert table_end.startswith("└")
    # 3 logins are denied by rules before any Action runs; a failed Action stops the flow
    assert crash == (
        "action crash: 68 errors: exception at line 2: ZeroDivisionError: division by zero "
        f"(first at {logins}:1 l-0001)"
    )
    assert summary.endswith("0 expectations checked, 0 failed; 68 Action errors")


def test_fail_on_error_exits_1_when_an_action_failed(cli, tree, records, tmp_path):
    logins = _write(
        tmp_path / "l.jsonl", [{k: v for k, v in r.items() if k != "expect"} for r in records[:3]]
    )
    failing = cli("replay", logins, "--config", _crashing(tree), "--fail-on-error")
    assert failing.exit_code == 1, failing.output
    assert "3 Action errors" in failing.stdout
    assert failing.stderr.strip() == "replay failed: 3 Action errors (--fail-on-error)"
    clean = cli("replay", logins, "--config", tree / "tenant.toml", "--fail-on-error")
    assert clean.exit_code == 0, clean.output


def test_a_candidates_action_errors_are_counted_and_fail_the_run(cli, tree, records, tmp_path):
    logins = _write(tmp_path / "l.jsonl", records[:3])
    result = cli(
        "replay",
        logins,
        "-c",
        tree / "tenant.toml",
        "--against",
        _crashing(tree),
        "--fail-on-error",
    )
    assert result.exit_code == 1, result.output
    assert (
        "candidate: action crash: 3 errors: exception at line 2: ZeroDivisionError: division by "
        f"zero (first at {logins}:1 l-0001)"
    ) in result.stdout
    assert result.stdout.strip().endswith("the candidate had 3 Action errors")


def test_action_errors_go_with_the_summary_to_stderr_when_stdout_has_decisions(
    cli, tree, records, tmp_path
):
    logins = _write(tmp_path / "l.jsonl", records[:2])
    result = cli("replay", logins, "-c", _crashing(tree), "--format", "jsonl")
    assert [json.loads(line)["source"] for line in result.stdout.splitlines()] == [
        "on_error:crash"
    ] * 2
    assert "action crash: 2 errors" in result.stderr


def test_the_report_puts_action_errors_in_a_red_banner_with_the_message(
    cli, tree, records, tmp_path
):
    logins = _write(
        tmp_path / "l.jsonl", [{k: v for k, v in r.items() if k != "expect"} for r in records[:4]]
    )
    report = tmp_path / "r.html"
    result = cli("replay", logins, "-c", _crashing(tree), "--report", report)
    assert result.exit_code == 0, result.output
    html = report.read_text()
    banner = html.index('<div class="banner bad" id="banner" role="alert">')
    assert banner < html.index('<section id="outcomes">')
    assert "4 Action errors: crash (4)" in html
    section = html[html.index('<section id="action-errors">') :]
    assert "ZeroDivisionError: division by zero" in section.split("</section>")[0]
    assert "Nothing to read" not in html
    assert html.count('<details class="login"') == 4


def test_a_report_with_failed_expectations_has_the_red_banner(cli, tree, records, tmp_path):
    record = dict(records[0], expect={"outcome": "deny"})
    report = tmp_path / "r.html"
    result = cli(
        "replay",
        _write(tmp_path / "l.jsonl", [record]),
        "-c",
        tree / "tenant.toml",
        "--report",
        report,
    )
    assert result.exit_code == 1
    html = report.read_text()
    assert '<a href="#logins">1 expectation of 1 failed</a>' in html


def test_a_clean_report_has_a_calm_banner(cli, tree, records, tmp_path):
    report = tmp_path / "r.html"
    result = cli(
        "replay",
        _write(tmp_path / "l.jsonl", records[:3]),
        "-c",
        tree / "tenant.toml",
        "--report",
        report,
    )
    assert result.exit_code == 0, result.output
    html = report.read_text()
    assert 'class="banner ok"' in html and 'class="banner bad"' not in html
    assert "Nothing to read: every expectation held, no Action failed." in html


# empty files --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_an_empty_file_is_nothing_to_replay(cli, tree, tmp_path, text):
    logins = tmp_path / "l.jsonl"
    logins.write_text(text)
    result = cli("replay", logins, "--config", tree / "tenant.toml")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        f"{logins}: error: nothing to replay: no login records in it (pass --allow-empty to "
        "accept an empty file)\n"
    )
    allowed = cli("replay", logins, "--config", tree / "tenant.toml", "--allow-empty")
    assert allowed.exit_code == 0, allowed.output
    assert "replayed 0 logins" in allowed.stdout


# options that need another ------------------------------------------------------------------------


def test_fail_on_change_without_against_is_a_usage_error(cli, tree):
    result = cli("replay", tree / "logins.jsonl", "-c", tree / "tenant.toml", "--fail-on-change")
    assert result.exit_code == 2
    assert "Invalid value for '--fail-on-change': needs --against CANDIDATE.toml" in " ".join(
        result.output.replace("│", " ").split()
    )
    assert "replayed" not in result.output


def test_report_limit_without_report_is_a_usage_error(cli, tree):
    result = cli(
        "replay", tree / "logins.jsonl", "-c", tree / "tenant.toml", "--report-limit", "10"
    )
    assert result.exit_code == 2
    assert "Invalid value for '--report-limit': needs --report REPORT.html" in " ".join(
        result.output.replace("│", " ").split()
    )
    assert "replayed" not in result.output


def test_a_candidate_of_another_tenant_is_refused(cli, tree, candidate):
    other = candidate("globex", replace={'id = "acme"': 'id = "globex"'})
    result = cli("replay", tree / "logins.jsonl", "-c", tree / "tenant.toml", "--against", other)
    assert result.exit_code == 2
    assert result.stderr == (
        f"{other}: error: tenant.id: 'globex' is not the tenant of {tree / 'tenant.toml'} "
        "('acme'); --against compares two configs of one tenant\n"
    )


# order of the file --------------------------------------------------------------------------------


def test_logins_out_of_order_and_repeated_are_warnings_with_counts(cli, tree, records, tmp_path):
    alice = [r for r in records if r["user"]["user_id"] == "auth0|alice"][:3]
    assert len(alice) == 3
    first, second, third = ({k: v for k, v in r.items() if k != "expect"} for r in alice)
    # third before second for alice; the first login again, later in the file
    logins = _write(tmp_path / "l.jsonl", [first, third, second, first])
    report = tmp_path / "r.html"
    result = cli("replay", logins, "-c", tree / "tenant.toml", "--report", report)
    assert result.exit_code == 0, result.output
    html = report.read_text()
    assert "Warnings: 2 logins out of time order; 1 repeated login id." in html
    assert (
        f"{logins}:3: warning: 2 logins are earlier than the same user's previous login (first: "
        f"{second['id']}); replay reads the file in order, so their risk history is wrong: sort "
        "the file by timestamp"
    ) in result.stderr
    assert (
        f"{logins}:4: warning: 1 login repeats the id of an earlier login of the same user (first: "
        f"{first['id']}); a login recorded twice counts twice in the user's history"
    ) in result.stderr


def test_a_file_sorted_by_user_is_not_out_of_order(cli, tree, records, tmp_path):
    """History is kept per user: another user's earlier login is no warning."""
    by_user = sorted(records, key=lambda r: r["user"]["user_id"])
    result = cli("replay", _write(tmp_path / "l.jsonl", by_user), "-c", tree / "tenant.toml")
    assert "warning" not in result.stderr
