"""How long a client may take to send a request: its headers, then its body, each within the
read timeout (``contextmfa serve --read-timeout``, :data:`READ_TIMEOUT_SECONDS` by default).

A client that sends a byte now and then would otherwise hold a connection, a file descriptor and
a buffer for as long as it likes; a few hundred of them keep everyone else out.

* Headers: uvicorn bounds only the idle time between two requests on a kept-alive connection
  (``timeout_keep_alive``), not the time a request's headers take. :class:`HeaderDeadlineProtocol`
  (uvicorn's httptools protocol, which ``serve`` hands to uvicorn) starts a timer when a
  connection opens and when a request's first byte arrives, and stops it when the headers are
  complete; when it fires, the client gets a 408 (if no response is under way) and the
  connection is closed.
* Body: :class:`contextmfa.service.logs.AccessLog` reads every body whole before a route runs;
  it answers 408 and closes the connection when the body is not complete within the timeout
  of its headers.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = [
    "ENV_READ_TIMEOUT",
    "READ_TIMEOUT_SECONDS",
    "HeaderDeadlineProtocol",
    "read_timeout_from_environment",
]

READ_TIMEOUT_SECONDS = 10.0
ENV_READ_TIMEOUT = "CONTEXTMFA_SERVE_READ_TIMEOUT"
"""Set by ``serve`` for its workers' protocols and apps: the read timeout in seconds."""


def read_timeout_from_environment() -> float:
    text = os.environ.get(ENV_READ_TIMEOUT, "")
    try:
        seconds = float(text)
    except ValueError:
        return READ_TIMEOUT_SECONDS
    return seconds if 0 < seconds <= 3600 else READ_TIMEOUT_SECONDS


def _timeout_response(seconds: float) -> bytes:
    body = json.dumps(
        {
            "error": "invalid_request",
            "error_description": f"the request headers did not arrive within {seconds:g} s",
        },
        separators=(",", ":"),
    ).encode()
    head = (
        "HTTP/1.1 408 Request Timeout\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline on reading each request's headers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_seconds = read_timeout_from_environment()
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        self._arm()  # a request on a kept-alive connection: its own deadline
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:
            self.transport.write(_timeout_response(self.header_seconds))
        self.transport.close()
