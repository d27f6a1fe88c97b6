"""Removing an authenticator also forgets the user's remembered browsers.

A browser remembered after an MFA skips MFA for its days, whoever passed that MFA. If the
authenticator that passed it is removed (an admin removing a rogue first enrollment, a user
removing a lost phone), the browser it let in must not keep skipping MFA: every browser of the
user is forgotten, as a full reset does. Pending (unconfirmed) enrollments let nobody in, so
removing one forgets nothing.
"""

from __future__ import annotations

from typing import Any

from contextmfa.store.ports import Authenticator

__all__ = ["remove_authenticator"]


def remove_authenticator(store: Any, tenant_id: str, authenticator: Authenticator) -> bool:
    """Remove ``authenticator`` of ``store`` (``Store`` or ``InMemoryStore``); True if it was
    there. A confirmed one takes the user's remembered browsers with it."""
    if not store.authenticators.remove(tenant_id, authenticator.id):
        return False
    if authenticator.confirmed:
        store.remember.invalidate_user(tenant_id, authenticator.user_id)
    return True
