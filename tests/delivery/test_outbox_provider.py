"""The default provider: every channel into the store's outbox, bodies out of reprs."""

from __future__ import annotations

import json
import logging

import pytest
from delivery_helpers import NOW, TENANT

from contextmfa.delivery import (
    Delivery,
    DeliveryError,
    EmailMessage,
    OutboxProvider,
    PushMessage,
    TextMessage,
    mask_recipient,
)
from contextmfa.store import InMemoryStore


def test_every_channel_is_kept(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    store = InMemoryStore()
    provider = OutboxProvider(store.outbox)
    provider.send_text(TextMessage(TENANT, "sms", "+31612345678", "111222 is your code"), now=NOW)
    provider.send_text(TextMessage(TENANT, "voice", "+31612345678", "1, 1, 1"), now=NOW)
    provider.send_email(EmailMessage(TENANT, "a@acme.test", "Code", "333444"), now=NOW)
    receipt = provider.send_push(
        PushMessage(TENANT, "fcm:abc", "Sign-in request", {"transaction": "t1"}), now=NOW
    )
    kept = store.outbox.list(TENANT)
    assert [m.channel for m in kept] == ["push", "email", "voice", "sms"]
    assert receipt.message_id == kept[0].id and kept[0].to == "fcm:abc"
    assert json.loads(kept[0].body) == {"data": {"transaction": "t1"}, "title": "Sign-in request"}
    assert kept[1].body == "Subject: Code\n\n333444"
    for message in kept:
        assert message.body not in repr(message)
    assert "111222" not in caplog.text and "333444" not in caplog.text
    assert "+31612345678" not in caplog.text


def test_message_reprs_hide_bodies_and_targets() -> None:
    text = TextMessage(TENANT, "sms", "+31612345678", "555666")
    push = PushMessage(TENANT, "fcm:secret-target", "t", {"nonce": "n0nce"})
    assert "555666" not in repr(text)
    assert "fcm:secret-target" not in repr(push) and "n0nce" not in repr(push)


def test_channel_without_provider_fails_closed() -> None:
    with pytest.raises(DeliveryError, match="no provider"):
        Delivery().send_text(TextMessage(TENANT, "voice", "+31612345678", "x"), now=NOW)
    with pytest.raises(DeliveryError):
        Delivery().send_email(EmailMessage(TENANT, "a@acme.test", "s", "b"), now=NOW)
    with pytest.raises(DeliveryError):
        Delivery().send_push(PushMessage(TENANT, "t", "s"), now=NOW)


@pytest.mark.parametrize(
    ("to", "masked"),
    [
        ("+31612345678", "+3******5678"),
        ("sanne@acme.test", "s***@acme.test"),
        ("123", "***"),
        ("fcm:abcdefgh", "********efgh"),
    ],
)
def test_mask_recipient(to, masked) -> None:
    assert mask_recipient(to) == masked
