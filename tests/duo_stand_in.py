"""A local stand-in for Duo over real TLS, shared by the factor and the hosted-page tests.

It checks what Duo checks (HS512 client assertions with the right audience, the authorization
code, the redirect URI) and answers as Duo does (an HS512 ID token with the username, nonce and
auth_result). The Universal Prompt itself is played either by the test (:meth:`DuoStandIn.prompt`:
read the signed request, hand back ``duo_code`` and ``state``) or, for a browser,
``GET /oauth/v1/authorize`` answers a 302 to the redirect URI with them, the result being
:attr:`DuoStandIn.browser_result`. The certificate is its own CA: duo_universal trusts it only
when given it as ``duo_certs`` (``DuoSettings.ca_certs``).
"""

from __future__ import annotations

import json
import secrets
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from local_servers import running, self_signed_cert

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "DuoStandIn", "serve_duo_stand_in"]

CLIENT_ID = "DIXXXXXXXXXXXXXXXXXX"
CLIENT_SECRET = "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef"
"""Duo issues 40-character client secrets; PyJWT warns that this is short for HS512."""


class DuoStandIn(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, cert: Path, key: Path, redirect_uri: str) -> None:
        super().__init__(("127.0.0.1", 0), _DuoHandler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.socket = context.wrap_socket(self.socket, server_side=True)
        self.cert = cert
        self.host = f"localhost:{self.server_address[1]}"
        self.redirect_uri = redirect_uri
        self.healthy = True
        self.browser_result = "allow"
        self.codes: dict[str, dict[str, str]] = {}
        self.requests: list[str] = []

    def prompt(self, redirect_url: str, result: str = "allow") -> dict[str, str]:
        """What Duo's prompt does: read the signed request, then redirect back with a code."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(redirect_url).query).items()}
        request = jwt.decode(
            query["request"], CLIENT_SECRET, algorithms=["HS512"], audience=f"https://{self.host}"
        )
        assert request["client_id"] == CLIENT_ID and request["redirect_uri"] == self.redirect_uri
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "username": request["duo_uname"],
            "nonce": query.get("nonce", ""),
            "result": result,
        }
        return {"duo_code": code, "state": request["state"]}


class _DuoHandler(BaseHTTPRequestHandler):
    server: DuoStandIn

    def log_message(self, *args) -> None:
        return

    def _assertion_ok(self, fields: dict[str, str], endpoint: str) -> bool:
        try:
            jwt.decode(
                fields["client_assertion"],
                CLIENT_SECRET,
                algorithms=["HS512"],
                audience=f"https://{self.server.host}{endpoint}",
                issuer=CLIENT_ID,
            )
        except (KeyError, jwt.InvalidTokenError):
            return False
        return fields.get("client_id") == CLIENT_ID

    def _reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        """The prompt in a browser: approve (or deny) at once and send the browser back."""
        url = urlsplit(self.path)
        self.server.requests.append(url.path)
        if url.path != "/oauth/v1/authorize":
            return self._reply(404, {"stat": "FAIL"})
        try:
            back = self.server.prompt(self.path, self.server.browser_result)
        except (KeyError, AssertionError, jwt.InvalidTokenError):
            return self._reply(400, {"error": "invalid_request"})
        self.send_response(302)
        self.send_header("Location", f"{self.server.redirect_uri}?{urlencode(back)}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        fields = {k: v[0] for k, v in parse_qs(body or url.query).items()}
        self.server.requests.append(url.path)
        if not self._assertion_ok(fields, url.path):
            return self._reply(401, {"stat": "FAIL", "code": 40101})
        if url.path == "/oauth/v1/health_check":
            if not self.server.healthy:
                return self._reply(200, {"stat": "FAIL", "code": 50301})
            return self._reply(200, {"stat": "OK", "response": {"timestamp": int(time.time())}})
        if url.path == "/oauth/v1/token":
            return self._token(fields)
        return self._reply(404, {"stat": "FAIL"})

    def _token(self, fields: dict[str, str]) -> None:
        grant = self.server.codes.pop(fields.get("code", ""), None)
        if grant is None or fields.get("redirect_uri") != self.server.redirect_uri:
            return self._reply(400, {"error": "invalid_grant", "error_description": "bad code"})
        now = int(time.time())
        claims = {
            "iss": f"https://{self.server.host}/oauth/v1/token",
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "preferred_username": grant["username"],
            "nonce": grant["nonce"],
            "auth_result": {"result": grant["result"], "status": grant["result"]},
        }
        token = jwt.encode(claims, CLIENT_SECRET, algorithm="HS512")
        return self._reply(200, {"id_token": token, "access_token": "x", "token_type": "Bearer"})


@contextmanager
def serve_duo_stand_in(directory: Path, redirect_uri: str) -> Iterator[DuoStandIn]:
    """A running stand-in with a fresh certificate in ``directory``; stopped on exit."""
    cert, key = self_signed_cert(directory)
    server = DuoStandIn(cert, key, redirect_uri)
    with running(server, poll=0.05):
        yield server
