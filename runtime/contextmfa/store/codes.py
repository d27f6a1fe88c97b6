"""Codes (SMS / voice / email codes, recovery codes) are stored as keyed hashes, never in clear.

``HMAC-SHA256`` under a sub-key of the secret key (purpose ``codes-v1``), over the tenant id and
the code, length-prefixed so no (tenant, code) pair collides with another. A keyed hash, not a
plain one: a 6-digit code has a million values, so a leaked table of plain hashes would be read
back in a millisecond; without the key it cannot be.

Normalising a code (upper-casing a recovery code, dropping spaces and dashes) is the factor's job,
done before hashing both the issued code and the candidate.
"""

from __future__ import annotations

import hmac
from hashlib import sha256

from contextmfa.store.keys import MasterKey

__all__ = ["CodeHasher", "code_key", "codes_match", "hash_code"]

_PREFIX = "h1:"


def code_key(master: MasterKey) -> bytes:
    """The sub-key that code hashes are made with."""
    return master.derive("codes-v1")


def hash_code(key: bytes, tenant_id: str, code: str) -> str:
    """The stored form of ``code`` for ``tenant_id``: ``h1:`` + 64 hex digits."""
    message = b""
    for part in (tenant_id, code):
        data = part.encode("utf-8")
        message += len(data).to_bytes(4, "big") + data
    return _PREFIX + hmac.new(key, message, sha256).hexdigest()


def codes_match(stored_hash: str | None, candidate_hash: str) -> bool:
    """Constant-time comparison of two hashes from :func:`hash_code`; False for a missing one."""
    if not stored_hash:
        return False
    return hmac.compare_digest(stored_hash.encode("ascii"), candidate_hash.encode("ascii"))


class CodeHasher:
    """:func:`hash_code` with its key bound; what the factor module receives from the store."""

    __slots__ = ("_key",)

    def __init__(self, master: MasterKey) -> None:
        self._key = code_key(master)

    def hash(self, tenant_id: str, code: str) -> str:
        return hash_code(self._key, tenant_id, code)

    def matches(self, stored_hash: str | None, tenant_id: str, candidate: str) -> bool:
        """True if ``candidate`` is the code ``stored_hash`` was made from (constant time)."""
        return codes_match(stored_hash, self.hash(tenant_id, candidate))

    def __repr__(self) -> str:
        return "CodeHasher(<key hidden>)"
