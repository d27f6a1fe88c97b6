"""The ``[delivery]`` config section and the one function that turns it into providers.

    [delivery]
    sms = "outbox"          # outbox | twilio | webhook
    voice = "outbox"        # outbox | twilio | webhook
    email = "outbox"        # outbox | smtp
    push = "outbox"         # outbox | webhook

    [delivery.twilio]       # account_sid, auth_token, from_number, base_url
    [delivery.smtp]         # host, port, security (none|starttls|tls), username, password, sender
    [delivery.webhook]      # url, secret (signs each request)

Provider choices per channel are a registry (:data:`PROVIDERS`), not a chain of ifs. Credentials
may be written ``env:NAME``; they are read from the environment when the providers are built and
never appear in a repr or an error.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from contextmfa.delivery.base import Delivery
from contextmfa.delivery.outbox import OutboxProvider
from contextmfa.delivery.smtp import SmtpProvider, SmtpSettings
from contextmfa.delivery.twilio import TwilioProvider, TwilioSettings
from contextmfa.delivery.webhook import WebhookProvider, WebhookSettings
from contextmfa.errors import ConfigError
from contextmfa.store.ports import Outbox

__all__ = ["PROVIDERS", "DeliverySection", "build_delivery"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TwilioSection(_Section):
    account_sid: str = Field(min_length=1)
    auth_token: str = Field(min_length=1, repr=False)
    from_number: str = Field(min_length=1)
    base_url: str = "https://api.twilio.com"
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)


class SmtpSection(_Section):
    host: str = Field(min_length=1)
    sender: str = Field(min_length=3)
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["none", "starttls", "tls"] = "starttls"
    username: str = ""
    password: str = Field(default="", repr=False)
    ca_file: str = ""
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)


class WebhookSection(_Section):
    url: str = Field(pattern=r"^https?://")
    secret: str = Field(default="", repr=False)
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)


class DeliverySection(_Section):
    sms: Literal["outbox", "twilio", "webhook"] = "outbox"
    voice: Literal["outbox", "twilio", "webhook"] = "outbox"
    email: Literal["outbox", "smtp"] = "outbox"
    push: Literal["outbox", "webhook"] = "outbox"
    twilio: TwilioSection | None = None
    smtp: SmtpSection | None = None
    webhook: WebhookSection | None = None


Builder = Callable[[DeliverySection, Outbox, Mapping[str, str]], Any]


def _outbox(section: DeliverySection, outbox: Outbox, env: Mapping[str, str]) -> OutboxProvider:
    return OutboxProvider(outbox)


def _twilio(section: DeliverySection, outbox: Outbox, env: Mapping[str, str]) -> TwilioProvider:
    t = _needed(section.twilio, "twilio")
    return TwilioProvider(
        TwilioSettings(
            account_sid=_env(t.account_sid, "twilio.account_sid", env),
            auth_token=_env(t.auth_token, "twilio.auth_token", env),
            from_number=t.from_number,
            base_url=t.base_url,
            timeout_seconds=t.timeout_seconds,
        )
    )


def _smtp(section: DeliverySection, outbox: Outbox, env: Mapping[str, str]) -> SmtpProvider:
    s = _needed(section.smtp, "smtp")
    return SmtpProvider(
        SmtpSettings(
            host=s.host,
            sender=s.sender,
            port=s.port,
            security=s.security,
            username=_env(s.username, "smtp.username", env),
            password=_env(s.password, "smtp.password", env),
            ca_file=s.ca_file,
            timeout_seconds=s.timeout_seconds,
        )
    )


def _webhook(section: DeliverySection, outbox: Outbox, env: Mapping[str, str]) -> WebhookProvider:
    w = _needed(section.webhook, "webhook")
    return WebhookProvider(
        WebhookSettings(
            url=w.url,
            secret=_env(w.secret, "webhook.secret", env),
            timeout_seconds=w.timeout_seconds,
        )
    )


PROVIDERS: Mapping[str, Mapping[str, Builder]] = {
    "sms": {"outbox": _outbox, "twilio": _twilio, "webhook": _webhook},
    "voice": {"outbox": _outbox, "twilio": _twilio, "webhook": _webhook},
    "email": {"outbox": _outbox, "smtp": _smtp},
    "push": {"outbox": _outbox, "webhook": _webhook},
}
"""Channel -> provider name -> builder: the choices the ``[delivery]`` section allows."""


def build_delivery(
    section: DeliverySection, outbox: Outbox, *, environ: Mapping[str, str] | None = None
) -> Delivery:
    """One provider per channel, as configured; a missing sub-section is a ConfigError."""
    env = os.environ if environ is None else environ
    built = {
        channel: PROVIDERS[channel][getattr(section, channel)](section, outbox, env)
        for channel in PROVIDERS
    }
    return Delivery(**built)


def _needed(value: Any, name: str) -> Any:
    if value is None:
        raise ConfigError(f"delivery.{name}: section is missing but a channel uses {name!r}")
    return value


def _env(value: str, key: str, env: Mapping[str, str]) -> str:
    if not value.startswith("env:"):
        return value
    name = value[4:]
    if name not in env:
        raise ConfigError(f"delivery.{key}: environment variable {name} is not set")
    return env[name]
