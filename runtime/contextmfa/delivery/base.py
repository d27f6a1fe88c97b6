"""What a delivery provider is: one Protocol per channel, the messages they carry, a router.

The factor module composes a message and hands it to :class:`Delivery`, which routes it to the
provider configured for its channel. Providers either accept the message (and return a
:class:`Receipt`) or raise :class:`~contextmfa.delivery.errors.DeliveryError`; nothing else.

Bodies and push data hold the code or the transaction's details, so they stay out of ``repr``;
log lines name the channel, provider and a masked recipient only (:func:`mask_recipient`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

from contextmfa.delivery.errors import DeliveryError

__all__ = [
    "Delivery",
    "EmailMessage",
    "EmailProvider",
    "PushMessage",
    "PushProvider",
    "Receipt",
    "TextMessage",
    "TextProvider",
    "mask_recipient",
]

TextChannel = Literal["sms", "voice"]


@dataclass(frozen=True, slots=True)
class TextMessage:
    """An SMS, or the words a voice call reads out; ``to`` is an E.164 number."""

    tenant_id: str
    channel: TextChannel
    to: str
    body: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class EmailMessage:
    tenant_id: str
    to: str
    subject: str
    body: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class PushMessage:
    """A push to a registered device; ``target`` is its push token, ``data`` the app payload."""

    tenant_id: str
    target: str = field(repr=False)
    title: str
    data: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class Receipt:
    """A provider accepted a message: which one, and its own id for the message (if any)."""

    provider: str
    channel: str
    message_id: str


@runtime_checkable
class TextProvider(Protocol):
    """SMS and voice."""

    name: str

    def send_text(self, message: TextMessage, *, now: datetime) -> Receipt: ...


@runtime_checkable
class EmailProvider(Protocol):
    name: str

    def send_email(self, message: EmailMessage, *, now: datetime) -> Receipt: ...


@runtime_checkable
class PushProvider(Protocol):
    name: str

    def send_push(self, message: PushMessage, *, now: datetime) -> Receipt: ...


@dataclass(frozen=True)
class Delivery:
    """The provider for each channel; a channel without one refuses to send (fail closed)."""

    sms: TextProvider | None = None
    voice: TextProvider | None = None
    email: EmailProvider | None = None
    push: PushProvider | None = None

    def send_text(self, message: TextMessage, *, now: datetime) -> Receipt:
        provider = self.sms if message.channel == "sms" else self.voice
        if provider is None:
            raise DeliveryError("none", message.channel, "no provider is configured")
        return provider.send_text(message, now=now)

    def send_email(self, message: EmailMessage, *, now: datetime) -> Receipt:
        if self.email is None:
            raise DeliveryError("none", "email", "no provider is configured")
        return self.email.send_email(message, now=now)

    def send_push(self, message: PushMessage, *, now: datetime) -> Receipt:
        if self.push is None:
            raise DeliveryError("none", "push", "no provider is configured")
        return self.push.send_push(message, now=now)


def mask_recipient(to: str) -> str:
    """A recipient fit for logs and "code sent to ...": ``+1******4567``, ``j***@x.com``."""
    if "@" in to:
        local, _, domain = to.rpartition("@")
        return f"{local[:1]}***@{domain}"
    if len(to) <= 4:
        return "*" * len(to)
    keep = 2 if to.startswith("+") else 0
    return to[:keep] + "*" * (len(to) - keep - 4) + to[-4:]
