"""The default provider for every channel: keep the message in the store's outbox.

Nothing leaves the machine; ``contextmfa outbox`` shows what would have been sent. It is what a
fresh install, a demo and the test suite use. Push messages are kept as JSON (title and data).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from contextmfa.delivery.base import (
    EmailMessage,
    PushMessage,
    Receipt,
    TextMessage,
    mask_recipient,
)
from contextmfa.store.ports import Outbox

__all__ = ["OutboxProvider"]

_log = logging.getLogger("contextmfa.delivery")


class OutboxProvider:
    """Puts every message into an :class:`~contextmfa.store.ports.Outbox`; one for all channels."""

    name = "outbox"

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    def send_text(self, message: TextMessage, *, now: datetime) -> Receipt:
        return self._put(message.tenant_id, message.channel, message.to, message.body, now)

    def send_email(self, message: EmailMessage, *, now: datetime) -> Receipt:
        body = f"Subject: {message.subject}\n\n{message.body}"
        return self._put(message.tenant_id, "email", message.to, body, now)

    def send_push(self, message: PushMessage, *, now: datetime) -> Receipt:
        body = json.dumps({"title": message.title, "data": dict(message.data)}, sort_keys=True)
        return self._put(message.tenant_id, "push", message.target, body, now)

    def _put(self, tenant_id: str, channel: str, to: str, body: str, now: datetime) -> Receipt:
        message_id = self._outbox.put(tenant_id, channel, to, body, now=now)
        _log.info("%s message kept in the outbox for %s", channel, mask_recipient(to))
        return Receipt(self.name, channel, message_id)
