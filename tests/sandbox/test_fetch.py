"""``fetch`` end to end against a loopback stand-in, inline and under process isolation alike:
allowed calls, refusals (host, scheme, redirect, names resolving to private addresses), bounds
(timeout, size, count) and what is recorded (never a secret)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from http_stand_in import serve_stand_in

from contextmfa.directives import Deny, Require
from contextmfa.flow import InlineFlow
from contextmfa.sandbox import InMemoryActionCache, SandboxLimits, compile_action
from contextmfa.sandbox import egress as egress_module
from contextmfa.sandbox.http_modes import HttpCalls
from contextmfa.sandbox.http_session import HttpLimits
from contextmfa.sandbox.process import ProcessFlow

NOW = datetime(2026, 3, 14, 9, 26, 53, tzinfo=UTC)

SECRET = "sk-live-7f3b2a91c4d5e6f7"
ACTION = """
def on_execute_post_login(event, api):
    case = event.user.app_metadata.get("case")
    base = event.user.app_metadata.get("base")
    if case == "score":
        r = fetch(base + "/score?score=" + event.user.app_metadata.get("score"))
        print(r.status, r.ok, r.headers.get("Content-Type"), "x-internal-token" in r.headers)
        if r.json()["score"] > 50:
            api.access.deny("risky")
        else:
            api.multifactor.enable("any")
    elif case == "caught":
        try:
            fetch(base + "/slow?s=1", timeout_ms=100)
        except FetchError as exc:
            print("unreachable:", exc)
            api.multifactor.enable("any")
    elif case == "secret":
        r = fetch(
            base + "/echo?api_key=" + event.secrets.KEY,
            method="POST",
            headers={
                "Authorization": "Bearer " + event.secrets.KEY,
                "X-Api-Key": event.secrets.KEY,
            },
            json={"license": event.secrets.KEY, "ip": event.request.ip},
        )
        print(r.json()["headers"]["authorization"] == "Bearer " + event.secrets.KEY)
        api.multifactor.enable("any")
    elif case == "many":
        for _ in range(10):
            fetch(base + "/score?score=1")
        api.multifactor.enable("none")
    else:
        fetch(event.user.app_metadata.get("url"))
        api.multifactor.enable("none")
"""
ACTION_LIMITS = SandboxLimits(timeout_ms=3000)
URL_LINE = ACTION.splitlines().index('        fetch(event.user.app_metadata.get("url"))') + 1


@pytest.fixture(scope="module")
def stand_in():
    with serve_stand_in() as server:
        yield server


@pytest.fixture(scope="module")
def action():
    return compile_action(ACTION, "/tenant/actions/risk.py")


@pytest.fixture(scope="module")
def calls(stand_in):
    limits = HttpLimits(
        egress=(
            f"http://127.0.0.1:{stand_in.port}",
            f"http://risk.example:{stand_in.port}",
            "https://secure.example/api",
        ),
        timeout_ms=1000,
        max_response_bytes=1_048_576,
    )
    return HttpCalls(limits, lambda _: {"KEY": SECRET}, frozenset({"risk"}), "live")


@pytest.fixture(scope="module", params=["inline", "process"])
def flow(request, action):
    options = {
        "secrets_for": lambda _: {"KEY": SECRET},
        "cache": InMemoryActionCache(),
        "limits": ACTION_LIMITS,
        "on_error": "deny",
    }
    if request.param == "inline":
        yield InlineFlow([action], **options)
        return
    flow = ProcessFlow([action], **options)
    yield flow
    flow.close()


def login(flow, calls, stand_in, sb, **metadata):
    event = sb.event_copy()
    event["user"]["app_metadata"] = {"base": stand_in.base, **metadata}
    session = calls.session()
    outcome = flow.run(event, now=NOW, tenant_id="acme", http=session)
    return outcome, session.exchanges


def test_an_allowed_call_answers_and_decides(flow, calls, stand_in, sb):
    outcome, exchanges = login(flow, calls, stand_in, sb, case="score", score="80")
    assert outcome.errors == []
    assert outcome.directives == [Deny("risky", "action:risk")]
    assert [log["line"] for log in outcome.logs] == ["200 True application/json False"]
    [record] = exchanges
    assert record["method"] == "GET" and record["status"] == 200
    assert record["url"] == f"{stand_in.base}/score?score=80"
    assert json.loads(record["body"])["score"] == 80
    assert record["headers"]["content-type"] == "application/json"
    assert "x-internal-token" not in record["headers"]
    low, _ = login(flow, calls, stand_in, sb, case="score", score="20")
    assert low.directives == [Require(None, False, "action:risk")]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://evil.example/x", "not in [sandbox] egress"),
        ("ftp://127.0.0.1/x", "scheme 'ftp' is not allowed"),
        ("http://secure.example/api/score", "not in [sandbox] egress"),
        ("https://secure.example/apiary", "not in [sandbox] egress"),
    ],
)
def test_a_url_outside_the_list_is_a_forbidden_error(flow, calls, stand_in, sb, url, message):
    outcome, exchanges = login(flow, calls, stand_in, sb, case="url", url=url)
    [error] = outcome.errors
    assert error["kind"] == "forbidden" and message in error["message"], error
    assert error["line"] == URL_LINE
    assert outcome.directives == [Deny("action_error", "on_error:risk")]
    assert exchanges[0]["error"] == "forbidden"


def test_a_redirect_out_of_the_list_is_refused(flow, calls, stand_in, sb):
    to = "http://169.254.169.254/latest/meta-data/"
    outcome, _ = login(
        flow, calls, stand_in, sb, case="url", url=f"{stand_in.base}/redirect?to={to}"
    )
    [error] = outcome.errors
    assert (
        error["kind"] == "forbidden" and "redirected to a URL outside the list" in error["message"]
    )


def test_a_redirect_inside_the_list_is_followed(flow, calls, stand_in, sb):
    outcome, exchanges = login(
        flow, calls, stand_in, sb, case="url", url=f"{stand_in.base}/redirect?to=/score"
    )
    assert outcome.errors == [] and exchanges[0]["status"] == 200


def test_redirects_are_followed_three_times_at_most(flow, calls, stand_in, sb):
    before = len(stand_in.requests)
    outcome, _ = login(flow, calls, stand_in, sb, case="url", url=f"{stand_in.base}/loop")
    [error] = outcome.errors
    assert error["kind"] == "exception" and "more than 3 redirects" in error["message"]
    assert len(stand_in.requests) - before == 4


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.0.0.7", "169.254.169.254", "::1", "::ffff:127.0.0.1"]
)
def test_a_name_resolving_to_a_private_address_is_refused(
    flow, calls, stand_in, sb, monkeypatch, address
):
    seen = len(stand_in.requests)
    monkeypatch.setattr(egress_module, "resolve", lambda host, port: [address])
    url = f"http://risk.example:{stand_in.port}/score"
    outcome, _ = login(flow, calls, stand_in, sb, case="url", url=url)
    [error] = outcome.errors
    assert error["kind"] == "forbidden", error
    assert f"risk.example is {address}" in error["message"] or "embeds" in error["message"]
    assert len(stand_in.requests) == seen


def test_a_slow_server_times_out_and_the_login_follows_on_error(flow, calls, stand_in, sb):
    outcome, exchanges = login(
        flow, calls, stand_in, sb, case="url", url=f"{stand_in.base}/slow?s=3"
    )
    [error] = outcome.errors
    assert error["kind"] == "exception" and "timed out after 1000 ms" in error["message"]
    assert outcome.directives == [Deny("action_error", "on_error:risk")]
    assert exchanges[0]["error"] == "timeout"


def test_an_action_may_catch_a_failed_call(flow, calls, stand_in, sb):
    outcome, _ = login(flow, calls, stand_in, sb, case="caught")
    assert outcome.errors == []
    assert outcome.directives == [Require(None, False, "action:risk")]
    assert "timed out after 100 ms" in outcome.logs[0]["line"]


def test_a_huge_response_is_a_limit(flow, calls, stand_in, sb):
    outcome, _ = login(flow, calls, stand_in, sb, case="url", url=f"{stand_in.base}/huge?mb=4")
    [error] = outcome.errors
    assert error["kind"] == "limit" and "larger than 1048576 bytes" in error["message"]


def test_too_many_calls_is_a_limit(flow, calls, stand_in, sb):
    outcome, exchanges = login(flow, calls, stand_in, sb, case="many")
    [error] = outcome.errors
    assert error["kind"] == "limit" and "more than 5 calls" in error["message"]
    assert len(exchanges) == 6 and exchanges[-1]["error"] == "limit"


def test_a_secret_reaches_the_service_but_never_the_record(flow, calls, stand_in, sb):
    outcome, exchanges = login(flow, calls, stand_in, sb, case="secret")
    assert outcome.errors == [] and [log["line"] for log in outcome.logs] == ["True"]
    sent = stand_in.requests[-1]
    assert sent.headers["authorization"] == f"Bearer {SECRET}"
    assert SECRET in sent.body.decode()
    [record] = exchanges
    assert record["request_headers"] == {
        "authorization": "[REDACTED]",
        "x-api-key": "[REDACTED]",
        "content-type": "application/json",
    }
    assert record["url"].endswith("/echo?api_key=[REDACTED]")
    assert len(record["body_sha256"]) == 64
    assert SECRET not in json.dumps([exchanges, outcome.logs, outcome.errors])


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("import requests\n", "call services with the fetch(url, ...) helper"),
        ("from urllib.request import urlopen\n", "call services with the fetch(url, ...) helper"),
        ("def f():\n    return axios.get('https://x')\n", "write fetch(url, method=..."),
        ("def f():\n    return fecth('https://x')\n", "did you mean 'fetch'?"),
    ],
)
def test_ways_out_that_do_not_exist_point_to_fetch(source, words):
    from contextmfa.errors import CompileError

    with pytest.raises(CompileError) as caught:
        compile_action(source + "def on_execute_post_login(event, api):\n    pass\n", "/t/a.py")
    assert words in str(caught.value)
