"""What the factors need from the tenant's config, as plain frozen values.

:meth:`FactorSettings.from_config` reads ``[service]`` (issuer, WebAuthn RP ID and origins);
Duo's credentials come from a ``[duo]`` section the caller passes in (``client_id``,
``client_secret``, ``api_host``, ``redirect_uri``). Without them the ``duo`` factor answers
``mfa_factor_unavailable``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from contextmfa.errors import ConfigError

if TYPE_CHECKING:
    from contextmfa.config import TenantConfig

__all__ = ["DuoSettings", "FactorSettings", "WebAuthnSettings"]

CODE_TTL = timedelta(minutes=5)
"""SMS, voice and email codes; WebAuthn ceremonies; push tickets and transactions; Duo redirects."""
CODE_TRIES = 5
"""Wrong codes allowed per SMS, voice or email code."""
POLL_INTERVAL_SECONDS = 5
"""Push: the login side may poll once per this many seconds, else ``slow_down``."""


@dataclass(frozen=True, slots=True)
class WebAuthnSettings:
    rp_id: str
    rp_name: str
    origins: tuple[str, ...]
    timeout_ms: int = 60_000
    require_user_verification: bool = False


@dataclass(frozen=True, slots=True)
class DuoSettings:
    client_id: str
    client_secret: str = field(repr=False)
    api_host: str
    redirect_uri: str
    ca_certs: str | None = None
    """A CA bundle to trust instead of the one duo_universal pins (tests, private proxies)."""


@dataclass(frozen=True, slots=True)
class FactorSettings:
    """``issuer`` names the service in authenticator apps and in messages."""

    issuer: str
    webauthn: WebAuthnSettings
    service_url: str = "http://localhost:8000"
    """Where push devices reach the service (put into the enrollment ticket)."""
    duo: DuoSettings | None = None

    @classmethod
    def from_config(cls, config: TenantConfig, *, duo: DuoSettings | None = None) -> FactorSettings:
        """Settings from a tenant config; Duo from its ``[duo]`` section unless ``duo`` is given."""
        service = config.service
        if duo is None and config.duo is not None:
            duo = DuoSettings(
                client_id=config.duo.client_id,
                client_secret=resolve_env(config.duo.client_secret, "duo.client_secret", config),
                api_host=config.duo.api_host,
                redirect_uri=config.duo.redirect_uri,
                ca_certs=str(config.base_dir / config.duo.ca_certs)
                if config.duo.ca_certs
                else None,
            )
        name = urlsplit(service.issuer).hostname or config.tenant_id
        return cls(
            issuer=name,
            webauthn=WebAuthnSettings(
                rp_id=service.webauthn_rp_id,
                rp_name=name,
                origins=tuple(service.webauthn_origins),
            ),
            service_url=service.issuer,
            duo=duo,
        )


def resolve_env(value: str, key: str, config: TenantConfig) -> str:
    """``env:NAME`` read from the environment when the factor is built, never at config load."""
    if not value.startswith("env:"):
        return value
    name = value[4:]
    if name not in os.environ:
        raise ConfigError(f"{config.path}: error: {key}: environment variable {name} is not set")
    return os.environ[name]


def _path_or_none(config: TenantConfig, value: str) -> str | None:
    """A path of the config, relative to its file; None when not set."""
    return str(config.base_dir / value) if value else None
