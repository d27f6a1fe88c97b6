"""Loopback stand-ins for the risk services the ported Auth0 rules call (actions/auth0/).

A :class:`StandIn` is an HTTP server on 127.0.0.1, on a free port, served from a thread. It keeps
every request it received (:class:`Seen`: method, path, query, headers, body) so a test can check
the request's shape, and asks a service object for the answer. Each service object speaks its
vendor's documented request and response shape and checks the credentials the way the vendor
does: a wrong key gets the vendor's refusal, never a score. Tests steer the answer through the
service's fields (``service.risk_score = 35.2``) and the stand-in's (``stand_in.status = 503``
answers every request with that status, ``stand_in.delay = 0.5`` answers late).

Only 127.0.0.1 is ever bound; nothing here resolves a name or opens an outbound connection.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from local_servers import serve_http

__all__ = [
    "IncogniaApi",
    "MinFraudLegacy",
    "MinFraudScore",
    "Reply",
    "SecZettaApi",
    "Seen",
    "SignalsApi",
    "SignifydApi",
    "StandIn",
    "basic",
    "running",
]


@dataclass(frozen=True)
class Seen:
    """One request as the stand-in received it; header names lower-cased."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any = b""
    """bytes as sent, str as UTF-8 text, anything else as JSON."""
    content_type: str = "application/json"

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")


Service = Callable[[Seen], Reply]


def basic(user: str, password: str) -> str:
    """The ``Authorization`` value of HTTP Basic for ``user``/``password``."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


class StandIn:
    """An HTTP server on 127.0.0.1:<free port> answering with ``service``; start() / stop()."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.seen: list[Seen] = []
        self.status: int | None = None
        """When set, every request is answered with this status and an error body."""
        self.delay = 0.0
        """Seconds to wait before answering: a slow service."""
        self._serving = ExitStack()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> StandIn:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                seen = Seen(
                    method=self.command,
                    path=parts.path,
                    query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                    headers={name.lower(): value for name, value in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                stand_in.seen.append(seen)
                if stand_in.delay:
                    time.sleep(stand_in.delay)
                if stand_in.status is not None:
                    reply = Reply(stand_in.status, {"error": "stand-in failure"})
                else:
                    reply = stand_in.service(seen)
                body = reply.encoded()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (a timeout under test): nothing to answer

            do_GET = do_POST = _answer

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the tests read ``seen``, not stderr."""

        self.port = self._serving.enter_context(serve_http(Handler)).server_port
        return self

    def stop(self) -> None:
        self._serving.close()

    def reset(self) -> None:
        """Forget the requests seen and serve normally again."""
        self.seen.clear()
        self.status = None
        self.delay = 0.0


@contextmanager
def running(service: Service) -> Iterator[StandIn]:
    stand_in = StandIn(service).start()
    try:
        yield stand_in
    finally:
        stand_in.stop()


def _not_found(seen: Seen) -> Reply:
    return Reply(404, {"error": f"no route for {seen.method} {seen.path}"})


@dataclass
class MinFraudLegacy:
    """MaxMind minFraud legacy (``POST /app/ccv2r``): a form body with ``i`` and
    ``license_key``; the answer is ``key=value;...`` text whose ``riskScore`` is a percentage
    (0.01 to 100) and whose ``err`` names a refusal (still with status 200, as the service did)."""

    license_key: str
    risk_score: str = "0.10"

    def __call__(self, seen: Seen) -> Reply:
        if (seen.method, seen.path) != ("POST", "/app/ccv2r"):
            return _not_found(seen)
        form = seen.form()
        if form.get("license_key") != self.license_key:
            return Reply(200, "err=INVALID_LICENSE_KEY", "text/plain")
        if not form.get("i"):
            return Reply(200, "err=IP_REQUIRED", "text/plain")
        fields = {
            "distance": "0",
            "countryMatch": "",
            "countryCode": "NL",
            "ip_isp": "KPN B.V.",
            "riskScore": self.risk_score,
            "queriesRemaining": "999",
            "err": "",
        }
        text = ";".join(f"{key}={value}" for key, value in fields.items() if value is not None)
        return Reply(200, text, "text/plain")


@dataclass
class MinFraudScore:
    """MaxMind minFraud Score v2.0 (``POST /minfraud/v2.0/score``): HTTP Basic with the account
    id and license key, a JSON body with ``device.ip_address``; answers ``risk_score`` (0.01 to
    99) and ``ip_address.risk``, or 401 ``AUTHORIZATION_INVALID`` / 400 ``IP_ADDRESS_REQUIRED``."""

    account_id: str
    license_key: str
    risk_score: float = 0.49

    def __call__(self, seen: Seen) -> Reply:
        if (seen.method, seen.path) != ("POST", "/minfraud/v2.0/score"):
            return _not_found(seen)
        if seen.headers.get("authorization") != basic(self.account_id, self.license_key):
            return Reply(401, {"code": "AUTHORIZATION_INVALID", "error": "Invalid credentials"})
        device = (seen.json() or {}).get("device") or {}
        if not device.get("ip_address"):
            return Reply(400, {"code": "IP_ADDRESS_REQUIRED", "error": "ip_address missing"})
        return Reply(
            200,
            {
                "id": "5bc5d6c2-b2c8-40af-87f4-6d61af86b6ae",
                "risk_score": self.risk_score,
                "funds_remaining": 10.0,
                "queries_remaining": 1000,
                "ip_address": {"risk": min(self.risk_score * 2, 99)},
                "disposition": {"action": "accept", "reason": "default"},
            },
        )


@dataclass
class SignalsApi:
    """Auth0 Signals: ``GET /badip/{ip}`` answers 200 ``{"type": "badip", "response": [lists]}``
    for a listed address and 404 for an unlisted one; ``GET /geoip/{ip}`` answers the address's
    country, continent and network (``ip.as``). The key rides in ``X-Auth-Token``; a wrong one
    gets 401 (no key at all is the documented anonymous plan)."""

    api_key: str
    blacklists: dict[str, list[str]] = field(default_factory=dict)
    geo: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __call__(self, seen: Seen) -> Reply:
        token = seen.headers.get("x-auth-token")
        if token is not None and token != self.api_key:
            return Reply(401, {"error": "Unauthorized", "message": "invalid token"})
        kind, _, address = seen.path.strip("/").partition("/")
        if seen.method != "GET" or not address:
            return _not_found(seen)
        if kind == "badip":
            if address in self.blacklists:
                return Reply(200, {"type": "badip", "response": self.blacklists[address]})
            return Reply(404, {"type": "badip", "response": []})
        if kind == "geoip":
            found = self.geo.get(address, {})
            return Reply(200, {"type": "geoip", "ip": {"address": address, **found}})
        return _not_found(seen)


@dataclass
class SecZettaApi:
    """SecZetta: ``POST /api/advanced_search/run`` (an ``advanced_search`` body) answers
    ``{"profiles": [{"id"}]}``; ``GET /api/risk_scores?object_id=`` answers
    ``{"risk_scores": [{"overall_score"}]}``. Authorization is ``Token token=<key>``."""

    api_key: str
    profiles: dict[str, str] = field(default_factory=dict)
    """The user's uid (the value the search matches) -> profile id."""
    scores: dict[str, float] = field(default_factory=dict)
    """Profile id -> overall score; a profile without one gets an empty list."""

    def __call__(self, seen: Seen) -> Reply:
        if seen.headers.get("authorization") != f"Token token={self.api_key}":
            return Reply(401, {"error": "You need to sign in or sign up before continuing."})
        if (seen.method, seen.path) == ("POST", "/api/advanced_search/run"):
            rules = seen.json()["advanced_search"]["condition_rules_attributes"]
            uid = next(r["value"] for r in rules if r["type"] == "ProfileAttributeRule")
            found = [{"id": self.profiles[uid], "name": uid}] if uid in self.profiles else []
            return Reply(200, {"profiles": found, "meta": {"count": len(found)}})
        if (seen.method, seen.path) == ("GET", "/api/risk_scores"):
            object_id = seen.query.get("object_id", "")
            found = []
            if object_id in self.scores:
                found = [{"object_id": object_id, "overall_score": self.scores[object_id]}]
            return Reply(200, {"risk_scores": found})
        return _not_found(seen)


@dataclass
class IncogniaApi:
    """Incognia: ``POST /api/v1/token`` (HTTP Basic with the client id and secret,
    ``grant_type=client_credentials``) answers a bearer token; ``POST
    /api/v2/authentication/transactions`` with it and ``{"type": "login", "installation_id",
    "account_id"}`` answers ``risk_assessment`` (low_risk, high_risk or unknown_risk)."""

    client_id: str
    client_secret: str
    assessment: str = "low_risk"
    token: str = "incognia-access-token-3f9a"

    def __call__(self, seen: Seen) -> Reply:
        if (seen.method, seen.path) == ("POST", "/api/v1/token"):
            if seen.headers.get("authorization") != basic(self.client_id, self.client_secret):
                return Reply(401, {"error": "invalid_client"})
            if seen.form().get("grant_type") != "client_credentials":
                return Reply(400, {"error": "unsupported_grant_type"})
            return Reply(
                200, {"access_token": self.token, "expires_in": "1200", "token_type": "Bearer"}
            )
        if (seen.method, seen.path) == ("POST", "/api/v2/authentication/transactions"):
            if seen.headers.get("authorization") != f"Bearer {self.token}":
                return Reply(401, {"error": "invalid_token"})
            body = seen.json() or {}
            if body.get("type") != "login" or not body.get("installation_id"):
                return Reply(400, {"error": "installation_id and type login are required"})
            return Reply(
                200,
                {
                    "id": "0d9c3b3e-7b0e-4e58-9d53-2b0b8f0d5a11",
                    "risk_assessment": self.assessment,
                    "evidence": {"device_model": "Pixel 8", "known_account": True},
                },
            )
        return _not_found(seen)


@dataclass
class SignifydApi:
    """Signifyd v2: ``GET /v2/cases/{caseId}`` with HTTP Basic (the API key as user name, no
    password) answers the case: ``status``, ``score`` (0 to 1000, lower is riskier),
    ``guaranteeEligible``; an unknown case is 404."""

    api_key: str
    cases: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __call__(self, seen: Seen) -> Reply:
        if seen.headers.get("authorization") != basic(self.api_key, ""):
            return Reply(401, {"code": 401, "message": "Unauthorized"})
        prefix = "/v2/cases/"
        if seen.method != "GET" or not seen.path.startswith(prefix):
            return _not_found(seen)
        case_id = seen.path[len(prefix) :]
        if case_id not in self.cases:
            return Reply(404, {"code": 404, "message": "Case not found"})
        return Reply(200, {"caseId": int(case_id), "uuid": "97c56c86", **self.cases[case_id]})
