"""``print`` capture: one line per call, cut at 256 characters, at most 100 lines and then one that
says how many more were dropped, no secrets."""

from __future__ import annotations

import pytest

from contextmfa.sandbox import InMemoryActionCache, LogLine, SandboxLimits
from contextmfa.sandbox.process import run_action_isolated


def test_one_log_line_per_call_tagged_with_the_action(sb):
    result = sb.succeeded(
        sb.run(
            """
            print("hello", event.user.email, 3, None, sep="|")
            print("multi", "args")
            print()
            """
        )
    )
    assert result.logs == (
        LogLine("step_up", "hello|ada@acme.test|3|None"),
        LogLine("step_up", "multi args"),
        LogLine("step_up", ""),
    )


def test_print_in_helpers_and_module_code_is_captured(sb):
    source = 'print("module")\ndef helper():\n    print("helper")\n' + sb.source_of("helper()")
    from contextmfa.sandbox import compile_action

    result = sb.execute(compile_action(source, sb.PATH))
    assert sb.logs(sb.succeeded(result)) == ["module", "helper"]


def test_lines_are_cut_at_256_characters(sb):
    result = sb.succeeded(sb.run('print("x" * 1000)\nprint("y" * 256)'))
    assert sb.logs(result) == ["x" * 256, "y" * 256]


def test_past_100_lines_one_last_line_says_how_many_were_dropped(sb):
    result = sb.run(
        """
        for i in range(150):
            print("line", i)
        api.multifactor.enable("none")
        """
    )
    sb.succeeded(result)
    assert len(result.logs) == 101
    assert sb.logs(result)[-2:] == ["line 99", "... 50 more lines dropped (max_output_lines = 100)"]
    assert len(result.directives) == 1


@pytest.mark.parametrize(
    ("prints", "max_lines", "last"),
    [
        (3, 3, "2"),
        (4, 3, "... 1 more line dropped (max_output_lines = 3)"),
        (87, 50, "... 37 more lines dropped (max_output_lines = 50)"),
        (5, 0, "... 5 lines dropped (max_output_lines = 0)"),
    ],
)
def test_the_dropped_line_count_follows_the_setting(sb, prints, max_lines, last):
    limits = SandboxLimits(max_output_lines=max_lines)
    result = sb.execute(sb.compile(f"for i in range({prints}):\n    print(i)"), limits=limits)
    assert sb.logs(sb.succeeded(result))[-1] == last
    assert len(result.logs) == min(prints, max_lines) + (prints > max_lines)


def test_line_limits_follow_the_tenant_settings(sb):
    limits = SandboxLimits(max_output_lines=2, max_line_chars=5)
    result = sb.execute(sb.compile('for i in range(5):\n    print("abcdefgh", i)'), limits=limits)
    assert sb.logs(result) == ["abcde", "abcde", "... 3"]


def test_secret_values_are_redacted_before_cutting(sb):
    result = sb.run(
        """
        print("token=" + event.secrets.API_TOKEN)
        print("x" * 250 + event.secrets["API_TOKEN"])
        print(event.secrets)
        """
    )
    lines = sb.logs(sb.succeeded(result))
    assert lines[0] == "token=[REDACTED]"
    assert lines[1] == "x" * 250 + "[REDAC"
    assert lines[2] == "<secrets: API_TOKEN>"
    assert not any("tok-8f2a9c77" in line for line in lines)


def test_print_refuses_a_file_argument(sb):
    sb.failed(sb.run("print('x', file=event)"), "exception")


def test_printing_a_huge_value_is_a_limit_error(sb):
    result = sb.run("big = ['x' * 10000] * 10000\nprint(big)")
    sb.failed(result, "limit")


def test_the_dropped_line_crosses_the_process_boundary(sb):
    action = sb.compile("for i in range(7):\n    print(i)")
    limits = SandboxLimits(max_output_lines=5)
    options = dict(secrets={}, now=sb.NOW, cache=InMemoryActionCache(), tenant_id="acme")
    isolated = run_action_isolated(action, sb.EVENT, limits=limits, **options)
    assert sb.logs(sb.succeeded(isolated)) == sb.logs(sb.execute(action, limits=limits))
    assert sb.logs(isolated)[-1] == "... 2 more lines dropped (max_output_lines = 5)"
