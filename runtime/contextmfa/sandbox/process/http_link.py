"""``fetch`` across the process boundary: the worker asks, the parent calls out.

A worker never has the network (its seccomp filter and Landlock rules are unchanged): each
``fetch`` becomes one frame to the parent and one answer back, as ``api.cache`` does. The parent
trusts nothing in the request: it is parsed field by field, and the login's
:class:`~contextmfa.sandbox.http_session.HttpSession` checks the Action, the call count, the
headers, sizes and the egress policy exactly as it does inline, records the exchange itself,
and never lets the call outlive the parent's own wait for the worker.
"""

from __future__ import annotations

import dataclasses
import json
import socket
from collections.abc import Callable
from time import monotonic

from contextmfa.sandbox.fetch import NO_PORT, HttpPort
from contextmfa.sandbox.http_exchange import HttpAnswer, HttpRequest, failed
from contextmfa.sandbox.process.frames import FrameReader, send_frame

HTTP_REQUEST, HTTP_REPLY = b"H", b"h"


class ProxyHttp:
    """The worker's port: every call is a round trip to the parent."""

    def __init__(self, sock: socket.socket, reader: FrameReader, tag: Callable[[], bytes]):
        self._sock = sock
        self._reader = reader
        self._tag = tag

    def call(self, request: HttpRequest) -> HttpAnswer:
        tag = self._tag()
        payload = json.dumps(request.to_json()).encode("utf-8")
        send_frame(self._sock, HTTP_REQUEST + tag + payload)
        reply = self._reader.read()
        if reply[:1] != HTTP_REPLY or reply[1:5] != tag:
            return failed("network", "the host did not answer")
        return HttpAnswer.from_json(json.loads(reply[5:]))


def serve_request(payload: bytes, port: HttpPort | None, deadline: float) -> bytes:
    """The parent's answer (JSON) to one ``fetch`` from a worker; ``deadline`` is the
    monotonic time the parent stops waiting for the worker."""
    try:
        request = HttpRequest.from_json(json.loads(payload))
    except (ValueError, TypeError, RecursionError):
        return json.dumps(failed("forbidden", "malformed request").to_json()).encode("utf-8")
    if port is None:
        answer = failed("network", NO_PORT)
    else:
        left_ms = max(1, int((deadline - monotonic()) * 1000))
        budget = left_ms if request.budget_ms is None else min(request.budget_ms, left_ms)
        answer = port.call(dataclasses.replace(request, budget_ms=budget))
    return json.dumps(answer.to_json()).encode("utf-8")
