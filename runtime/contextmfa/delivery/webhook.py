"""SMS, voice and push through a webhook: POST the message as JSON to a URL the tenant runs.

The tenant's endpoint does the last mile (its own SMS gateway, FCM/APNs sender). With a
``secret`` each request is signed like Stripe's webhooks::

    X-ContextMFA-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>

so the receiver can refuse forged or replayed requests. Any non-2xx answer is a DeliveryError.

Body: ``{"channel", "tenant_id", "to", "sent_at", ...}`` plus ``body`` (sms, voice) or ``title``
and ``data`` (push).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from contextmfa.delivery.base import PushMessage, Receipt, TextMessage, mask_recipient
from contextmfa.delivery.http import post

__all__ = ["SIGNATURE_HEADER", "WebhookProvider", "WebhookSettings", "sign_payload"]

SIGNATURE_HEADER = "X-ContextMFA-Signature"

_log = logging.getLogger("contextmfa.delivery")


@dataclass(frozen=True)
class WebhookSettings:
    url: str
    secret: str = field(default="", repr=False)
    timeout_seconds: float = 10.0


def sign_payload(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode("utf-8"), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


class WebhookProvider:
    name = "webhook"

    def __init__(self, settings: WebhookSettings, *, ssl_context: ssl.SSLContext | None = None):
        self._settings = settings
        self._context = ssl_context

    def send_text(self, message: TextMessage, *, now: datetime) -> Receipt:
        payload = {"to": message.to, "body": message.body}
        return self._send(message.tenant_id, message.channel, payload, message.to, now)

    def send_push(self, message: PushMessage, *, now: datetime) -> Receipt:
        payload = {"to": message.target, "title": message.title, "data": dict(message.data)}
        return self._send(message.tenant_id, "push", payload, "device", now)

    def _send(
        self, tenant_id: str, channel: str, payload: dict[str, Any], to: str, now: datetime
    ) -> Receipt:
        document = {"channel": channel, "tenant_id": tenant_id, "sent_at": now.isoformat()}
        body = json.dumps({**document, **payload}, sort_keys=True).encode("utf-8")
        headers = {"Content-Type": "application/json", "User-Agent": "contextmfa-webhook/1"}
        if self._settings.secret:
            headers[SIGNATURE_HEADER] = sign_payload(
                self._settings.secret, int(now.timestamp()), body
            )
        result = post(
            self._settings.url,
            body,
            headers,
            provider=self.name,
            channel=channel,
            timeout=self._settings.timeout_seconds,
            context=self._context,
        )
        data = result.json()
        message_id = data.get("id") if isinstance(data, dict) else None
        _log.info("%s sent through the webhook for %s", channel, mask_recipient(to))
        return Receipt(self.name, channel, message_id if isinstance(message_id, str) else "")
