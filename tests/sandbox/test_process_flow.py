"""``ProcessFlow`` mechanics: confinement of the workers, the cache across the boundary, worker
replacement, the fork server's own recovery, concurrency, shutdown, and the wire formats read
as untrusted input."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from datetime import UTC, datetime

import pytest

from contextmfa.directives import Deny, Require, Step
from contextmfa.flow import InlineFlow
from contextmfa.sandbox import ActionRun, InMemoryActionCache, SandboxLimits, compile_action
from contextmfa.sandbox.process import ProcessFlow, codec, run_action_isolated
from contextmfa.sandbox.process.board import Board, create_board_fd
from contextmfa.sandbox.process.cache_link import serve_request
from contextmfa.sandbox.process.flow import _ended
from contextmfa.sandbox.runner import ActionError

COUNTER = """
def on_execute_post_login(event, api):
    if event.user.app_metadata.get("stall"):
        x = 10 ** (10 ** 7)
    seen = int(api.cache.get("seen") or "0") + 1
    api.cache.set("seen", str(seen))
    print("seen", seen)
    api.multifactor.enable("any")
"""
LIMITS = SandboxLimits(timeout_ms=300, max_string=10**8)


@pytest.fixture(scope="module")
def cache():
    return InMemoryActionCache()


@pytest.fixture(scope="module")
def flow(cache):
    action = compile_action(COUNTER, "/tenant/actions/counter.py")
    flow = ProcessFlow(
        [action], secrets_for=lambda _: {}, cache=cache, limits=LIMITS, on_error="deny", workers=2
    )
    yield flow
    flow.close()


def _event(sb, **metadata):
    event = sb.event_copy()
    event["user"]["app_metadata"].update(metadata)
    return event


def _workers(flow):
    return sorted(w.pid for w in flow._pool._all)


def _proc(pid, name):
    with open(f"/proc/{pid}/{name}", encoding="utf-8", errors="replace") as file:
        return file.read()


def _descriptors(pid):
    """What a worker holds open, once it has shed what it inherited (it does so first thing)."""
    deadline = time.monotonic() + 5
    while True:
        targets = sorted(
            os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")
        )
        if len(targets) <= 5 or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    return sorted(
        "board" if "contextmfa-board" in t else "socket" if t.startswith("socket:") else t
        for t in targets
    )


def test_workers_are_confined(flow):
    for pid in _workers(flow):
        limits = _proc(pid, "limits")
        assert "Max processes             0" in limits
        assert "Max file size             0" in limits
        assert "Max core file size        0" in limits
        assert "Max address space         unlimited" not in limits
        assert "Max cpu time              unlimited" not in limits
        assert _descriptors(pid) == ["/dev/null"] * 3 + ["board", "socket"]
        assert _proc(pid, "environ").strip("\0").split("\0") == ["LC_ALL=C.UTF-8"]


def test_the_fork_server_is_a_fresh_interpreter_without_the_parent_environment(flow):
    os.environ["CONTEXTMFA_TEST_CANARY"] = "canary-7731"
    try:
        pid = flow._pool.server._process.pid
        assert "canary-7731" not in _proc(pid, "environ")
        assert "-I" in _proc(pid, "cmdline").split("\0")
    finally:
        del os.environ["CONTEXTMFA_TEST_CANARY"]


def test_the_cache_lives_in_the_parent_and_is_per_tenant(sb, flow, cache):
    first = flow.run(_event(sb), now=sb.NOW, tenant_id="tenant-a")
    second = flow.run(_event(sb), now=sb.NOW, tenant_id="tenant-a")
    other = flow.run(_event(sb), now=sb.NOW, tenant_id="tenant-b")
    assert [log["line"] for log in first.logs + second.logs + other.logs] == [
        "seen 1",
        "seen 2",
        "seen 1",
    ]
    assert cache.get("tenant-a", "counter", "seen", sb.NOW) == "2"


def test_a_stalled_worker_is_replaced_and_the_next_login_is_normal(sb, flow):
    before = _workers(flow)
    started = time.perf_counter()
    stalled = flow.run(_event(sb, stall=True), now=sb.NOW, tenant_id="acme")
    assert time.perf_counter() - started < 2
    assert stalled.errors[0]["kind"] == "timeout"
    assert stalled.directives == [Deny("action_error", "on_error:counter")]
    after = _workers(flow)
    assert len(after) == 2 and after != before
    fine = flow.run(_event(sb), now=sb.NOW, tenant_id="acme")
    assert fine.errors == [] and fine.directives == [Require(None, False, "action:counter")]
    assert _workers(flow) == after


def test_logins_run_concurrently_on_the_pool(sb, flow):
    outcomes = []

    def login():
        outcomes.append(flow.run(_event(sb), now=sb.NOW, tenant_id="concurrent"))

    threads = [threading.Thread(target=login) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 6 and all(o.errors == [] for o in outcomes)
    seen = sorted(int(o.logs[0]["line"].split()[1]) for o in outcomes)
    assert seen[0] == 1 and len(set(seen)) >= 2


def test_the_fork_server_is_restarted_when_it_dies(sb, flow):
    old = flow._pool.server._process
    os.kill(old.pid, signal.SIGKILL)
    old.wait()
    stalled = flow.run(_event(sb, stall=True), now=sb.NOW, tenant_id="acme")
    assert stalled.errors[0]["kind"] == "timeout"
    assert flow._pool.server._process.pid != old.pid
    fine = flow.run(_event(sb), now=sb.NOW, tenant_id="acme")
    assert fine.errors == []


def test_close_stops_the_fork_server_and_every_worker(sb):
    action = compile_action(COUNTER, "/tenant/actions/counter.py")
    flow = ProcessFlow(
        [action],
        secrets_for=lambda _: {},
        cache=InMemoryActionCache(),
        limits=LIMITS,
        on_error="deny",
    )
    pids = [*_workers(flow), flow._pool.server._process.pid]
    flow.close()
    flow.close()
    deadline = time.monotonic() + 5
    while any(os.path.exists(f"/proc/{pid}") and "Z" not in _state(pid) for pid in pids):
        assert time.monotonic() < deadline, "processes still running"
        time.sleep(0.02)


def _state(pid):
    try:
        return _proc(pid, "stat").split(") ")[1][0]
    except (OSError, IndexError):
        return "Z"


def test_a_flow_without_actions_starts_no_process(sb):
    flow = ProcessFlow(
        [], secrets_for=lambda _: {}, cache=InMemoryActionCache(), limits=LIMITS, on_error="deny"
    )
    assert flow.run(sb.EVENT, now=sb.NOW, tenant_id="acme").directives == []
    flow.close()


def test_run_action_isolated_returns_the_action_run(sb):
    action = sb.compile('print("hi", event.secrets.API_TOKEN)\napi.multifactor.enable("any")')
    run = run_action_isolated(
        action,
        sb.EVENT,
        secrets=sb.SECRETS,
        now=sb.NOW,
        cache=InMemoryActionCache(),
        tenant_id="acme",
        limits=SandboxLimits(),
    )
    assert isinstance(run, ActionRun) and run.error is None
    assert [log.line for log in run.logs] == ["hi [REDACTED]"]
    assert run.directives == (Require(None, False, "action:step_up"),)


def test_decisions_match_the_inline_flow(sb):
    bodies = {
        "steps": 'api.authentication.challenge_with("otp", additional_factors=["sms"])',
        "claims": 'api.id_token.set_custom_claim("plan", event.user.app_metadata.plan)',
        "fails": "x = 1 / 0",
        "denies": 'api.access.deny("nope")',
        "never": 'print("unreachable")',
    }
    actions = [sb.compile(body, f"/tenant/actions/{name}.py") for name, body in bodies.items()]
    options = dict(secrets_for=lambda _: {}, cache=InMemoryActionCache(), limits=SandboxLimits())
    inline = InlineFlow(actions, on_error="challenge", **options)
    isolated = ProcessFlow(actions, on_error="challenge", **options)
    try:
        expected = inline.run(sb.EVENT, now=sb.NOW, tenant_id="acme", steps_so_far=1)
        got = isolated.run(sb.EVENT, now=sb.NOW, tenant_id="acme", steps_so_far=1)
    finally:
        isolated.close()
    assert got == expected
    assert got.steps == 2 and got.stopped and got.errors[0]["action"] == "fails"


# -- the wire formats, read as untrusted input -------------------------------------------------


def _record(**changes):
    data = [[], [], None, {}, {}, {}, {}, {}, False, 3]
    for index, value in changes.items():
        data[int(index[1:])] = value
    return json.dumps(data).encode()


def test_codec_round_trips_a_run():
    run = ActionRun(
        action="a",
        directives=(Step("challenge", frozenset({"otp", "sms"}), "action:a"),),
        error=ActionError("a", "limit", "too big", 4),
        app_metadata={"x": [1, 2.5, None]},
        duration_us=12,
    )
    back = codec.decode(codec.encode(run), "a", 100, 256)
    assert back == run


@pytest.mark.parametrize("denied", [False, True])
def test_an_empty_run_is_the_record_json_would_give_and_reads_back(denied):
    run = ActionRun(action="a", denied=denied, duration_us=7)
    record = codec.encode(run)
    assert record == _record(i8=denied, i9=7).replace(b" ", b"")
    assert codec.decode(record, "a", 100, 256) == run


@pytest.mark.parametrize(
    "record",
    [
        b"[[],[],null,{},{},{},{},{},false,-1]",
        b"[[],[],null,{},{},{},{},{},false,1]x",
        b"[[],[],null,{},{},{},{},{},maybe,1]",
        b"not json",
        b"[]",
        _record(i0=[["step", "challenge", ["telepathy"]]]),
        _record(i0=[["step", "challenge", []]]),
        _record(i0=[["deny", "x" * 5000]]),
        _record(i0=[["allow"]]),
        _record(i0=[["require", None, "yes"]]),
        _record(i0=[["skip"]] * 100),
        _record(i1=["x" * 300]),
        _record(i1=["line"] * 102),  # 100 lines, and one saying how many were dropped, at most
        _record(i2=["crash", "m", 1]),
        _record(i2=["limit", "m", -1]),
        _record(i3=[1, 2]),
        _record(i8="yes"),
        _record(i9=-5),
        b'[[], [], null, {"x": NaN}, {}, {}, {}, {}, false, 1]',
        b'[[], [], null, {"x": Infinity}, {}, {}, {}, {}, false, 1]',
        json.dumps(
            [
                [],
                [],
                None,
                {
                    "x": [
                        [
                            [
                                [
                                    [
                                        [
                                            [
                                                [
                                                    [
                                                        [
                                                            [
                                                                [
                                                                    [
                                                                        [
                                                                            [
                                                                                [
                                                                                    [
                                                                                        [
                                                                                            [
                                                                                                [
                                                                                                    [
                                                                                                        [
                                                                                                            [
                                                                                                                [
                                                                                                                    [
                                                                                                                        [
                                                                                                                            [
                                                                                                                                [
                                                                                                                                    [
                                                                                                                                        [
                                                                                                                                            [
                                                                                                                                                [
                                                                                                                                                    [
                                                                                                                                                        [
                                                                                                                                                            [
                                                                                                                                                                [
                                                                                                                                                                    [
                                                                                                                                                                        [
                                                                                                                                                                            [
                                                                                                                                                                                [
                                                                                                                                                                                    [
                                                                                                                                                                                        [
                                                                                                                                                                                            [
                                                                                                                                                                                                1
                                                                                                                                                                                            ]
                                                                                                                                                                                        ]
                                                                                                                                                                                    ]
                                                                                                                                                                                ]
                                                                                                                                                                            ]
                                                                                                                                                                        ]
                                                                                                                                                                    ]
                                                                                                                                                                ]
                                                                                                                                                            ]
                                                                                                                                                        ]
                                                                                                                                                    ]
                                                                                                                                                ]
                                                                                                                                            ]
                                                                                                                                        ]
                                                                                                                                    ]
                                                                                                                                ]
                                                                                                                            ]
                                                                                                                        ]
                                                                                                                    ]
                                                                                                                ]
                                                                                                            ]
                                                                                                        ]
                                                                                                    ]
                                                                                                ]
                                                                                            ]
                                                                                        ]
                                                                                    ]
                                                                                ]
                                                                            ]
                                                                        ]
                                                                    ]
                                                                ]
                                                            ]
                                                        ]
                                                    ]
                                                ]
                                            ]
                                        ]
                                    ]
                                ]
                            ]
                        ]
                    ]
                },
                {},
                {},
                {},
                {},
                False,
                1,
            ]
        ).encode(),
    ],
)
def test_codec_rejects_what_a_misbehaving_worker_could_send(record):
    with pytest.raises((ValueError, RecursionError)):
        codec.decode(record, "a", 100, 256)


def test_codec_sets_the_source_itself():
    run = codec.decode(_record(i0=[["deny", "stop"]]), "mine", 100, 256)
    assert run.directives == (Deny("stop", "action:mine"),)


def test_board_refuses_lengths_beyond_its_size():
    fd = create_board_fd(4096)
    try:
        board = Board(fd, 4096)
        board.clear()
        assert board.append(b"hello") and board.records() == [b"hello"]
        assert not board.append(b"x" * 5000)
        board._map[4:12] = (1).to_bytes(4, "little") + (10_000).to_bytes(4, "little")
        with pytest.raises(ValueError):
            board.records()
        board.close()
    finally:
        os.close(fd)


@pytest.mark.parametrize(
    "request_",
    [
        ["get", "other-action", "k"],
        ["get", "counter", "k" * 65],
        ["set", "counter", "k", "v" * 5000, 60],
        ["set", "counter", "k", "v", 0],
        ["set", "counter", "k", "v", 10**9],
        ["drop_all", "counter"],
        "not a list",
    ],
)
def test_cache_requests_from_a_worker_are_checked_again(request_):
    cache = InMemoryActionCache()
    now = datetime(2026, 3, 14, tzinfo=UTC)
    answer = serve_request(
        json.dumps(request_).encode(), cache, "acme", frozenset({"counter"}), now
    )
    assert json.loads(answer) == {"error": "refused"}


def test_cache_requests_cannot_grow_the_cache_past_its_capacity():
    cache = InMemoryActionCache(capacity=20)
    now = datetime(2026, 3, 14, tzinfo=UTC)
    actions = frozenset({"counter"})
    for i in range(25):
        request = json.dumps(["set", "counter", f"k{i}", "v", 60]).encode()
        assert json.loads(serve_request(request, cache, "acme", actions, now)) == {"ok": None}
    assert cache.entry_count("acme", "counter", now) == 20
    request = json.dumps(["entry_count", "counter"]).encode()
    assert json.loads(serve_request(request, cache, "acme", actions, now)) == {"error": "refused"}


def test_a_worker_that_skips_actions_fails_the_next_one():
    flow = ProcessFlow.__new__(ProcessFlow)
    flow.actions = tuple(
        compile_action("def on_execute_post_login(event, api):\n    pass\n", f"/a/{name}.py")
        for name in ("one", "two")
    )
    flow._on_error = "deny"
    runs = flow._complete([ActionRun(action="one")])
    assert runs[1].error == ActionError(
        "two", "exception", "the worker process skipped this Action", None
    )


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (signal.SIGSEGV, "the worker process crashed (SIGSEGV)"),
        (signal.SIGXCPU, "CPU time limit exceeded (worker stopped)"),
        (3 << 8, "the worker process exited (status 3)"),
        (-1, "the worker process ended"),
    ],
)
def test_how_a_worker_ended_is_told_without_detail(status, message):
    assert _ended(status) == message


def test_a_forked_copy_of_a_flow_fails_closed_instead_of_sharing_workers(sb, flow):
    pid = os.fork()
    if pid == 0:
        outcome = flow.run(_event(sb), now=sb.NOW, tenant_id="acme")
        ok = outcome.errors[0]["message"] == "the sandbox belongs to another process"
        os._exit(
            0 if ok and outcome.directives == [Deny("action_error", "on_error:counter")] else 1
        )
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert flow.run(_event(sb), now=sb.NOW, tenant_id="acme").errors == []
