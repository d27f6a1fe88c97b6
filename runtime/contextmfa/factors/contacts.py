"""Phone numbers and email addresses a code is sent to: validated, normalised, masked.

Phone numbers must be given in international form (``+`` and country code) and be valid numbers
for their region according to libphonenumber; they are stored in E.164 (``+14155550123``).
Email addresses get a deliberately plain check (one ``@``, a dotted domain, no spaces, at most 254
characters); the confirmation code is what proves the address.
"""

from __future__ import annotations

import re

import phonenumbers

from contextmfa.factors.errors import InvalidRequest

__all__ = ["normalize_email", "normalize_phone"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def normalize_phone(number: str | None) -> str:
    """``number`` in E.164, or :class:`InvalidRequest` (the number is not echoed)."""
    if not isinstance(number, str) or not number.strip():
        raise InvalidRequest("phone_number is required")
    text = number.strip()
    if not text.startswith("+"):
        raise InvalidRequest("phone_number must be in international form, starting with +")
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise InvalidRequest("phone_number is not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidRequest("phone_number is not a valid number for its country")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(address: str | None) -> str:
    """The address with its domain lower-cased, or :class:`InvalidRequest`."""
    if not isinstance(address, str) or not address.strip():
        raise InvalidRequest("email is required")
    text = address.strip()
    if len(text) > 254 or not _EMAIL.match(text):
        raise InvalidRequest("email is not an email address")
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"
