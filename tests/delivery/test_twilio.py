"""Twilio's REST API, against a local stand-in that checks the request shape."""

from __future__ import annotations

import base64
import logging
from urllib.parse import parse_qs

import pytest
from delivery_helpers import NOW, TENANT

from contextmfa.delivery import DeliveryError, TextMessage, TwilioProvider, TwilioSettings

SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "twilio-auth-token-very-secret"
BODY = "493817 is your acme.test verification code."


def _provider(url: str) -> TwilioProvider:
    return TwilioProvider(
        TwilioSettings(account_sid=SID, auth_token=TOKEN, from_number="+15005550006", base_url=url)
    )


def test_sms_request_shape(http_server, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    http_server.status, http_server.reply = 201, {"sid": "SM123", "status": "queued"}
    message = TextMessage(TENANT, "sms", "+31612345678", BODY)
    receipt = _provider(http_server.url).send_text(message, now=NOW)
    assert (receipt.provider, receipt.channel, receipt.message_id) == ("twilio", "sms", "SM123")
    request = http_server.received[0]
    assert request.path == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    user, _, password = (
        base64.b64decode(request.headers["authorization"][6:]).decode().partition(":")
    )
    assert request.headers["authorization"].startswith("Basic ") and (user, password) == (
        SID,
        TOKEN,
    )
    form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
    assert form == {"To": "+31612345678", "From": "+15005550006", "Body": BODY}
    assert "493817" not in caplog.text and "+31612345678" not in caplog.text
    assert "+3******5678" in caplog.text


def test_voice_call_with_twiml(http_server) -> None:
    http_server.status, http_server.reply = 201, {"sid": "CA123"}
    spoken = "Your acme.test verification code is 4, 9, 3. <again>"
    _provider(http_server.url).send_text(
        TextMessage(TENANT, "voice", "+31612345678", spoken), now=NOW
    )
    request = http_server.received[0]
    assert request.path == f"/2010-04-01/Accounts/{SID}/Calls.json"
    twiml = parse_qs(request.body.decode())["Twiml"][0]
    assert twiml.startswith("<Response><Say") and twiml.count("4, 9, 3") == 2
    assert "&lt;again&gt;" in twiml and "<again>" not in twiml


def test_twilio_error_is_a_delivery_error_without_echo(http_server) -> None:
    http_server.status = 400
    http_server.reply = {
        "code": 21211,
        "message": f"The 'To' number +31612345678 is invalid: {BODY}",
    }
    with pytest.raises(DeliveryError) as failed:
        _provider(http_server.url).send_text(
            TextMessage(TENANT, "sms", "+31612345678", BODY), now=NOW
        )
    error = failed.value
    assert (error.code, error.status, error.provider) == ("mfa_factor_unavailable", 503, "twilio")
    assert "HTTP 400" in error.description and "21211" in error.description
    for leaked in ("493817", "+31612345678", TOKEN):
        assert leaked not in str(error) and leaked not in repr(error)


def test_unauthorized_and_unreachable(http_server) -> None:
    http_server.status, http_server.reply = 401, {"code": 20003}
    with pytest.raises(DeliveryError, match="HTTP 401"):
        _provider(http_server.url).send_text(
            TextMessage(TENANT, "sms", "+31612345678", BODY), now=NOW
        )
    closed = _provider("http://127.0.0.1:9")
    with pytest.raises(DeliveryError, match="cannot reach"):
        closed.send_text(TextMessage(TENANT, "sms", "+31612345678", BODY), now=NOW)


def test_success_without_sid_is_not_a_send(http_server) -> None:
    http_server.status, http_server.reply = 200, {"status": "weird"}
    with pytest.raises(DeliveryError, match="no message sid"):
        _provider(http_server.url).send_text(
            TextMessage(TENANT, "sms", "+31612345678", BODY), now=NOW
        )


def test_settings_repr_hides_the_token() -> None:
    settings = TwilioSettings(account_sid=SID, auth_token=TOKEN, from_number="+15005550006")
    assert TOKEN not in repr(settings)
