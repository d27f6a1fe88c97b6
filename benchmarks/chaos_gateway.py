"""A loopback SMS gateway for the chaos run: the tenant's delivery webhook points here.

It keeps the last text sent to each number (so the driver can read a code, as a phone would) and
can hold the answer for one number for a while: a worker that sends to it is then inside its MFA
step, waiting, which is where the run kills it ("mid-challenge", "mid-enroll").
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["Gateway"]


class Gateway:
    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._holds: dict[str, float] = {}
        self._arrived: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                message = json.loads(self.rfile.read(length) or b"{}")
                gateway._received(message)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/sms"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def hold(self, number: str, seconds: float) -> threading.Event:
        """Hold the next answer to ``number``; the event is set when its request arrives."""
        with self._lock:
            self._holds[number] = seconds
            event = self._arrived[number] = threading.Event()
        return event

    def _received(self, message: dict[str, str]) -> None:
        number = message.get("to", "")
        with self._lock:
            self._texts[number] = message.get("body", "")
            hold = self._holds.pop(number, 0.0)
            event = self._arrived.pop(number, None)
        if event is not None:
            event.set()
        if hold:
            time.sleep(hold)

    def code(self, number: str) -> str | None:
        with self._lock:
            found = re.search(r"\b(\d{6})\b", self._texts.get(number, ""))
        return found.group(1) if found else None

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
