"""``POST /v1/logins`` is served in front of FastAPI's router (service/login_endpoint.py); every
answer, good or bad, is the one the declared FastAPI route gives for the same request.

Two services on two stores, built from the same configs and clock: one as served, one with the
fast path taken out of its middleware, so its requests reach the FastAPI route. Each request is
sent to both; the status, the body and the headers must agree (but for the request id, the mfa
token, the error reference and the timings, which differ by design).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import open_service
from fastapi.testclient import TestClient
from service_helpers import Clock, bearer, login_event

from contextmfa.service import create_app
from contextmfa.service.login_endpoint import LoginFastPath

RANDOM_HEADERS = {"x-request-id", "content-length"}


def _without_fast_path(app: Any) -> Any:
    app.user_middleware = [m for m in app.user_middleware if m.cls is not LoginFastPath]
    return app


@pytest.fixture
def both(tmp_path: Path) -> Iterator[tuple[TestClient, TestClient, dict[str, str]]]:
    fast_tenants, files = open_service(tmp_path / "fast")
    routed_tenants, routed_files = open_service(tmp_path / "routed")
    clock = Clock()
    fast = create_app(fast_tenants, clock=clock, owns_tenants=True)
    routed = _without_fast_path(create_app(routed_tenants, clock=clock, owns_tenants=True))
    with TestClient(fast) as a, TestClient(routed) as b:
        keys = {"fast": files["acme"].api_key, "routed": routed_files["acme"].api_key}
        yield a, b, keys


def _comparable(response: Any) -> tuple[int, Any, dict[str, str]]:
    headers = {k: v for k, v in response.headers.items() if k not in RANDOM_HEADERS}
    try:
        body = response.json()
    except ValueError:
        return response.status_code, response.text, headers
    if isinstance(body, dict):
        body.pop("mfa_token", None)
        body.pop("timing_us", None)
        description = body.get("error_description", "")
        if "reference" in description:
            body["error_description"] = description.split("reference")[0]
    return response.status_code, body, headers


def _send(client: TestClient, key: str, request: dict[str, Any]) -> Any:
    headers = dict(request.get("headers", {}))
    if request.get("auth", True):
        headers.setdefault("Authorization", f"Bearer {key}")
    listed = [(k, v.replace("{key}", key)) for k, v in headers.items()]
    listed += [(k, v.replace("{key}", key)) for k, v in request.get("repeated", [])]
    return client.post("/v1/logins", content=request["body"], headers=listed)


EVENT = json.dumps(login_event("auth0|alice")).encode()

REQUESTS = {
    "a login": {"body": EVENT},
    "no key": {"body": EVENT, "auth": False},
    "an unknown key": {"body": EVENT, "headers": {"Authorization": "Bearer nope"}},
    "another scheme": {"body": EVENT, "headers": {"Authorization": "Basic {key}"}},
    "the scheme in lower case": {"body": EVENT, "headers": {"Authorization": "bearer {key}"}},
    "the key alone": {"body": EVENT, "headers": {"Authorization": "{key}"}},
    "spaces around the key": {"body": EVENT, "headers": {"Authorization": "Bearer   {key}  "}},
    "a bearer with nothing": {"body": EVENT, "headers": {"Authorization": "Bearer "}},
    "no key and a bad body": {"body": b"{", "auth": False},
    "malformed JSON": {"body": b'{"id": '},
    "not UTF-8": {"body": b'{"id": "\xff"}'},
    "a JSON array": {"body": b"[]"},
    "an empty body": {"body": b""},
    "an invalid event": {"body": json.dumps({"id": "x"}).encode()},
    "an unknown field": {"body": json.dumps({**login_event(), "surprise": 1}).encode()},
    "a remember token too long": {"body": EVENT, "headers": {"X-Remember-Token": "r" * 257}},
    "a bad body and a long token": {"body": b"{", "headers": {"X-Remember-Token": "r" * 257}},
    "a remember token unknown": {"body": EVENT, "headers": {"X-Remember-Token": "r" * 40}},
    "two keys, the first wrong": {
        "body": EVENT,
        "auth": False,
        "repeated": [("Authorization", "Bearer nope"), ("Authorization", "Bearer {key}")],
    },
    "two keys, the first right": {
        "body": EVENT,
        "auth": False,
        "repeated": [("Authorization", "Bearer {key}"), ("Authorization", "Bearer nope")],
    },
    "two remember tokens": {
        "body": EVENT,
        "repeated": [("X-Remember-Token", "r" * 300), ("X-Remember-Token", "short")],
    },
    "a body over the event limit": {"body": b" " * (1 << 20) + EVENT},
}


@pytest.mark.parametrize("name", list(REQUESTS))
def test_the_fast_path_answers_as_the_declared_route(both, name):
    fast, routed, keys = both
    request = REQUESTS[name]
    answered = _send(fast, keys["fast"], request)
    expected = _send(routed, keys["routed"], request)
    assert _comparable(answered) == _comparable(expected)


def test_the_answer_is_a_real_decision_with_an_mfa_token(both):
    fast, _, keys = both
    answer = _send(fast, keys["fast"], {"body": EVENT})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["outcome"] in ("challenge", "enroll")
    assert body["mfa_token"] and body["expires_in"] > 0
    assert "http" not in body


def test_other_methods_and_paths_still_reach_the_router(both):
    fast, _, keys = both
    assert fast.get("/v1/logins", headers=bearer(keys["fast"])).status_code == 405
    slash = fast.post(
        "/v1/logins/", content=EVENT, headers=bearer(keys["fast"]), follow_redirects=False
    )
    assert slash.status_code == 307  # FastAPI's redirect to the path without the slash


def test_the_access_log_names_the_route_and_the_tenant(both, caplog):
    fast, _, keys = both
    caplog.set_level("INFO", logger="contextmfa.access")
    _send(fast, keys["fast"], {"body": EVENT})
    _send(fast, "wrong", {"body": EVENT})
    lines = [r.fields for r in caplog.records if r.name == "contextmfa.access"]
    assert [(f["route"], f["status"], f["tenant"]) for f in lines] == [
        ("/v1/logins", 200, "acme"),
        ("/v1/logins", 401, None),
    ]
