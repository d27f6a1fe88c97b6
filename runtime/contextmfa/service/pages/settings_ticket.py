"""Settings tickets: the tenant app's one-time pass that opens a user's "My MFA settings" page.

The app authenticates its user, then asks for a ticket with the tenant admin key
(``POST /v1/users/{user_id}/settings-ticket``) and sends the browser to the ticket URL. A ticket
is an HS256 JWT whose key is derived from ``CONTEXTMFA_SECRET_KEY``
(``MasterKey.derive("service/settings-ticket")``, kept by :class:`Tenants`)::

    tid  tenant        sub  user id        usr  contact data (email, phone, name) for enrollment
    iat  issued        exp  iat + 5 min    jti  random id, claimed once in the tenant's store
    prf  true when the app proved a fresh MFA of the user to get it (recent_mfa.py); a ticket
         without it was minted for a user with no factor, and holds only while that is so

Redeeming it (:meth:`SettingsTickets.redeem`) checks the signature and type, the expiry against
the service clock, and claims the ``jti`` in ``store.single_use`` (scope ``settings-ticket``), so
a ticket opens one page session, once, on any worker.

    PageError
     ├── TicketRefused   403  forged, malformed, another kind of token, unknown tenant
     └── TicketUsedUp    410  expired, or already redeemed
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import jwt

from contextmfa.factors import Subject
from contextmfa.service.pages.errors import PageError
from contextmfa.service.tenants import Tenant, Tenants
from contextmfa.store.clock import from_posix
from contextmfa.store.tokens import new_id

__all__ = [
    "CONTACT_FIELDS",
    "SESSION_TTL",
    "TICKET_TTL",
    "SettingsTickets",
    "TicketHolder",
    "TicketRefused",
    "TicketUsedUp",
]

TICKET_TTL = timedelta(minutes=5)
SESSION_TTL = timedelta(minutes=15)
"""How long the settings page session lasts once the ticket is redeemed."""
TICKET_TYPE = "contextmfa-settings+jwt"
MAX_TICKET_CHARS = 4096
CONTACT_FIELDS = ("email", "email_verified", "phone_number", "name")
_ALGORITHM = "HS256"
_SCOPE = "settings-ticket"
_AGAIN = "Open your security settings again from the application."


class TicketRefused(PageError):
    status = 403
    title = "This link is not valid"
    code = "access_denied"
    default_message = f"This settings link is not valid. {_AGAIN}"


class TicketUsedUp(PageError):
    status = 410
    title = "This link has expired"
    code = "expired_token"
    default_message = f"This settings link has expired or was already used. {_AGAIN}"


@dataclass(frozen=True)
class TicketHolder:
    """Whom a redeemed ticket stands for."""

    tenant: Tenant
    user_id: str
    contact: Mapping[str, Any] = field(default_factory=dict)
    proven: bool = False
    """Minted on the proof of a fresh MFA (``prf``); otherwise for a user with no factor."""

    @property
    def subject(self) -> Subject:
        return subject_of(self.tenant.id, self.user_id, self.contact)


def subject_of(tenant_id: str, user_id: str, contact: Mapping[str, Any]) -> Subject:
    return Subject(
        tenant_id=tenant_id,
        user_id=user_id,
        email=contact.get("email"),
        email_verified=bool(contact.get("email_verified")),
        phone_number=contact.get("phone_number"),
        name=contact.get("name"),
    )


class SettingsTickets:
    """Issues and redeems settings tickets with one HMAC key; see the module docstring."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the settings ticket key needs 32 bytes")
        self._key = key

    def __repr__(self) -> str:
        return "SettingsTickets(<key hidden>)"

    def issue(
        self,
        tenant_id: str,
        user_id: str,
        contact: Mapping[str, Any],
        *,
        proven: bool,
        now: datetime,
    ) -> str:
        issued = int(now.timestamp())
        claims: dict[str, Any] = {
            "tid": tenant_id,
            "sub": user_id,
            "usr": {k: contact[k] for k in CONTACT_FIELDS if contact.get(k) is not None},
            "iat": issued,
            "exp": issued + int(TICKET_TTL.total_seconds()),
            "jti": new_id(),
        }
        if proven:
            claims["prf"] = True
        return jwt.encode(claims, self._key, algorithm=_ALGORITHM, headers={"typ": TICKET_TYPE})

    def redeem(self, ticket: str, tenants: Tenants, *, now: datetime) -> TicketHolder:
        """The holder of a genuine, live, unused ticket; spends it. Refusals raise."""
        claims = self._claims(ticket)
        try:
            tenant_id, user_id = str(claims["tid"]), str(claims["sub"])
            expires_at, token_id = int(claims["exp"]), str(claims["jti"])
            contact = {k: v for k, v in dict(claims["usr"]).items() if k in CONTACT_FIELDS}
        except (KeyError, TypeError, ValueError):
            raise TicketRefused() from None
        tenant = tenants.get(tenant_id)
        if tenant is None or not user_id or not token_id:
            raise TicketRefused()
        if now.timestamp() >= expires_at:
            raise TicketUsedUp()
        key = hashlib.sha256(token_id.encode("utf-8")).hexdigest()
        if not tenant.store.single_use.claim(
            tenant.id, _SCOPE, key, now=now, expires_at=from_posix(expires_at)
        ):
            raise TicketUsedUp()
        return TicketHolder(tenant, user_id, contact, proven=claims.get("prf") is True)

    def _claims(self, ticket: str) -> Mapping[str, Any]:
        if not ticket or len(ticket) > MAX_TICKET_CHARS:
            raise TicketRefused()
        try:
            header = jwt.get_unverified_header(ticket)
            claims = jwt.decode(
                ticket,
                self._key,
                algorithms=[_ALGORITHM],
                options={"verify_exp": False, "verify_iat": False},
            )
        except jwt.PyJWTError:
            raise TicketRefused() from None
        if header.get("typ") != TICKET_TYPE or not isinstance(claims, dict):
            raise TicketRefused()
        return claims
