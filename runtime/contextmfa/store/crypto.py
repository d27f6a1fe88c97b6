"""Encryption at rest for authenticator secrets and outbox bodies (Fernet, AES-128-CBC + HMAC).

The Fernet key is a sub-key of ``CONTEXTMFA_SECRET_KEY`` (purpose ``fernet-v1``). Each plaintext
is bound to where it lives: the sealed message is ``tenant id, row id, payload`` (length-prefixed),
and opening checks the binding, so a database writer cannot move a ciphertext from one user's
authenticator onto another's and have it accepted.

A wrong key, or tampered data, raises :class:`SecretKeyMismatch` whose message says only that:
nothing of the ciphertext, the plaintext or the key.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken

from contextmfa.store.errors import SecretKeyMismatch
from contextmfa.store.keys import ENV_VAR, MasterKey

__all__ = ["SecretBox", "SecretKeyMismatch"]

_VERSION = b"cmfa1"


def _frame(*parts: bytes) -> bytes:
    return b"".join(len(part).to_bytes(4, "big") + part for part in parts)


class SecretBox:
    """Seals and opens byte strings bound to (tenant id, row id). Its repr shows nothing."""

    __slots__ = ("_fernet",)

    def __init__(self, master: MasterKey) -> None:
        self._fernet = Fernet(base64.urlsafe_b64encode(master.derive("fernet-v1")))

    def seal(self, tenant_id: str, row_id: str, payload: bytes) -> bytes:
        message = _frame(_VERSION, tenant_id.encode("utf-8"), row_id.encode("utf-8"), payload)
        return self._fernet.encrypt(message)

    def open(self, tenant_id: str, row_id: str, token: bytes) -> bytes:
        try:
            message = self._fernet.decrypt(bytes(token))
        except InvalidToken:
            raise SecretKeyMismatch(
                f"a stored secret cannot be decrypted with this {ENV_VAR} "
                "(wrong key, or the data was altered)"
            ) from None
        parts = _unframe(message)
        expected = [_VERSION, tenant_id.encode("utf-8"), row_id.encode("utf-8")]
        if parts is None or parts[:3] != expected:
            raise SecretKeyMismatch("a stored secret is not bound to the row it was read from")
        return parts[3]

    def __repr__(self) -> str:
        return "SecretBox(<key hidden>)"


def _unframe(message: bytes) -> list[bytes] | None:
    parts: list[bytes] = []
    at = 0
    while at < len(message):
        if at + 4 > len(message):
            return None
        size = int.from_bytes(message[at : at + 4], "big")
        at += 4
        if at + size > len(message):
            return None
        parts.append(message[at : at + size])
        at += size
    return parts if len(parts) == 4 else None
