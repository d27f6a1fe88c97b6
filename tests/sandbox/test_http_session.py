"""The host's side of fetch without a network: what a session checks, counts and records, and
how recorded exchanges and fixtures answer (no test here opens a socket)."""

from __future__ import annotations

import json

import pytest

from contextmfa.errors import InputError
from contextmfa.sandbox.egress import EgressPolicy
from contextmfa.sandbox.http_exchange import HttpAnswer, HttpRequest, Scrubber
from contextmfa.sandbox.http_modes import HttpCalls, load_fixture
from contextmfa.sandbox.http_session import HttpLimits, HttpSession, RecordedAnswerer

URL = "https://risk.example/score?ip=203.0.113.9"


class Canned:
    """An answerer that returns one body and counts its calls."""

    def __init__(self, body: bytes = b'{"score": 5}') -> None:
        self.body, self.calls = body, 0

    def answer(self, request, target, entry, timeout_s):
        self.calls += 1
        self.timeout_s = timeout_s
        return HttpAnswer(200, (("content-type", "application/json"),), self.body)


def session(answerer, **limits) -> HttpSession:
    settings = HttpLimits(egress=("https://risk.example",), **limits)
    return HttpSession(answerer, EgressPolicy(settings.egress), settings, frozenset({"risk"}))


def request(**changes) -> HttpRequest:
    fields = {"action": "risk", "method": "GET", "url": URL, **changes}
    return HttpRequest(**fields)


@pytest.mark.parametrize(
    ("changes", "failure", "words"),
    [
        ({"action": "other"}, "forbidden", "unknown Action"),
        ({"method": "TRACE"}, "forbidden", "method 'TRACE'"),
        ({"url": "https://evil.example/"}, "forbidden", "not in [sandbox] egress"),
        ({"headers": (("Host", "x"),)}, "forbidden", "set by the host"),
        ({"headers": (("Transfer-Encoding", "chunked"),)}, "forbidden", "set by the host"),
        ({"headers": (("X Y", "v"),)}, "forbidden", "not a token"),
        ({"headers": (("X-A", "a\nb"),)}, "forbidden", "control characters"),
        ({"headers": (("X-A", "v" * 5000),)}, "limit", "longer than 4096"),
        ({"headers": tuple((f"X-{i}", "v") for i in range(40))}, "limit", "more than 32"),
        ({"body": b"x" * 70_000}, "limit", "request body larger than 65536"),
    ],
)
def test_the_session_refuses_before_anything_answers(changes, failure, words):
    canned = Canned()
    answer = session(canned).call(request(**changes))
    assert answer.failure == failure and words in answer.message, answer
    assert canned.calls == 0


def test_calls_per_run_are_counted_and_the_overflow_is_recorded_once():
    canned = Canned()
    live = session(canned, max_calls=2)
    answers = [live.call(request()) for _ in range(6)]
    assert [a.failure for a in answers] == [None, None, "limit", "limit", "limit", "limit"]
    assert canned.calls == 2 and len(live.exchanges) == 3


def test_the_timeout_is_the_default_capped_and_never_past_the_action():
    canned = Canned()
    live = session(canned, timeout_ms=700, max_timeout_ms=1500)
    live.call(request())
    assert canned.timeout_s == 0.7
    live.call(request(timeout_ms=9000))
    assert canned.timeout_s == 1.5
    live.call(request(timeout_ms=9000, budget_ms=120))
    assert canned.timeout_s == 0.12


def test_a_long_body_is_recorded_cut_short_and_a_replay_will_not_answer_with_it():
    live = session(Canned(b"x" * 100), record_body_bytes=10)
    live.call(request())
    [record] = live.exchanges
    assert record["body"] == "x" * 10 and record["body_truncated"] is True
    replay = session(RecordedAnswerer(live.exchanges, lambda _: Scrubber()))
    answer = replay.call(request())
    assert answer.failure == "unrecorded" and "cut short" in answer.message


def test_recorded_exchanges_answer_once_each_by_method_url_and_body():
    live = session(Canned(b'{"score": 1}'))
    live.call(request(method="POST", body=b'{"a":1}'))
    replay = session(RecordedAnswerer(live.exchanges, lambda _: Scrubber()))
    assert replay.call(request(method="POST", body=b'{"a":2}')).failure == "unrecorded"
    assert replay.call(request(method="POST", body=b'{"a":1}')).body == b'{"score": 1}'
    assert replay.call(request(method="POST", body=b'{"a":1}')).failure == "unrecorded"


def test_a_fixture_answers_by_method_url_and_optional_json(tmp_path):
    path = tmp_path / "fixture.json"
    path.write_text(
        json.dumps(
            {
                "exchanges": [
                    {"method": "post", "url": URL, "request_json": {"a": 1}, "json": {"s": 1}},
                    {"method": "POST", "url": URL, "json": {"s": 2}, "headers": {"X-Gone": "1"}},
                    {"url": URL, "error": "timeout"},
                ]
            }
        )
    )
    calls = HttpCalls(
        HttpLimits(egress=("https://risk.example",)),
        lambda _: {},
        frozenset({"risk"}),
        fixture=load_fixture(path),
    )
    fixture = calls.session()
    assert fixture.call(request(method="POST", body=b'{"a": 1}')).body == b'{"s": 1}'
    other = fixture.call(request(method="POST", body=b'{"a": 2}'))
    assert other.body == b'{"s": 2}' and dict(other.headers) == {"content-type": "application/json"}
    assert fixture.call(request()).failure == "timeout"
    missing = fixture.call(request(url="https://risk.example/other"))
    assert missing.failure == "network" and "no answer for GET" in missing.message


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("[]", 'expected {"exchanges": [...]}'),
        ('{"exchanges": [{"url": "ftp://x/"}]}', "exchanges[0]: error: url: scheme 'ftp'"),
        ('{"exchanges": [{"url": "https://x/", "status": 99}]}', "status must be"),
        ('{"exchanges": [{"url": "https://x/", "error": "dns"}]}', "'network' or 'timeout'"),
        ('{"exchanges": [\n{"url": }]}', ":2: error: invalid JSON"),
    ],
)
def test_a_bad_fixture_is_a_located_input_error(tmp_path, content, words):
    path = tmp_path / "fixture.json"
    path.write_text(content)
    with pytest.raises(InputError, match=None) as caught:
        load_fixture(path)
    assert words in str(caught.value) and str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("content_type", "body", "text"),
    [
        ("text/plain; charset=iso-8859-1", "café".encode("latin-1"), "café"),
        ('text/plain; charset="UTF-8"', "café".encode(), "café"),
        ("text/plain; charset=no-such-charset", "café".encode(), "café"),
        ("application/json", b"\xff{}", "\ufffd{}"),
    ],
)
def test_a_response_decodes_by_its_charset(content_type, body, text):
    from contextmfa.sandbox.fetch import Response
    from contextmfa.sandbox.limits import Meter, SandboxLimits

    answer = HttpAnswer(200, (("content-type", content_type),), body)
    assert Response(answer, Meter(SandboxLimits(), "/a.py")).text == text
