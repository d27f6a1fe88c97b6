"""Who a factor acts for, what the user sent, and the ports a factor works through.

:class:`Subject` is the user of one login (tenant, user id, contact data from the event).
:class:`EnrollRequest` and :class:`Answer` are the service's request bodies, typed; everything a
user types or a device signs stays out of ``repr``. :class:`FactorServices` bundles the store
ports, the delivery router, the settings and the source of randomness, all injected.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from contextmfa.delivery.base import Delivery
from contextmfa.factors.settings import FactorSettings
from contextmfa.store.ports import (
    AuditLog,
    AuthenticatorStore,
    ChallengeStore,
    RateLimiter,
    SingleUse,
)

__all__ = [
    "Answer",
    "CodeHashing",
    "EnrollRequest",
    "Entropy",
    "FactorServices",
    "Subject",
    "SystemEntropy",
]


@dataclass(frozen=True, slots=True)
class Subject:
    tenant_id: str
    user_id: str
    email: str | None = None
    email_verified: bool = False
    phone_number: str | None = None
    username: str | None = None
    name: str | None = None

    @property
    def label(self) -> str:
        """How the user is named in an authenticator app or a passkey list."""
        return self.email or self.username or self.user_id

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> Subject:
        """The subject of an enriched login event (the shape in HELPERS / login-events.md)."""
        user = event["user"]
        return cls(
            tenant_id=event["tenant"]["id"],
            user_id=user["user_id"],
            email=user.get("email"),
            email_verified=bool(user.get("email_verified")),
            phone_number=user.get("phone_number"),
            username=user.get("username"),
            name=user.get("name"),
        )


@dataclass(frozen=True, slots=True)
class EnrollRequest:
    phone_number: str | None = None
    email: str | None = None
    name: str | None = None
    """A friendly name for the new authenticator ("Work phone")."""


@dataclass(frozen=True, slots=True)
class Answer:
    """What comes back to confirm an enrollment or pass a challenge (the service's body fields)."""

    oob_code: str | None = field(default=None, repr=False)
    otp: str | None = field(default=None, repr=False)
    binding_code: str | None = field(default=None, repr=False)
    recovery_code: str | None = field(default=None, repr=False)
    credential: Mapping[str, Any] | None = field(default=None, repr=False)
    authenticator_id: str | None = None


class Entropy(Protocol):
    def token_bytes(self, n: int) -> bytes: ...

    def randbelow(self, n: int) -> int: ...


class SystemEntropy:
    """The operating system's CSPRNG (:mod:`secrets`)."""

    def token_bytes(self, n: int) -> bytes:
        return secrets.token_bytes(n)

    def randbelow(self, n: int) -> int:
        return secrets.randbelow(n)


class CodeHashing(Protocol):
    """The store's keyed code hash (:class:`contextmfa.store.CodeHasher`)."""

    def hash(self, tenant_id: str, code: str) -> str: ...

    def matches(self, stored_hash: str | None, tenant_id: str, candidate: str) -> bool: ...


@dataclass(frozen=True)
class FactorServices:
    authenticators: AuthenticatorStore
    challenges: ChallengeStore
    single_use: SingleUse
    rate_limits: RateLimiter
    codes: CodeHashing
    delivery: Delivery
    settings: FactorSettings
    audit: AuditLog | None = None
    entropy: Entropy = field(default_factory=SystemEntropy)
    attempts: RateLimiter | None = None
    """Where verification attempts are counted (durable); ``rate_limits`` when not given."""

    @property
    def attempt_limits(self) -> RateLimiter:
        return self.attempts if self.attempts is not None else self.rate_limits

    @classmethod
    def from_store(
        cls,
        store: Any,
        delivery: Delivery,
        settings: FactorSettings,
        *,
        entropy: Entropy | None = None,
    ) -> FactorServices:
        """Take every port from a store (:class:`~contextmfa.store.InMemoryStore` or ``Store``)."""
        return cls(
            authenticators=store.authenticators,
            challenges=store.challenges,
            single_use=store.single_use,
            rate_limits=store.rate_limits,
            codes=store.codes,
            delivery=delivery,
            settings=settings,
            audit=store.audit,
            entropy=entropy or SystemEntropy(),
            attempts=getattr(store, "attempt_limits", None),
        )
