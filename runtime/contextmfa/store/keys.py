"""The secret key (``CONTEXTMFA_SECRET_KEY``) and the sub-keys derived from it.

The key is 32 random bytes in urlsafe base64 (Fernet's format; :func:`keygen` prints one). It is
never used directly: each use gets its own sub-key, ``HMAC-SHA256(key, "contextmfa/<purpose>")``,
so the key that encrypts secrets at rest is not the key that hashes codes, and a leak of one
derived key does not give the other.

No function here puts a key, or any part of one, in an exception message or a log line.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Mapping

from contextmfa.errors import ConfigError

__all__ = [
    "DEVELOPMENT_KEY",
    "ENV_VAR",
    "MasterKey",
    "keygen",
    "load_master_key",
]

ENV_VAR = "CONTEXTMFA_SECRET_KEY"

# A fixed key for explicit development mode only: anything encrypted with it is readable by anyone
# who has this source file.
DEVELOPMENT_KEY = base64.urlsafe_b64encode(b"contextmfa-development-only-key!").decode("ascii")

_log = logging.getLogger("contextmfa.store")


def keygen() -> str:
    """A new secret key: 32 random bytes, urlsafe base64 (what ``contextmfa keygen`` prints)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


class MasterKey:
    """The decoded secret key; hands out purpose-bound sub-keys. Its repr shows nothing."""

    __slots__ = ("_key", "development")

    def __init__(self, text: str, *, development: bool = False) -> None:
        try:
            raw = base64.urlsafe_b64decode(text.strip().encode("ascii"))
        except (binascii.Error, ValueError, UnicodeError):
            raw = b""
        if len(raw) != 32:
            raise ConfigError(
                f"{ENV_VAR} must be 32 random bytes in urlsafe base64 "
                "(run `contextmfa keygen` for a new one)"
            )
        self._key = raw
        self.development = development

    def derive(self, purpose: str) -> bytes:
        """A 32-byte sub-key bound to ``purpose``."""
        label = b"contextmfa/" + purpose.encode("utf-8")
        return hmac.new(self._key, label, hashlib.sha256).digest()

    def __repr__(self) -> str:
        return "MasterKey(<hidden>)"


def load_master_key(
    secret_key: str | None,
    *,
    development: bool = False,
    environ: Mapping[str, str] | None = None,
) -> MasterKey:
    """The key given, else ``CONTEXTMFA_SECRET_KEY``, else (development only) the fixed key.

    Without a key and outside development mode this is a :class:`ConfigError`: contextmfa never
    quietly encrypts real secrets with a key everybody knows.
    """
    env = os.environ if environ is None else environ
    text = secret_key or env.get(ENV_VAR) or ""
    if text:
        return MasterKey(text)
    if development:
        _log.warning(
            "using the fixed development secret key: stored secrets are NOT protected "
            "(set %s for any real deployment)",
            ENV_VAR,
        )
        return MasterKey(DEVELOPMENT_KEY, development=True)
    raise ConfigError(
        f"{ENV_VAR} is not set: the store needs it to encrypt secrets at rest "
        "(run `contextmfa keygen` for a new one, or open the store in development mode)"
    )
