"""Untrusted JSON bodies: nested too deep, or a number with more digits than Python converts, is a
400 that says why on every endpoint, whichever parser reads the body; never a 500."""

from __future__ import annotations

import json
import sys

import pytest
from service_helpers import bearer, login_event

from contextmfa.events import MAX_NESTING

DEEP = b"[" * 1000 + b"]" * 1000
LONG_NUMBER = b"9" * 5000


def _event_holding(value: bytes) -> bytes:
    """A valid login event whose ``user.app_metadata.v`` is ``value`` (raw JSON)."""
    event = login_event()
    event["user"]["app_metadata"] = {"v": "@"}
    return json.dumps(event).encode().replace(b'"@"', value)


def _nested(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


def _post(service, path: str, body: bytes, headers: dict[str, str]):
    return service.client.post(
        path, content=body, headers={**headers, "Content-Type": "application/json"}
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (DEEP, "recursion limit exceeded at line 1 column 202"),
        (_event_holding(DEEP), "recursion limit exceeded at line 1 column "),
        (LONG_NUMBER, "number out of range at line 1 column 4302"),
        (_event_holding(LONG_NUMBER), "number out of range at line 1 column "),
    ],
    ids=["deep", "deep-in-event", "long-number", "long-number-in-event"],
)
def test_a_login_body_too_deep_or_with_a_number_too_long_is_400_with_the_reason(
    service, body, reason
):
    answer = _post(service, "/v1/logins", body, service.api())
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"
    assert answer.json()["error_description"].startswith(f"the body is not valid JSON: {reason}")


def test_a_login_nested_to_the_limit_is_decided_and_one_level_more_is_refused(service):
    inside = MAX_NESTING - 3  # the event, user and app_metadata are three levels already
    decided = _post(service, "/v1/logins", _event_holding(_nested(inside)), service.api())
    assert decided.status_code == 200, decided.text
    refused = _post(service, "/v1/logins", _event_holding(_nested(inside + 1)), service.api())
    assert refused.status_code == 400
    assert "recursion limit exceeded" in refused.json()["error_description"]


def test_an_event_nested_deeper_than_json_reads_it_is_refused_when_testing_an_action(service):
    """FastAPI's ``json.loads`` reads ~990 levels; the event is held to a login's limit."""
    body = b'{"event": ' + _event_holding(_nested(500)) + b"}"
    answer = _post(service, "/v1/actions/deny_blocked/test", body, service.admin())
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "invalid_request",
        "error_description": f"nested more than {MAX_NESTING} levels deep",
    }
    limit = b'{"event": ' + _event_holding(_nested(MAX_NESTING - 3)) + b"}"
    tested = _post(service, "/v1/actions/deny_blocked/test", limit, service.admin())
    assert tested.status_code == 200, tested.text


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (DEEP, "nested too deeply"),
        (LONG_NUMBER, f"a number has more than {sys.get_int_max_str_digits()} digits"),
    ],
    ids=["deep", "long-number"],
)
def test_bodies_fastapi_reads_say_why_on_mfa_and_push_endpoints(service, value, reason):
    token = service.login(login_event("auth0|bodies")).json()["mfa_token"]
    challenge = _post(service, "/v1/mfa/challenge", b'{"factor": ' + value + b"}", bearer(token))
    pending = _post(service, "/v1/push/pending", b'{"tenant": ' + value + b"}", {})
    for answer in (challenge, pending):
        assert answer.status_code == 400
        assert answer.json() == {
            "error": "invalid_request",
            "error_description": f"the body is not valid JSON: {reason}",
        }
