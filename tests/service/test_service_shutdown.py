"""SIGTERM drains: a real ``contextmfa serve`` finishes the request in flight, refuses new
connections meanwhile, and exits 0.

The request is held in flight by its body: the client sends the headers with
``Expect: 100-continue`` and waits for the server's ``100 Continue``, which uvicorn sends only
once the application reads the body, so the request is provably inside the service when the
signal is sent; the body follows once the port refuses new connections.
"""

from __future__ import annotations

import json
import signal
import socket
import time

from service_helpers import SECRET_KEY, login_event, write_tenant
from service_process import Server


def _read_until(sock: socket.socket, marker: bytes) -> bytes:
    seen = b""
    while marker not in seen:
        chunk = sock.recv(65536)
        if not chunk:
            break
        seen += chunk
    return seen


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def _hold(server: Server, api_key: str, body: bytes) -> socket.socket:
    """A login whose headers are in and whose body the service waits for."""
    held = socket.create_connection(("127.0.0.1", server.port), timeout=20)
    held.sendall(
        b"POST /v1/logins HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + f"Authorization: Bearer {api_key}\r\n".encode()
        + b"Content-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n".encode()
        + b"Expect: 100-continue\r\n\r\n"
    )
    assert _read_until(held, b"\r\n\r\n").startswith(b"HTTP/1.1 100 Continue")
    return held


def test_sigterm_finishes_the_request_in_flight_refuses_new_ones_and_exits_0(tmp_path):
    files = write_tenant(tmp_path, "acme", store="sqlite:///acme.db")
    env = {"CONTEXTMFA_SECRET_KEY": SECRET_KEY, **files.env}
    server = Server(["--config", str(files.path)], env, tmp_path)
    try:
        server.wait_ready()
        body = json.dumps(login_event("auth0|draining")).encode()
        held = _hold(server, files.api_key, body)

        server.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while not _refused(server.port):
            assert time.monotonic() < deadline, "the port still accepts after SIGTERM"
            time.sleep(0.05)
        assert server.process.poll() is None  # still draining the held request

        held.sendall(body)
        answer = _read_until(held, b"never: the server closes the connection once answered")
        held.close()
        status, _, rest = answer.partition(b"\r\n")
        assert status == b"HTTP/1.1 200 OK", answer
        assert "mfa_token" in json.loads(rest.partition(b"\r\n\r\n")[2])
        assert server.process.wait(timeout=15) == 0
        assert "Traceback" not in server.logs()
    finally:
        server.stop()


def test_the_drain_is_bounded_by_the_shutdown_timeout(tmp_path):
    files = write_tenant(tmp_path, "acme", store="sqlite:///acme.db")
    env = {"CONTEXTMFA_SECRET_KEY": SECRET_KEY, **files.env}
    args = ["--config", str(files.path), "--shutdown-timeout", "0.2", "--read-timeout", "60"]
    server = Server(args, env, tmp_path)
    try:
        server.wait_ready()
        held = _hold(server, files.api_key, b"{}")  # its body never comes
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=15) == 0  # well before the 60 s read timeout
        held.close()
        assert "timeout graceful shutdown exceeded" in server.logs()
    finally:
        server.stop()
