"""Webhook delivery: JSON POSTed to the tenant's URL, signed, failures reported."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from delivery_helpers import NOW, TENANT

from contextmfa.delivery import (
    SIGNATURE_HEADER,
    DeliveryError,
    PushMessage,
    TextMessage,
    WebhookProvider,
    WebhookSettings,
    sign_payload,
)

SECRET = "whsec-tenant-shared-secret"


def test_sms_posted_as_signed_json(http_server) -> None:
    http_server.reply = {"id": "msg-1"}
    provider = WebhookProvider(WebhookSettings(url=f"{http_server.url}/mfa", secret=SECRET))
    receipt = provider.send_text(TextMessage(TENANT, "sms", "+31612345678", "code 111222"), now=NOW)
    assert (receipt.provider, receipt.message_id) == ("webhook", "msg-1")
    request = http_server.received[0]
    assert request.path == "/mfa" and request.headers["content-type"] == "application/json"
    assert request.json() == {
        "channel": "sms",
        "tenant_id": TENANT,
        "to": "+31612345678",
        "body": "code 111222",
        "sent_at": NOW.isoformat(),
    }
    header = request.headers[SIGNATURE_HEADER.lower()]
    stamp = int(NOW.timestamp())
    assert header == sign_payload(SECRET, stamp, request.body)
    expected = hmac.new(SECRET.encode(), f"{stamp}.".encode() + request.body, hashlib.sha256)
    assert header == f"t={stamp},v1={expected.hexdigest()}"


def test_push_payload(http_server) -> None:
    provider = WebhookProvider(WebhookSettings(url=http_server.url))
    message = PushMessage(TENANT, "fcm:token", "Sign-in request", {"transaction": "t1"})
    assert provider.send_push(message, now=NOW).channel == "push"
    request = http_server.received[0]
    assert request.json()["data"] == {"transaction": "t1"} and request.json()["to"] == "fcm:token"
    assert SIGNATURE_HEADER.lower() not in request.headers


@pytest.mark.parametrize("status", [400, 404, 500, 503])
def test_non_2xx_is_a_delivery_error(http_server, status) -> None:
    http_server.status, http_server.reply = status, {"error": "code 111222 rejected"}
    provider = WebhookProvider(WebhookSettings(url=http_server.url, secret=SECRET))
    with pytest.raises(DeliveryError) as failed:
        provider.send_text(TextMessage(TENANT, "sms", "+31612345678", "code 111222"), now=NOW)
    assert f"HTTP {status}" in str(failed.value)
    assert "111222" not in repr(failed.value) and SECRET not in repr(failed.value)


def test_unreachable_and_bad_url() -> None:
    with pytest.raises(DeliveryError, match="cannot reach"):
        WebhookProvider(WebhookSettings(url="http://127.0.0.1:9/x")).send_text(
            TextMessage(TENANT, "voice", "+31612345678", "x"), now=NOW
        )
    with pytest.raises(DeliveryError, match="not http"):
        WebhookProvider(WebhookSettings(url="file:///etc/passwd")).send_text(
            TextMessage(TENANT, "sms", "+31612345678", "x"), now=NOW
        )
