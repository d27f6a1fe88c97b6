"""Codes a person types: 6-digit one-time codes and the 24-character recovery code.

Both are drawn from the injected :class:`~contextmfa.factors.context.Entropy` (the CSPRNG in
production) without modulo bias, and normalised the same way when issued and when typed, so
``abcd-efgh ...`` matches ``ABCDEFGH...``. Neither is stored: only the store's keyed hash is.
"""

from __future__ import annotations

import string
from datetime import datetime

from contextmfa.factors.context import FactorServices, Subject

__all__ = [
    "RECOVERY_ALPHABET",
    "RECOVERY_LENGTH",
    "RECOVERY_TYPE",
    "issue_recovery_code",
    "new_numeric_code",
    "new_recovery_code",
    "normalize_digits",
    "normalize_recovery_code",
]

RECOVERY_TYPE = "recovery-code"
RECOVERY_ALPHABET = string.ascii_uppercase + string.digits
RECOVERY_LENGTH = 24
"""24 of 36 symbols: about 124 bits, Auth0's shape (``ALKE6EJZ4853BJYLM2DM2WU7``)."""

_SEPARATORS = str.maketrans("", "", " -\t")


def new_numeric_code(services: FactorServices, digits: int = 6) -> str:
    return str(services.entropy.randbelow(10**digits)).zfill(digits)


def new_recovery_code(services: FactorServices) -> str:
    alphabet = RECOVERY_ALPHABET
    return "".join(
        alphabet[services.entropy.randbelow(len(alphabet))] for _ in range(RECOVERY_LENGTH)
    )


def normalize_digits(text: str | None, digits: int) -> str | None:
    """The code without spaces or dashes, or None if it is not exactly ``digits`` ASCII digits."""
    if not isinstance(text, str):
        return None
    code = text.translate(_SEPARATORS)
    if len(code) != digits or not (code.isascii() and code.isdigit()):
        return None
    return code


def normalize_recovery_code(text: str | None) -> str | None:
    """Upper-cased, separators dropped; None unless 24 characters of the alphabet."""
    if not isinstance(text, str):
        return None
    code = text.translate(_SEPARATORS).upper()
    if len(code) != RECOVERY_LENGTH or any(c not in RECOVERY_ALPHABET for c in code):
        return None
    return code


def issue_recovery_code(services: FactorServices, subject: Subject, *, now: datetime) -> str:
    """A fresh recovery code for the user, replacing any other; returns it (shown once)."""
    store = services.authenticators
    for old in store.for_user(subject.tenant_id, subject.user_id, confirmed_only=False):
        if old.type == RECOVERY_TYPE:
            store.remove(subject.tenant_id, old.id)
    code = new_recovery_code(services)
    digest = services.codes.hash(subject.tenant_id, code)
    store.add(
        subject.tenant_id,
        subject.user_id,
        RECOVERY_TYPE,
        name="Recovery code",
        public={},
        secret=digest.encode("ascii"),
        confirmed=True,
        now=now,
    )
    return code
