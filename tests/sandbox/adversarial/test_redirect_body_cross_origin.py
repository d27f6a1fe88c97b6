"""A 307/308 redirect re-sends the request body. To another listed origin that would hand it
a credential the first one was sent in a POST body (``{"license": ...}``): the call fails as
a network error instead, and the second origin hears nothing. Loopback only."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from local_servers import serve_http

from contextmfa.sandbox import egress
from contextmfa.sandbox.http_client import call_live
from contextmfa.sandbox.http_exchange import HttpAnswer, HttpRequest

SECRET_BODY = b'{"license": "sk-live-7f3b2a91c4d5e6f7"}'
Handler = Callable[[BaseHTTPRequestHandler, bytes], None]


class _Servers:
    def __init__(self) -> None:
        self.running = ExitStack()

    def start(self, handle: Handler) -> str:
        class _H(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("content-length", 0))
                handle(self, self.rfile.read(length))

            do_GET = do_POST = do_PUT = _any

        server = self.running.enter_context(serve_http(_H))
        return f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def servers() -> Iterator[_Servers]:
    started = _Servers()
    with started.running:
        yield started


def _collector(seen: list[tuple[str, bytes]]) -> Handler:
    def handle(h: BaseHTTPRequestHandler, body: bytes) -> None:
        seen.append((h.command, body))
        h.send_response(200)
        h.send_header("content-length", "2")
        h.end_headers()
        h.wfile.write(b"ok")

    return handle


def _redirecting(status: int, to: Callable[[], str]) -> Handler:
    def handle(h: BaseHTTPRequestHandler, body: bytes) -> None:
        if h.path.startswith("/final"):
            return _collector([])(h, body)
        h.send_response(status)
        h.send_header("location", to())
        h.send_header("content-length", "0")
        h.end_headers()

    return handle


def _call(
    url: str, listed: list[str], method: str = "POST", body: bytes = SECRET_BODY
) -> HttpAnswer:
    policy = egress.EgressPolicy(listed)
    target, entry = policy.target(url)
    headers = (("authorization", "Bearer sk-live-1234567890"), ("content-type", "application/json"))
    request = HttpRequest(action="a", method=method, url=url, headers=headers, body=body)
    return call_live(request, target, entry, policy, 2.0, 1000)


@pytest.mark.parametrize("status", [307, 308])
def test_a_cross_origin_307_or_308_with_a_body_is_not_followed(servers, status):
    seen: list[tuple[str, bytes]] = []
    second = servers.start(_collector(seen))
    first = servers.start(_redirecting(status, lambda: f"{second}/collect"))
    answer = _call(f"{first}/score", [first, second])
    assert answer.failure == "network"
    assert f"{status} redirect" in answer.message and "another origin" in answer.message
    assert "sk-live" not in answer.message
    assert seen == [], "the second origin heard from the first one's call"


@pytest.mark.parametrize(
    ("status", "method", "body", "arrives"),
    [
        (307, "GET", b"", ("GET", b"")),  # nothing to re-send
        (303, "POST", SECRET_BODY, ("GET", b"")),  # becomes a GET without the body
        (302, "POST", SECRET_BODY, ("GET", b"")),
    ],
)
def test_cross_origin_redirects_without_a_body_are_still_followed(
    servers, status, method, body, arrives
):
    seen: list[tuple[str, bytes]] = []
    second = servers.start(_collector(seen))
    first = servers.start(_redirecting(status, lambda: f"{second}/collect"))
    answer = _call(f"{first}/score", [first, second], method, body)
    assert answer.failure is None and answer.status == 200
    assert seen == [arrives]


def test_a_same_origin_307_still_re_sends_its_body(servers):
    base: list[str] = []
    seen: list[tuple[str, bytes]] = []
    collect = _collector(seen)

    def handle(h: BaseHTTPRequestHandler, body: bytes) -> None:
        if h.path == "/score":
            return _redirecting(307, lambda: f"{base[0]}/final-score")(h, body)
        collect(h, body)

    base.append(servers.start(handle))
    answer = _call(f"{base[0]}/score", [base[0]])
    assert answer.status == 200
    assert seen == [("POST", SECRET_BODY)]
