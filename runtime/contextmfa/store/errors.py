"""The store's own errors, under contextmfa's one root (``contextmfa.errors``).

    ContextMFAError
     ├── ConfigError
     │    └── SecretKeyMismatch   a stored secret does not open with CONTEXTMFA_SECRET_KEY
     ├── StoreUnavailable         the database or Redis is unreachable or stayed busy
     └── HistoryConflict          a login's commit found the user's history moved since it read it

A missing or malformed key is a plain ConfigError. No message carries a key, secret or code.
"""

from __future__ import annotations

from contextmfa.errors import ConfigError, ContextMFAError

__all__ = ["HistoryConflict", "SecretKeyMismatch", "StoreUnavailable"]


class SecretKeyMismatch(ConfigError):
    """A stored secret does not open with the configured key (wrong key, or altered data)."""

    code = "secret_key_mismatch"


class StoreUnavailable(ContextMFAError):
    """The database (or Redis) could not be reached or stayed busy; the call did not happen."""

    code = "store_unavailable"


class HistoryConflict(ContextMFAError):
    """Another login of the user was added to the history after this one's evaluation read it."""

    code = "history_conflict"
