"""Slow clients against a real ``contextmfa serve --read-timeout 1.5`` on loopback: headers or a
body sent one byte a second, or stalled, get a 408 and the connection closed within the timeout
(plus scheduling slack), however many such connections there are; others are served. Every loop
is bounded by :data:`PATIENCE` seconds, far past the timeout.

A byte that reaches the server after it closed the connection is answered with a reset, which
may drop the 408 before the client reads it: the trickling tests require the close and that any
answer read is a 408; the stalled ones, which send nothing more, read the 408 itself."""

from __future__ import annotations

import contextlib
import json
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from service_helpers import SECRET_KEY, bearer, login_event, write_tenant
from service_process import Server, serving

TIMEOUT = 1.5
PATIENCE = 15
"""The longest a slow client waits for the server, in seconds (and bytes sent)."""
SLACK = 3.0
"""Added to the timeout for a loaded machine: the timer, the event loop, one more byte."""
BODY_HEAD = (
    b"POST /v1/logins HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: 100000\r\n\r\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[Server, str]]:
    directory: Path = tmp_path_factory.mktemp("slow")
    files = write_tenant(directory, "acme")
    env = {"CONTEXTMFA_SECRET_KEY": SECRET_KEY, **files.env}
    args = ["--config", str(files.path), "--read-timeout", str(TIMEOUT)]
    with serving(args, env, directory) as running:
        yield running, files.api_key


def _connect(server: Server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=PATIENCE)
    sock.setblocking(False)
    return sock


def _drain(sock: socket.socket) -> bytes:
    """What a readable socket holds; b"" at its end (or at a reset, see the module docstring)."""
    try:
        return sock.recv(65536)
    except ConnectionResetError:
        return b""


def _read_to_close(sock: socket.socket) -> bytes:
    """What the server sent until it closed the connection (bounded by PATIENCE)."""
    data, deadline = b"", time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if select.select([sock], [], [], 1)[0]:
            chunk = _drain(sock)
            if not chunk:
                return data
            data += chunk
    raise AssertionError(f"the server kept the connection open; sent so far: {data!r}")


def _trickle(sock: socket.socket, head: bytes, byte: bytes) -> tuple[bytes, int, float]:
    """Send ``head`` at once, then one ``byte`` a second until the server answers; returns the
    answer (read to the close), the bytes trickled and the seconds since ``head`` went out."""
    sock.sendall(head)
    started = time.monotonic()
    for sent in range(PATIENCE):
        if select.select([sock], [], [], 1)[0]:
            return _read_to_close(sock), sent, time.monotonic() - started
        sock.send(byte)
    raise AssertionError(f"no answer after {PATIENCE} bytes sent one a second")


def _assert_408(answer: bytes, what: str) -> None:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 "), answer
    assert b"connection: close" in head.lower()
    assert json.loads(body) == {
        "error": "invalid_request",
        "error_description": f"the request {what} did not arrive within {TIMEOUT:g} s",
    }


def test_a_body_sent_one_byte_a_second_is_cut_off(server):
    running, _ = server
    with _connect(running) as sock:
        answer, sent, seconds = _trickle(sock, BODY_HEAD, b" ")
    assert seconds < TIMEOUT + SLACK and sent < 100_000
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408 "), answer


def test_headers_sent_one_byte_a_second_are_cut_off(server):
    running, _ = server
    with _connect(running) as sock:
        answer, _, seconds = _trickle(sock, b"GET /healthz HTTP/1.1\r\nX-Slow: ", b"a")
    assert seconds < TIMEOUT + SLACK
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408 "), answer


def test_stalled_requests_get_408_and_are_closed(server):
    running, _ = server
    stalled = {  # what each client sends, then nothing more: the part the 408 names
        b"": "headers",
        b"GET /healthz HTTP/1.1\r\nHost: 127": "headers",
        BODY_HEAD + b"{": "body",
    }
    started = time.monotonic()
    sockets = {_connect(running): (sent, what) for sent, what in stalled.items()}
    try:
        for sock, (sent, _) in sockets.items():
            sock.sendall(sent)
        for sock, (_, what) in sockets.items():
            _assert_408(_read_to_close(sock), what)
    finally:
        for sock in sockets:
            sock.close()
    assert time.monotonic() - started < TIMEOUT + SLACK


def test_two_hundred_slow_bodies_are_all_cut_off_and_others_are_served(server):
    running, api_key = server
    slow = [_connect(running) for _ in range(200)]
    try:
        for sock in slow:
            sock.sendall(BODY_HEAD + b"{")
        served = running.client.post("/v1/logins", json=login_event(), headers=bearer(api_key))
        assert served.status_code == 200, served.text
        started, open_ = time.monotonic(), set(slow)
        answers: dict[socket.socket, bytes] = {sock: b"" for sock in slow}
        next_byte = started + 1
        while open_ and time.monotonic() < started + PATIENCE:
            for sock in select.select(list(open_), [], [], 0.2)[0]:
                chunk = _drain(sock)
                answers[sock] += chunk
                if not chunk:
                    open_.discard(sock)
            if time.monotonic() >= next_byte:  # one byte a second on each open connection
                next_byte += 1
                for sock in open_:
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        sock.send(b" ")  # a closed one: select reads its end
        assert not open_, f"{len(open_)} of 200 slow connections still open after {PATIENCE} s"
        assert time.monotonic() - started < TIMEOUT + SLACK
        assert all(a.startswith(b"HTTP/1.1 408 ") for a in answers.values() if a)
    finally:
        for sock in slow:
            sock.close()


def test_a_kept_alive_connection_idle_longer_than_the_timeout_is_served_again(server):
    """The header deadline starts at a request's first byte; idling between requests is bounded
    by uvicorn's keep-alive timeout (5 s) instead."""
    running, _ = server
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with _connect(running) as sock:
        for pause in (TIMEOUT + 0.5, 0):
            sock.sendall(request)
            answer = b""
            while not answer.endswith(b'{"status":"ok"}'):
                assert select.select([sock], [], [], PATIENCE)[0], f"no answer: {answer!r}"
                chunk = _drain(sock)
                assert chunk, f"closed after {answer!r}"
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200 "), answer
            time.sleep(pause)
