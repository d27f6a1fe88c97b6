"""A service that echoes a secret back must not carry it into the ``http`` record (decisions,
``logins export``, replay files): in a recorded response header (a 201's Location), in a body
that is not UTF-8 (kept as ``body_base64``), JSON-escaped (``\\/``), or after the request sent
it form-encoded (``data={...}``: ``/`` travels as ``%2F``). Loopback only."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

import pytest
from local_servers import serve_http

from contextmfa.flow import InlineFlow
from contextmfa.sandbox import InMemoryActionCache, SandboxLimits, compile_action
from contextmfa.sandbox.http_exchange import answer_from_record
from contextmfa.sandbox.http_modes import HttpCalls
from contextmfa.sandbox.http_session import HttpLimits

SECRET = "sk-live/7f3b+2a91=c4d5e6f7"
NOW = datetime(2026, 3, 14, 9, 26, 53, tzinfo=UTC)


class _Echo(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:  # echoes the form field back, as a validation error would
        length = int(self.headers.get("content-length", 0))
        key = parse_qs(self.rfile.read(length).decode()).get("license", [""])[0]
        self._send(400, json.dumps({"error": "unknown license " + key}).encode(), {})

    def do_GET(self) -> None:
        url = urlparse(self.path)
        key = url.query.partition("api_key=")[2]  # as sent
        if url.path == "/loc":
            self._send(201, b"{}", {"Location": f"/v2/session?api_key={key}&page=2"})
        elif url.path == "/loc-echo":  # the service percent-encodes it into a path
            self._send(201, b"{}", {"Location": f"/v2/session/{quote(key, safe='')}"})
        elif url.path == "/bin":
            self._send(200, b"\xff\xfe" + key.encode() + b"\x80", {})
        else:  # JSON as many services write it: '/' escaped
            escaped = key.replace("/", "\\/")
            self._send(200, b'{"echo": "' + escaped.encode() + b'"}', {})

    def _send(self, status: int, body: bytes, extra: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


MODES = ["location query", "location path", "binary body", "JSON-escaped body", "form echo"]
ACTION = """
def on_execute_post_login(event, api):
    base = event.user.app_metadata.get("base")
    for mode in ("/loc", "/loc-echo", "/bin", "/json"):
        fetch(base + mode + "?api_key=" + event.secrets.KEY)
    fetch(base + "/form", method="POST", data={"license": event.secrets.KEY})
    api.multifactor.enable("any")
"""


@pytest.fixture(scope="module")
def echo_base() -> Iterator[str]:
    with serve_http(_Echo) as server:
        yield f"http://127.0.0.1:{server.server_port}"


def _exchanges(sb: Any, base: str, source: str) -> list[dict[str, Any]]:
    calls = HttpCalls(
        HttpLimits(egress=(base,)), lambda _: {"KEY": SECRET}, frozenset({"risk"}), "live"
    )
    flow = InlineFlow(
        [compile_action(source, "/t/actions/risk.py")],
        secrets_for=lambda _: {"KEY": SECRET},
        cache=InMemoryActionCache(),
        limits=SandboxLimits(timeout_ms=3000),
        on_error="deny",
    )
    event = sb.event_copy()
    event["user"]["app_metadata"] = {"base": base}
    session = calls.session()
    outcome = flow.run(event, now=NOW, tenant_id="acme", http=session)
    assert outcome.errors == []
    return list(session.exchanges)


@pytest.mark.parametrize("mode", MODES)
def test_a_secret_echoed_back_stays_out_of_the_record(sb, echo_base, mode):
    records = dict(zip(MODES, _exchanges(sb, echo_base, ACTION), strict=True))
    record = records[mode]
    text = json.dumps(record)
    spellings = {SECRET, SECRET.replace("/", "\\\\/"), "sk-live", "7f3b"}
    assert not [s for s in spellings if s in text], text
    decoded = base64.b64decode(record["body_base64"]) if "body_base64" in record else b""
    assert b"7f3b" not in decoded
    # What a replay reads back is the scrubbed answer, and still the same shape.
    replayed = answer_from_record(record)
    assert replayed.status == record["status"]
    if mode == "binary body":
        assert decoded.startswith(b"\xff\xfe") and decoded.endswith(b"\x80")
        assert b"[REDACTED]" in decoded
    if mode == "location query":
        assert record["headers"]["location"] == "/v2/session?api_key=[REDACTED]&page=2"
