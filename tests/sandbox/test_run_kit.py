"""Runs of one Action reuse its guards, meter, printer and api (kit.py), never across a leak."""

from __future__ import annotations

import gc
import sys
import threading

import pytest

from contextmfa.sandbox import SandboxLimits, compile_action


def _idle(action) -> int:
    return len(action.kits._idle)


def test_a_clean_run_leaves_its_kit_for_the_next(sb):
    action = sb.compile('print(event.user.email)\napi.multifactor.enable("any")')
    first, second = sb.execute(action), sb.execute(action)
    assert _idle(action) == 1
    assert sb.logs(first) == sb.logs(second) == ["ada@acme.test"]
    assert [type(d).__name__ for d in second.directives] == ["Require"]


def test_each_run_gets_its_whole_budget_again(sb):
    limits = SandboxLimits(max_steps=1_000)
    action = sb.compile("total = 0\nfor i in range(900):\n    total += i\nprint(total)")
    for _ in range(3):
        assert sb.logs(sb.succeeded(sb.execute(action, limits=limits))) == ["404550"]


def test_a_kit_is_reused_only_under_the_same_limits(sb):
    action = sb.compile("for i in range(50):\n    pass")
    sb.succeeded(sb.execute(action))
    run = sb.execute(action, limits=SandboxLimits(max_steps=10))
    assert sb.failed(run, "limit").startswith("step limit exceeded (10 steps)")


def test_each_run_redacts_its_own_secrets(sb):
    action = sb.compile('print("key", event.secrets.get("KEY"), "first-secret-1")')
    assert sb.logs(sb.execute(action, secrets={"KEY": "first-secret-1"})) == [
        "key [REDACTED] [REDACTED]"
    ]
    assert sb.logs(sb.execute(action, secrets={"KEY": "second-secret-2"})) == [
        "key [REDACTED] first-secret-1"
    ]
    assert sb.logs(sb.execute(action, secrets={})) == ["key None first-secret-1"]


def test_secrets_are_redacted_again_after_a_run_without_any(sb):
    """Secrets, none, the same secrets: the third run must not reuse the second's no-op."""
    action = sb.compile('print("key", event.secrets.get("KEY"))')
    secrets = {"KEY": "hunter2-secret-value"}
    for given in (secrets, {}, secrets):
        logs = sb.logs(sb.execute(action, secrets=given))
        assert logs == (["key [REDACTED]"] if given else ["key None"])


def test_a_run_that_keeps_a_guarded_builtin_alive_drops_its_kit(sb):
    source = "KEEP = [sorted]\nKEEP.append(KEEP)\n" + sb.source_of("pass")
    action = compile_action(source, sb.PATH)
    sb.succeeded(sb.execute(action))
    assert _idle(action) == 0  # the cycle still holds the run's sorted: not reused
    gc.collect()
    sb.succeeded(sb.execute(action))


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_suspended_generator_never_prints_into_a_later_login(sb):
    source = (
        "def waiting(box):\n"
        "    try:\n"
        "        yield 1\n"
        "    finally:\n"
        '        print("left over from", box[1])\n'
        "\n"
        + sb.source_of(
            """
            box = [None, event.user.email]
            pending = waiting(box)
            next(pending)
            box[0] = pending
            """
        )
    )
    action = compile_action(source, sb.PATH)
    gc.disable()
    try:
        first = sb.execute(action)
        assert _idle(action) == 0
        other = dict(sb.EVENT, user=dict(sb.EVENT["user"], email="eve@evil.test"))
        runs = []
        for _ in range(3):
            gc.collect()  # the first login's generator is finalized between later runs
            runs.append(sb.execute(action, event=other))
        gc.collect()  # the last one's too, while its warning is expected
    finally:
        gc.enable()
    assert sb.logs(first) == []
    assert all(sb.logs(run) == [] for run in runs)


def test_a_failed_run_drops_its_kit(sb):
    action = sb.compile('raise ValueError("no")')
    sb.failed(sb.execute(action), "exception")
    assert _idle(action) == 0


def test_classes_of_one_run_are_not_the_next_runs(sb):
    source = "class Box:\n    pass\n" + sb.source_of(
        "b = Box()\nb.value = 1\nBox.count = 2\nprint(b.value, Box.count)"
    )
    action = compile_action(source, sb.PATH)
    for _ in range(3):
        assert sb.logs(sb.succeeded(sb.execute(action))) == ["1 2"]


def test_threads_running_one_action_each_get_their_own_kit(sb):
    action = sb.compile(
        "total = 0\nfor i in range(2000):\n    total += 1\nprint(event.user.email, total)"
    )
    results: list[list[str]] = []
    patient = SandboxLimits(timeout_ms=60_000)  # four threads share one interpreter lock

    def worker() -> None:
        for _ in range(20):
            results.append(sb.logs(sb.succeeded(sb.execute(action, limits=patient))))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [["ada@acme.test 2000"]] * 80


def test_a_run_records_nothing_of_the_previous_run(sb):
    action = sb.compile(
        """
        if event.user.email == "ada@acme.test":
            api.user.set_app_metadata("seen", event.user.email)
            api.id_token.set_custom_claim("tier", "gold")
            api.multifactor.enable("any")
        """
    )
    first = sb.succeeded(sb.execute(action))
    other = dict(sb.EVENT, user=dict(sb.EVENT["user"], email="eve@evil.test"))
    second = sb.succeeded(sb.execute(action, event=other))
    assert len(action.kits._idle) == 1
    assert (second.directives, second.app_metadata, second.id_token_claims) == ((), {}, {})
    assert first.app_metadata == {"seen": "ada@acme.test"}
    assert first.id_token_claims == {"tier": "gold"}
    assert [type(d).__name__ for d in first.directives] == ["Require"]


def test_threads_sharing_kits_each_get_their_own_login_recorded(sb):
    action = sb.compile(
        'api.user.set_app_metadata("who", event.user.email)\napi.multifactor.enable("any")'
    )
    patient = SandboxLimits(timeout_ms=60_000)
    mismatches: list[tuple[str, object]] = []

    def worker(email: str) -> None:
        event = dict(sb.EVENT, user=dict(sb.EVENT["user"], email=email))
        for _ in range(200):
            run = sb.succeeded(sb.execute(action, event=event, limits=patient))
            if run.app_metadata != {"who": email} or len(run.directives) != 1:
                mismatches.append((email, run))

    threads = [threading.Thread(target=worker, args=(f"u{i}@acme.test",)) for i in range(4)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch inside runs, not only between them
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert mismatches == []
