"""``run_action``: errors as data (kind, scrubbed message, line), isolation between runs, speed."""

from __future__ import annotations

import time

import pytest

import contextmfa.sandbox as sandbox
from contextmfa.sandbox import ActionError, ActionRun, SandboxLimits, compile_action


def test_public_api_is_exactly_what_the_engine_imports():
    assert sorted(sandbox.__all__) == [
        "ActionCache",
        "ActionError",
        "ActionRun",
        "CompiledAction",
        "InMemoryActionCache",
        "LogLine",
        "SandboxLimits",
        "compile_action",
        "run_action",
    ]
    assert SandboxLimits() == SandboxLimits(100, 64, 100_000, 50, 100_000, 10_000, 100, 256)


def test_successful_run(sb):
    result = sb.run('api.multifactor.enable("any")')
    assert isinstance(result, ActionRun)
    assert result.action == "step_up"
    assert result.error is None
    assert result.duration_us > 0


def test_exception_message_and_line(sb):
    result = sb.run(
        """
        roles = event.authorization.roles
        if "admin" in roles:
            raise ValueError("admins must use a hardware key")
        """
    )
    assert result.error == ActionError(
        "step_up", "exception", "ValueError: admins must use a hardware key", 4
    )


def test_exception_inside_a_helper_reports_the_deepest_action_line(sb):
    source = "def helper(d):\n    return d['missing']\n" + sb.source_of("helper({})")
    result = sb.execute(compile_action(source, sb.PATH))
    assert result.error == ActionError("step_up", "exception", "KeyError: 'missing'", 2)


def test_exceptions_raised_in_host_code_point_at_the_calling_line(sb):
    result = sb.run('import json\nx = 1\njson.loads("{not json")')
    assert result.error.kind == "exception"
    assert result.error.message.startswith("JSONDecodeError: ")
    assert result.error.line == 4
    assert "/" not in result.error.message


def test_user_defined_exception_classes(sb):
    result = sb.run("class PolicyError(Exception):\n    pass\nraise PolicyError('no')")
    assert result.error.message == "PolicyError: no"


def test_secret_values_never_reach_an_error_message(sb):
    result = sb.run('raise RuntimeError("bad token " + event.secrets.API_TOKEN)')
    assert result.error.message == "RuntimeError: bad token [REDACTED]"


def test_huge_exception_messages_are_bounded(sb):
    result = sb.run('raise ValueError(["x" * 10000] * 10)')
    assert result.error.kind == "exception"
    assert len(result.error.message) <= 512


def test_module_level_failure_is_reported(sb):
    source = "x = 1 / 0\n" + sb.source_of("pass")
    result = sb.execute(compile_action(source, sb.PATH))
    assert result.error == ActionError(
        "step_up", "exception", "ZeroDivisionError: division by zero", 1
    )


def test_replacing_the_entry_point_at_run_time_is_an_error(sb):
    source = sb.source_of("pass") + "on_execute_post_login = 5\n"
    result = sb.execute(compile_action(source, sb.PATH))
    assert result.error.kind == "exception"


def test_module_state_does_not_survive_between_logins(sb):
    source = "SEEN = []\n" + sb.source_of("SEEN.append(1)\nprint(len(SEEN))")
    action = compile_action(source, sb.PATH)
    assert [sb.logs(sb.execute(action)) for _ in range(3)] == [["1"], ["1"], ["1"]]


def test_logs_survive_a_failure(sb):
    result = sb.run('print("before")\nraise ValueError("x")')
    assert sb.logs(result) == ["before"]
    assert result.error is not None


def test_a_typical_action_runs_in_microseconds(sb):
    action = sb.compile(
        """
        user = event.user
        roles = event.authorization.roles
        geo = event.request.geoip
        country = geo.country_code if geo is not None else None
        risk = event.authentication.risk_assessment
        if event.stats.logins_count < 2:
            return
        if "admin" in roles:
            if country not in ("NL", "BE") or risk.confidence == "low":
                api.authentication.challenge_with("webauthn-roaming", additional_factors=["otp"])
            else:
                api.multifactor.enable("any", allow_remember_browser=True)
            return
        if user.app_metadata.get("mfa_required"):
            api.multifactor.enable("guardian")
        for method in event.authentication.methods:
            if method.name == "mfa":
                return
        """
    )
    sb.succeeded(sb.execute(action))
    runs = 300
    started = time.perf_counter()
    for _ in range(runs):
        sb.execute(action)
    per_run_us = (time.perf_counter() - started) / runs * 1e6
    assert per_run_us < 2_000  # generous: catches regressions, not machine noise


def test_a_naive_now_is_refused_even_after_an_aware_one(sb):
    action = sb.compile("pass")
    sb.succeeded(sb.execute(action))
    with pytest.raises(ValueError, match="timezone-aware"):
        sb.execute(action, now=sb.NOW.replace(tzinfo=None))
