"""Random identifiers and bearer tokens, and the hash a bearer token is stored under.

Ids are random (not sequential) so that an authenticator or challenge id reveals nothing about
others and can serve as an ``oob_code``. Remember-browser tokens carry 256 random bits, so a plain
SHA-256 is a safe stored form: unlike a 6-digit code, it cannot be brute-forced from its hash.
"""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["new_id", "new_token", "token_hash"]


def new_id() -> str:
    """A random 144-bit id, 24 urlsafe characters."""
    return secrets.token_urlsafe(18)


def new_token() -> str:
    """A random 256-bit bearer token, 43 urlsafe characters."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The stored (and looked-up) form of a bearer token: 64 hex digits."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
