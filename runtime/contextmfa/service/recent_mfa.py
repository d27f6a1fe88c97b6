"""Proof that a user passed MFA a moment ago: their assertion, checked and spent once.

The settings page adds and removes a user's factors outside any mfa_token, so the invariant that
a user who has a factor adds another only after proving one (factors-and-service.md, invariant 2)
is kept where its ticket is minted: for a user who has a factor (a confirmed authenticator, or an
email the tenant accepts as one, unless the app says it is not verified) the app must hand over
the ``assertion`` of an MFA that user passed within the assertion's 5 minutes. It is checked with
the tenant's own key, must name the user, and opens one ticket only (its ``jti`` is claimed in
the store until it expires). A user with no factor needs no proof: their first is theirs to add.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from contextmfa.service.assertion import MFA_ACR, AssertionRefused
from contextmfa.service.errors import MfaRequired
from contextmfa.service.tenants import Tenant
from contextmfa.store.clock import from_posix

__all__ = ["PROOF_SCOPE", "check_recent_mfa", "has_a_factor"]

PROOF_SCOPE = "settings-proof"
MAX_ASSERTION_CHARS = 4096
_ASK = (
    "this user has MFA: send the assertion of an MFA they passed in the last 5 minutes "
    "(body field 'assertion')"
)


def has_a_factor(tenant: Tenant, user_id: str, *, email_unverified: bool) -> bool:
    """A confirmed authenticator now, or an email the tenant accepts as a factor.

    The store knows authenticators, not whether the identity provider verified the user's email,
    so an email counts unless the app says, explicitly, that it is not verified: an app that
    leaves the field out is asked for proof (fail closed).
    """
    if tenant.store.authenticators.for_user(tenant.id, user_id):
        return True
    return "email" in tenant.factors and not email_unverified


def check_recent_mfa(tenant: Tenant, user_id: str, assertion: str | None, *, now: datetime) -> None:
    """Refuse (403 ``access_denied``) unless ``assertion`` proves a fresh MFA of ``user_id``."""
    if not assertion or len(assertion) > MAX_ASSERTION_CHARS:
        raise MfaRequired(_ASK)
    try:
        claims = tenant.signer.verify(assertion)
    except AssertionRefused:
        raise MfaRequired(f"{_ASK}; the one sent is not an assertion of this tenant") from None
    moment = now.timestamp()
    if (
        claims.get("sub") != user_id
        or claims.get("acr") != MFA_ACR
        or not claims.get("amr")
        or not isinstance(claims.get("exp"), int)
        or not isinstance(claims.get("jti"), str)
    ):
        raise MfaRequired(f"{_ASK}; the one sent is not this user's")
    if moment >= claims["exp"]:
        raise MfaRequired(f"{_ASK}; the one sent has expired")
    key = hashlib.sha256(claims["jti"].encode()).hexdigest()
    if not tenant.store.single_use.claim(
        tenant.id, PROOF_SCOPE, key, now=now, expires_at=from_posix(claims["exp"])
    ):
        raise MfaRequired(f"{_ASK}; the one sent was already used")
