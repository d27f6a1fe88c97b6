"""Duo Universal Prompt through duo_universal, against a local stand-in for Duo over real TLS.

The stand-in checks what Duo checks (HS512 client assertions with the right audience, the
authorization code, the redirect URI) and answers as Duo does (an HS512 ID token with the
username, nonce and auth_result). The test plays the browser and the prompt in between.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from local_servers import self_signed_cert

from contextmfa.factors import (
    AccessDenied,
    Answer,
    DuoSettings,
    EnrollRequest,
    FactorUnavailable,
    InvalidGrant,
    InvalidRequest,
    build_factors,
)

# Duo issues 40-character client secrets; PyJWT warns that this is short for HS512.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

CLIENT_ID = "DIXXXXXXXXXXXXXXXXXX"
CLIENT_SECRET = "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef"
REDIRECT = "https://acme.test/duo/callback"


class DuoStandIn(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, cert, key) -> None:
        super().__init__(("127.0.0.1", 0), _DuoHandler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.socket = context.wrap_socket(self.socket, server_side=True)
        self.host = f"localhost:{self.server_address[1]}"
        self.healthy = True
        self.codes: dict[str, dict[str, str]] = {}
        self.requests: list[str] = []

    def prompt(self, redirect_url: str, result: str = "allow") -> dict[str, str]:
        """What Duo's prompt does: read the signed request, then redirect back with a code."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(redirect_url).query).items()}
        request = jwt.decode(
            query["request"], CLIENT_SECRET, algorithms=["HS512"], audience=f"https://{self.host}"
        )
        assert request["client_id"] == CLIENT_ID and request["redirect_uri"] == REDIRECT
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
        if grant is None or fields.get("redirect_uri") != REDIRECT:
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


@pytest.fixture(scope="module")
def duo(tmp_path_factory):
    cert, key = self_signed_cert(tmp_path_factory.mktemp("duo-tls"))
    server = DuoStandIn(cert, key)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    server.cert = cert
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def duo_factor(services, duo):
    duo.healthy = True
    settings = DuoSettings(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        api_host=duo.host,
        redirect_uri=REDIRECT,
        ca_certs=str(duo.cert),
    )
    configured = dataclasses.replace(services.settings, duo=settings)
    return build_factors(dataclasses.replace(services, settings=configured))["duo"]


def test_health_check(duo_factor, clock) -> None:
    assert duo_factor.health_check(now=clock.now).timestamp > 0


def test_unhealthy_duo_is_unavailable_not_a_pass(duo_factor, duo, subject, clock) -> None:
    duo.healthy = False
    with pytest.raises(FactorUnavailable) as refused:
        duo_factor.challenge(subject, now=clock.now)
    assert refused.value.code == "mfa_factor_unavailable" and refused.value.status == 503


def test_untrusted_certificate_is_unavailable(services, duo, subject, clock) -> None:
    settings = DuoSettings(CLIENT_ID, CLIENT_SECRET, duo.host, REDIRECT)  # Duo's pinned CAs
    configured = dataclasses.replace(services.settings, duo=settings)
    factor = build_factors(dataclasses.replace(services, settings=configured))["duo"]
    with pytest.raises(FactorUnavailable):
        factor.health_check(now=clock.now)


def test_unconfigured(factors, subject, clock) -> None:
    with pytest.raises(FactorUnavailable, match="not configured"):
        factors["duo"].challenge(subject, now=clock.now)
    with pytest.raises(InvalidRequest):
        factors["duo"].enroll(subject, EnrollRequest(), now=clock.now)


def test_redirect_and_code_exchange(duo_factor, duo, subject, clock) -> None:
    issued = duo_factor.challenge(subject, now=clock.now)
    assert issued.challenge_type == "redirect"
    assert issued.redirect_url.startswith(f"https://{duo.host}/oauth/v1/authorize?")
    back = duo.prompt(issued.redirect_url)
    assert back["state"] == issued.oob_code
    answer = Answer(oob_code=back["state"], binding_code=back["duo_code"])
    assert duo_factor.verify(subject, answer, now=clock.now).factor == "duo"
    with pytest.raises(InvalidGrant, match="already used"):
        duo_factor.verify(subject, answer, now=clock.now)


def test_denied_by_duo(duo_factor, duo, subject, clock) -> None:
    issued = duo_factor.challenge(subject, now=clock.now)
    back = duo.prompt(issued.redirect_url, result="deny")
    with pytest.raises(AccessDenied):
        duo_factor.verify(
            subject, Answer(oob_code=back["state"], binding_code=back["duo_code"]), now=clock.now
        )


def test_forged_code_or_state(duo_factor, duo, subject, clock) -> None:
    issued = duo_factor.challenge(subject, now=clock.now)
    with pytest.raises(InvalidGrant, match="did not accept"):
        duo_factor.verify(
            subject, Answer(oob_code=issued.oob_code, binding_code="forged"), now=clock.now
        )
    other = duo_factor.challenge(subject, now=clock.now)
    back = duo.prompt(other.redirect_url)
    with pytest.raises(InvalidGrant, match="unknown"):
        duo_factor.verify(
            subject, Answer(oob_code="not-a-state", binding_code=back["duo_code"]), now=clock.now
        )


def test_code_for_another_user_is_refused(duo_factor, duo, subject, clock) -> None:
    issued = duo_factor.challenge(subject, now=clock.now)
    back = duo.prompt(issued.redirect_url)
    duo.codes[back["duo_code"]]["username"] = "mallory"
    with pytest.raises(InvalidGrant):
        duo_factor.verify(
            subject, Answer(oob_code=back["state"], binding_code=back["duo_code"]), now=clock.now
        )
