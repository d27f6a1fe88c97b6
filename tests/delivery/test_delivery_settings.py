"""The ``[delivery]`` section: defaults, the provider registry, credentials from the environment."""

from __future__ import annotations

import pydantic
import pytest
from delivery_helpers import NOW, TENANT

from contextmfa.delivery import (
    PROVIDERS,
    DeliverySection,
    OutboxProvider,
    SmtpProvider,
    TextMessage,
    TwilioProvider,
    WebhookProvider,
    build_delivery,
)
from contextmfa.errors import ConfigError
from contextmfa.store import InMemoryStore


def test_defaults_are_the_outbox() -> None:
    store = InMemoryStore()
    delivery = build_delivery(DeliverySection(), store.outbox)
    for channel in ("sms", "voice", "email", "push"):
        assert isinstance(getattr(delivery, channel), OutboxProvider)
    delivery.send_text(TextMessage(TENANT, "sms", "+31612345678", "x"), now=NOW)
    assert store.outbox.list(TENANT)[0].channel == "sms"


def test_registry_matches_the_spec() -> None:
    assert {c: set(p) for c, p in PROVIDERS.items()} == {
        "sms": {"outbox", "twilio", "webhook"},
        "voice": {"outbox", "twilio", "webhook"},
        "email": {"outbox", "smtp"},
        "push": {"outbox", "webhook"},
    }


def test_configured_providers_with_env_credentials() -> None:
    section = DeliverySection.model_validate(
        {
            "sms": "twilio",
            "voice": "webhook",
            "email": "smtp",
            "push": "webhook",
            "twilio": {
                "account_sid": "AC123",
                "auth_token": "env:TWILIO_TOKEN",
                "from_number": "+15005550006",
            },
            "smtp": {
                "host": "smtp.acme.test",
                "sender": "mfa@acme.test",
                "password": "env:SMTP_PW",
            },
            "webhook": {"url": "https://hooks.acme.test/mfa", "secret": "env:HOOK_SECRET"},
        }
    )
    env = {"TWILIO_TOKEN": "tok-1", "SMTP_PW": "pw-1", "HOOK_SECRET": "hs-1"}
    delivery = build_delivery(section, InMemoryStore().outbox, environ=env)
    assert isinstance(delivery.sms, TwilioProvider)
    assert isinstance(delivery.voice, WebhookProvider) and isinstance(
        delivery.push, WebhookProvider
    )
    assert isinstance(delivery.email, SmtpProvider)
    for secret in env.values():
        assert secret not in repr(section) and secret not in repr(delivery)


def test_missing_section_or_variable_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"delivery\.twilio"):
        build_delivery(DeliverySection(sms="twilio"), InMemoryStore().outbox)
    section = DeliverySection.model_validate(
        {"email": "smtp", "smtp": {"host": "h", "sender": "s@x.test", "password": "env:NOPE"}}
    )
    with pytest.raises(ConfigError, match="NOPE") as failed:
        build_delivery(section, InMemoryStore().outbox, environ={})
    assert "smtp.password" in str(failed.value)


@pytest.mark.parametrize(
    "raw",
    [{"email": "twilio"}, {"push": "smtp"}, {"sms": "carrier-pigeon"}, {"unknown": 1}],
)
def test_invalid_choices(raw) -> None:
    with pytest.raises(pydantic.ValidationError):
        DeliverySection.model_validate(raw)
