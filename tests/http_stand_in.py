"""A loopback HTTP server for ``fetch`` tests: a risk-score endpoint and misbehaving ones.

It listens on 127.0.0.1 only, on a free port, and keeps every request it received (method,
path, headers, body), so a test can show a request never reached it. Paths:

- ``/score``: ``{"score": N}`` (N from ``?score=``, default 10), echoing the path;
- ``/slow``: answers after ``?s=`` seconds (default 2);
- ``/huge``: ``?mb=`` megabytes of ``x`` (default 4);
- ``/bomb``: a gzip body that unpacks to 64 MB of zeros;
- ``/redirect``: 302 to ``?to=``;
- ``/loop``: 307 to itself, for ever;
- ``/slowloris``: a status line, then one header byte every 50 ms for ever;
- ``/big-headers``: a 64 KB header;
- ``/echo``: the request's method, headers and body as JSON.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from local_servers import serve_http

_BOMB = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class StandIn:
    port: int
    requests: list[Seen] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.server.stand_in.requests.append(Seen(self.command, self.path, headers, body))
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        route = getattr(self, "_" + url.path.strip("/").replace("-", "_"), None)
        if route is None:
            self._send(404, b"not found", "text/plain")
            return
        route(query, headers, body)

    do_GET = do_POST = do_PUT = do_DELETE = _handle

    def _send(self, status: int, body: bytes, kind: str, extra: dict[str, str] | None = None):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Internal-Token", "server-side-value")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, data: Any, status: int = 200) -> None:
        self._send(status, json.dumps(data).encode(), "application/json")

    def _score(self, query: dict[str, str], headers: dict[str, str], body: bytes) -> None:
        self._json({"score": float(query.get("score", "10")), "path": self.path})

    def _echo(self, query: dict[str, str], headers: dict[str, str], body: bytes) -> None:
        self._json(
            {"method": self.command, "headers": headers, "body": body.decode("utf-8", "replace")}
        )

    def _slow(self, query: dict[str, str], headers: dict[str, str], body: bytes) -> None:
        time.sleep(float(query.get("s", "2")))
        self._json({"score": 1})

    def _huge(self, query: dict[str, str], headers: dict[str, str], body: bytes) -> None:
        self._send(200, b"x" * int(float(query.get("mb", "4")) * 1024 * 1024), "text/plain")

    def _bomb(self, query: dict[str, str], headers: dict[str, str], body: bytes) -> None:
        self._send(200, _BOMB, "application/json", {"Content-Encoding": "gzip"})

    def _redirect(self, query: dict[str, str], headers: dict[str, str], body: bytes) -> None:
        self._send(302, b"", "text/plain", {"Location": query.get("to", "/score")})

    def _loop(self, query: dict[str, str], headers: dict[str, str], body: bytes) -> None:
        self._send(307, b"", "text/plain", {"Location": "/loop"})

    def _big_headers(self, query: dict[str, str], headers: dict[str, str], body: bytes) -> None:
        self._send(200, b"{}", "application/json", {"X-Big": "a" * 65_536})

    def _slowloris(self, query: dict[str, str], headers: dict[str, str], body: bytes) -> None:
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Drip: ")
            self.wfile.flush()
            for _ in range(200):
                time.sleep(0.05)
                self.wfile.write(b"a")
                self.wfile.flush()
        except OSError:
            pass
        self.close_connection = True


@contextmanager
def serve_stand_in() -> Iterator[StandIn]:
    with serve_http(_Handler) as server:
        stand_in = StandIn(server.server_port)
        server.stand_in = stand_in  # type: ignore[attr-defined]
        yield stand_in
