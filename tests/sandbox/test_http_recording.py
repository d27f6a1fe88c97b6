"""What the decision's record keeps of an answer: a secret the request carried is scrubbed when
the service echoes it; configuration the request never carried stays, so a replay reads the
answer as the Action read it live."""

from __future__ import annotations

import base64

import pytest

from contextmfa.sandbox.http_exchange import HttpAnswer, HttpRequest, Scrubber, exchange_record
from contextmfa.sandbox.printing import Redactor

SECRETS = {"API_KEY": "sk-live-4f9a2c", "MFA_ON": "high_risk", "URL": "https://risk.test"}


def record(request: HttpRequest, body: str) -> dict:
    answer = HttpAnswer(status=200, body=body.encode("utf-8"))
    return exchange_record(request, answer, Scrubber(Redactor(SECRETS)), 65_536)


def request(**fields) -> HttpRequest:
    return HttpRequest(action="a", method="POST", url="https://risk.test/score", **fields)


@pytest.mark.parametrize(
    "carried",
    [
        {"headers": (("x-api-key", "sk-live-4f9a2c"),)},
        {"headers": (("authorization", "Bearer sk-live-4f9a2c"),)},
        {
            "headers": (
                ("authorization", "Basic " + base64.b64encode(b"acct:sk-live-4f9a2c").decode()),
            )
        },
        {"body": b'{"key": "sk-live-4f9a2c"}'},
    ],
    ids=["header", "bearer", "basic", "body"],
)
def test_a_carried_secret_echoed_back_is_scrubbed(carried):
    kept = record(request(**carried), '{"echo": "sk-live-4f9a2c", "risk": "high_risk"}')
    assert kept["body"] == '{"echo": "[REDACTED]", "risk": "high_risk"}'


def test_a_secret_in_the_url_echoed_back_is_scrubbed():
    asked = HttpRequest(action="a", method="GET", url="https://risk.test/ip?token=sk-live-4f9a2c")
    kept = record(asked, "token sk-live-4f9a2c ok")
    assert kept["body"] == "token [REDACTED] ok"
    assert kept["url"] == "[REDACTED]/ip?token=[REDACTED]"


def test_configuration_the_request_did_not_carry_stays_in_the_answer():
    kept = record(request(headers=(("x-api-key", "sk-live-4f9a2c"),)), '{"risk": "high_risk"}')
    assert kept["body"] == '{"risk": "high_risk"}'


def test_a_url_secret_is_scrubbed_where_the_request_carried_it():
    kept = record(request(), '{"self": "https://risk.test/score"}')
    assert kept["url"] == "[REDACTED]/score"
    assert kept["body"] == '{"self": "[REDACTED]/score"}'


def test_a_token_the_service_issues_is_not_recorded():
    issued = '{"access_token": "eyJhbGciOi.x\\"y", "expires_in": 1200, "token_type": "Bearer"}'
    kept = record(request(), issued)
    assert (
        kept["body"] == '{"access_token": "[REDACTED]", "expires_in": 1200, "token_type": "Bearer"}'
    )
    kept = record(request(), '{"refresh_token":"r-1","id_token" : "i-2","risk":"low"}')
    assert kept["body"] == '{"refresh_token":"[REDACTED]","id_token" : "[REDACTED]","risk":"low"}'
