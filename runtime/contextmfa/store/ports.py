"""What the factor module and the service need from storage: Protocols and frozen records.

Nothing here imports SQLAlchemy or Redis. Each port has an in-memory implementation
(``store/memory.py``, for tests) and a SQL one (``store/sql/``); rate limits, the Actions
cache and challenge state also have Redis ones. ``tenant_id`` is the first argument of every call
and part of every key: nothing of one tenant is visible through another tenant's calls.

Conventions every implementation keeps:

* Time is always passed in (``now``, timezone-aware), never read from the wall clock.
* Lookups return ``None`` (or an empty list) for what does not exist in that tenant; mutations
  return ``False`` / ``0`` for it. Nothing raises for "not found".
* Everything that must happen once is one atomic operation, across threads, processes and hosts:
  :meth:`SingleUse.claim`, :meth:`ChallengeStore.take_attempt`, :meth:`ChallengeStore.finish`,
  :meth:`ChallengeStore.set_state` with ``expected``,
  :meth:`AuthenticatorStore.compare_and_set_sign_count`, :meth:`RateLimiter.take`.
* Secrets (``Authenticator.secret``, ``Challenge.code_hash``, ``OutboxMessage.body``) stay out of
  ``repr``; the SQL store encrypts authenticator secrets and outbox bodies at rest.
* ``public`` and ``data`` dicts must be JSON-serialisable; records hold copies. They are stored
  in clear: a secret goes in ``Authenticator.secret``, a code in ``Challenge.code_hash``.
* Sizes: tenant ids up to 128 characters; user ids, names, single-use and bucket keys, Action
  names and addresses up to 255; factor names and states up to 32, single-use scopes and audit
  kinds up to 64, outbox channels up to 16. The SQL store on PostgreSQL refuses longer values
  with an ``InputError``; callers validate first.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from contextmfa.store.limits import BucketLimit, RateVerdict

__all__ = [
    "AuditEntry",
    "AuditLog",
    "Authenticator",
    "AuthenticatorStore",
    "BucketLimit",
    "Challenge",
    "ChallengeStore",
    "LoginRecords",
    "Outbox",
    "OutboxMessage",
    "RateLimiter",
    "RateVerdict",
    "RecordedLogin",
    "RememberTokens",
    "SingleUse",
]


@dataclass(frozen=True, slots=True)
class Authenticator:
    """One enrolled (or being enrolled) factor of a user.

    ``type`` is a factor name (directives.FACTORS). ``public`` holds non-secret data: phone
    number, email, WebAuthn credential id / public key / transports, push public key and target.
    ``secret`` is the plaintext secret in memory (OTP seed, ...), encrypted at rest by the SQL
    store. ``sign_count`` is the WebAuthn signature counter, changed only through
    :meth:`AuthenticatorStore.compare_and_set_sign_count`.
    """

    id: str
    tenant_id: str
    user_id: str
    type: str
    name: str
    confirmed: bool
    created_at: datetime
    last_used_at: datetime | None = None
    public: Mapping[str, Any] = field(default_factory=dict)
    secret: bytes | None = field(default=None, repr=False)
    sign_count: int = 0


@dataclass(frozen=True, slots=True)
class Challenge:
    """One issued challenge (a code sent, a push transaction, a WebAuthn ceremony, an enrollment).

    ``state`` is the factor's own status (push: ``pending`` / ``approved`` / ``rejected``;
    others keep the default ``pending``). ``finished`` is set once, by the one caller whose
    :meth:`ChallengeStore.finish` succeeded; a finished challenge is spent. ``attempts`` counts
    verification attempts taken with :meth:`ChallengeStore.take_attempt`.
    """

    id: str
    tenant_id: str
    user_id: str
    factor: str
    authenticator_id: str | None
    created_at: datetime
    expires_at: datetime
    max_attempts: int
    attempts: int = 0
    state: str = "pending"
    finished: bool = False
    data: Mapping[str, Any] = field(default_factory=dict)
    code_hash: str | None = field(default=None, repr=False)

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A message the ``outbox`` delivery provider "sent": kept for ``contextmfa outbox``."""

    id: str
    tenant_id: str
    channel: str  # "sms" | "voice" | "email" | "push"
    to: str
    created_at: datetime
    body: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One security-relevant event (enrolled, removed, challenge passed/failed, rate limited)."""

    id: str
    tenant_id: str
    kind: str
    user_id: str | None
    created_at: datetime
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RecordedLogin:
    """A login the service decided: the event as it was evaluated, and what was decided.

    ``event`` is the login event as served (enrolled factors from the store, ``remembered``
    from a checked token), with secret-looking values already redacted; ``decision`` is the
    decision JSON. ``config_version`` names the config (files and deployed Actions) that decided.
    """

    tenant_id: str
    login_id: str
    user_id: str
    occurred_at: datetime
    recorded_at: datetime
    config_version: str
    event: Mapping[str, Any]
    decision: Mapping[str, Any]


@runtime_checkable
class AuthenticatorStore(Protocol):
    def add(
        self,
        tenant_id: str,
        user_id: str,
        type: str,
        *,
        name: str,
        public: Mapping[str, Any],
        secret: bytes | None,
        confirmed: bool,
        now: datetime,
    ) -> Authenticator:
        """Store a new authenticator with a fresh random id."""
        ...

    def get(self, tenant_id: str, authenticator_id: str) -> Authenticator | None: ...

    def for_user(
        self, tenant_id: str, user_id: str, *, confirmed_only: bool = True
    ) -> list[Authenticator]:
        """The user's authenticators, oldest first."""
        ...

    def confirm(self, tenant_id: str, authenticator_id: str, *, now: datetime) -> bool:
        """Mark confirmed (enrollment finished); True if it exists."""
        ...

    def update_public(
        self, tenant_id: str, authenticator_id: str, public: Mapping[str, Any]
    ) -> bool:
        """Replace the non-secret data."""
        ...

    def touch(self, tenant_id: str, authenticator_id: str, *, now: datetime) -> bool:
        """Record a successful use (``last_used_at``)."""
        ...

    def remove(self, tenant_id: str, authenticator_id: str) -> bool: ...

    def remove_for_user(self, tenant_id: str, user_id: str) -> int:
        """Remove every authenticator of a user (admin reset); returns how many."""
        ...

    def compare_and_set_sign_count(
        self, tenant_id: str, authenticator_id: str, old: int, new: int
    ) -> bool:
        """Atomically set ``sign_count`` to ``new`` if it is still ``old``; True for one winner."""
        ...


@runtime_checkable
class ChallengeStore(Protocol):
    def create(
        self,
        tenant_id: str,
        user_id: str,
        factor: str,
        *,
        authenticator_id: str | None,
        data: Mapping[str, Any],
        code_hash: str | None,
        now: datetime,
        expires_at: datetime,
        max_attempts: int,
    ) -> Challenge:
        """Store a new challenge with a fresh, unguessable id (usable as an ``oob_code``)."""
        ...

    def get(self, tenant_id: str, challenge_id: str) -> Challenge | None:
        """The challenge, expired or finished ones included (the caller reports which)."""
        ...

    def take_attempt(self, tenant_id: str, challenge_id: str, *, now: datetime) -> bool:
        """Atomically count one verification attempt; call it BEFORE comparing a code.

        True only if the challenge exists, is unfinished, unexpired and had an attempt left, so
        any number of concurrent guesses together get at most ``max_attempts`` comparisons.
        """
        ...

    def set_state(
        self,
        tenant_id: str,
        challenge_id: str,
        state: str,
        *,
        data: Mapping[str, Any] | None = None,
        expected: str | None = None,
    ) -> bool:
        """Set ``state`` (and replace ``data`` if given) on an unfinished challenge.

        With ``expected``, only if the current state is that one (push: ``pending`` ->
        ``approved`` happens once, a late ``rejected`` cannot overwrite it).
        """
        ...

    def finish(self, tenant_id: str, challenge_id: str, *, now: datetime) -> bool:
        """Spend the challenge: True for exactly one caller, and only before it expires."""
        ...


@runtime_checkable
class SingleUse(Protocol):
    def claim(
        self,
        tenant_id: str,
        scope: str,
        key: str,
        *,
        now: datetime,
        expires_at: datetime | None = None,
    ) -> bool:
        """First caller wins: True once per (tenant, scope, key) until ``expires_at``.

        Scopes are the caller's (``otp-step``, ``recovery-code``, ``push-nonce``); keys must not
        be secrets themselves (pass a hash). ``expires_at=None`` keeps the claim forever; after
        ``expires_at`` the key may be claimed again (an OTP time step past its window).
        """
        ...

    def is_claimed(self, tenant_id: str, scope: str, key: str, *, now: datetime) -> bool:
        """Is there a live claim on the key? Reads only: a check must never claim."""
        ...

    def release(
        self, tenant_id: str, scope: str, key: str, *, held_until: datetime | None = None
    ) -> bool:
        """Drop a claim so the key can be claimed again (a lease given back); True if it existed.

        Only for claims that act as a lease (an MFA step held while it is tried); a spent code's
        claim is never released. ``held_until`` fences a lease: only the claim that still expires
        at that moment (the caller's own) is dropped, never one another caller took after the
        caller's lease lapsed.
        """
        ...

    def extend(
        self,
        tenant_id: str,
        scope: str,
        key: str,
        *,
        expires_at: datetime | None,
        held_until: datetime | None = None,
    ) -> bool:
        """Move a claim's expiry (a lease made lasting: an MFA step that passed); True if the
        claim existed (with ``held_until``: if it is still the caller's lease). ``None`` keeps
        it forever."""
        ...


@runtime_checkable
class RateLimiter(Protocol):
    def take(
        self,
        tenant_id: str,
        bucket_key: str,
        limit: BucketLimit,
        *,
        now: datetime,
        cost: int = 1,
    ) -> RateVerdict:
        """Atomically take ``cost`` tokens, or refuse (taking nothing) with a retry-after."""
        ...

    def peek(
        self, tenant_id: str, bucket_key: str, limit: BucketLimit, *, now: datetime
    ) -> RateVerdict:
        """Would one token be available now? Takes nothing (to show a bucket's state; never a
        check before an attempt, which must take its token first)."""
        ...

    def give_back(
        self, tenant_id: str, bucket_key: str, limit: BucketLimit, *, now: datetime, cost: int = 1
    ) -> None:
        """Return ``cost`` tokens taken for an attempt that turned out right.

        Attempts are taken *before* they are compared, so concurrent guesses can never compare
        more than the bucket holds; a correct answer then gives its token back, so a user's own
        successful sign-ins never lock them out. Never fills a bucket past full.
        """
        ...


@runtime_checkable
class RememberTokens(Protocol):
    def issue(self, tenant_id: str, user_id: str, *, now: datetime, days: int) -> str:
        """A new random remember-browser token, valid ``days``; only its hash is stored."""
        ...

    def check(self, tenant_id: str, user_id: str, token: str, *, now: datetime) -> bool:
        """True if ``token`` is a live token of this user (hash compared in constant time)."""
        ...

    def invalidate_user(self, tenant_id: str, user_id: str) -> int:
        """Revoke every token of the user; returns how many were live or stored."""
        ...


@runtime_checkable
class Outbox(Protocol):
    def put(self, tenant_id: str, channel: str, to: str, body: str, *, now: datetime) -> str: ...

    def list(
        self, tenant_id: str, *, channel: str | None = None, limit: int = 100
    ) -> list[OutboxMessage]:
        """The most recent messages, newest first."""
        ...


@runtime_checkable
class AuditLog(Protocol):
    def record(
        self,
        tenant_id: str,
        kind: str,
        *,
        user_id: str | None,
        detail: Mapping[str, Any],
        now: datetime,
    ) -> None:
        """Append an entry; ``detail`` must never hold a secret or a code."""
        ...

    def list(
        self, tenant_id: str, *, user_id: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        """The most recent entries, newest first."""
        ...

    def purge(self, tenant_id: str, *, before: datetime) -> int:
        """Delete the tenant's entries older than ``before``; returns how many."""
        ...


@runtime_checkable
class LoginRecords(Protocol):
    def record(self, login: RecordedLogin) -> None:
        """Append a decided login."""
        ...

    def export(
        self,
        tenant_id: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        user_id: str | None = None,
    ) -> Iterator[RecordedLogin]:
        """The tenant's recorded logins in the order they were decided, streamed.

        ``since`` (inclusive) and ``until`` (exclusive) bound the login's own timestamp.
        """
        ...

    def purge(self, tenant_id: str, *, before: datetime) -> int:
        """Delete the logins recorded before ``before``; returns how many."""
        ...
