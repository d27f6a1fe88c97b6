"""``evaluate`` and ``replay`` on JSON nested 1,000 deep or holding a 5,000-digit number: an input
error located at its file (and line), exit 2, never a traceback; the other records still replay."""

from __future__ import annotations

import json

import pytest

DEEP = "[" * 1000 + "]" * 1000
LONG_NUMBER = "9" * 5000
REASONS = {"deep": "recursion limit exceeded at line 1 column ", "long": "number out of range at "}


def _holding(event: dict, value: str) -> str:
    """``event`` with ``user.app_metadata.v`` set to ``value`` (raw JSON), on one line."""
    event = json.loads(json.dumps(event))
    event["user"]["app_metadata"] = {"v": "@"}
    return json.dumps(event).replace('"@"', value)


@pytest.fixture(params=[("deep", DEEP), ("long", LONG_NUMBER)], ids=["deep", "long-number"])
def hostile(request) -> tuple[str, str]:
    return request.param


def test_evaluate_says_where_and_why_and_exits_2(cli, tenant, tmp_path, sample_event, hostile):
    kind, value = hostile
    for name, text in (("whole.json", value), ("inside.json", _holding(sample_event, value))):
        path = tmp_path / name
        path.write_text(text)
        result = cli("evaluate", path, "--config", tenant)
        assert result.exit_code == 2
        assert result.stderr.startswith(f"{path}: error: invalid JSON: {REASONS[kind]}")
        assert "Traceback" not in result.output


@pytest.mark.parametrize("workers", ["1", "2"])
def test_replay_reports_the_line_and_goes_on(cli, tenant, tmp_path, sample_event, hostile, workers):
    kind, value = hostile
    logins = tmp_path / "l.jsonl"
    good = json.dumps(dict(sample_event, id="good"))
    logins.write_text("\n".join([_holding(sample_event, value), value, good]) + "\n")
    result = cli("replay", logins, "--config", tenant, "--format", "jsonl", "--workers", workers)
    assert result.exit_code == 2
    for line in (1, 2):
        assert f"{logins}:{line}: error: invalid JSON: {REASONS[kind]}" in result.stderr
    assert [json.loads(x)["login_id"] for x in result.stdout.splitlines()] == ["good"]
    assert "Traceback" not in result.output
