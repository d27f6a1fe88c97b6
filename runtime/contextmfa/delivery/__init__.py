"""Delivery of codes and push messages: a Protocol per channel and the providers behind them.

    delivery = build_delivery(DeliverySection(), store.outbox)     # every channel -> outbox
    delivery.send_text(TextMessage(tenant, "sms", "+15551234567", body), now=now)

Providers: ``outbox`` (default, every channel), ``twilio`` (sms, voice), ``webhook`` (sms, voice,
push), ``smtp`` (email). A provider either returns a :class:`Receipt` or raises
:class:`DeliveryError`; the factor module never treats a failed send as a sent code.
"""

from contextmfa.delivery.base import (
    Delivery,
    EmailMessage,
    EmailProvider,
    PushMessage,
    PushProvider,
    Receipt,
    TextMessage,
    TextProvider,
    mask_recipient,
)
from contextmfa.delivery.errors import DeliveryError
from contextmfa.delivery.outbox import OutboxProvider
from contextmfa.delivery.settings import PROVIDERS, DeliverySection, build_delivery
from contextmfa.delivery.smtp import SmtpProvider, SmtpSettings
from contextmfa.delivery.twilio import TwilioProvider, TwilioSettings
from contextmfa.delivery.webhook import (
    SIGNATURE_HEADER,
    WebhookProvider,
    WebhookSettings,
    sign_payload,
)

__all__ = [
    "PROVIDERS",
    "SIGNATURE_HEADER",
    "Delivery",
    "DeliveryError",
    "DeliverySection",
    "EmailMessage",
    "EmailProvider",
    "OutboxProvider",
    "PushMessage",
    "PushProvider",
    "Receipt",
    "SmtpProvider",
    "SmtpSettings",
    "TextMessage",
    "TextProvider",
    "TwilioProvider",
    "TwilioSettings",
    "WebhookProvider",
    "WebhookSettings",
    "build_delivery",
    "mask_recipient",
    "sign_payload",
]
