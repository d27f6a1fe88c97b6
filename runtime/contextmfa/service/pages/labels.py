"""What the pages call each factor, and what they say about it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CODE_FACTORS",
    "LABELS",
    "PAGE_FACTORS",
    "PUSH",
    "WEBAUTHN_FACTORS",
    "Choice",
    "FactorLabel",
    "label",
]


@dataclass(frozen=True)
class FactorLabel:
    name: str
    """Short, as on a button: "Authenticator app"."""
    about: str
    """One sentence for a list of choices."""


LABELS: dict[str, FactorLabel] = {
    "otp": FactorLabel(
        "Authenticator app",
        "A 6-digit code from an app such as Google Authenticator, Microsoft Authenticator or "
        "FreeOTP.",
    ),
    "push-notification": FactorLabel(
        "Push notification", "Approve the sign-in in the mobile app on your phone."
    ),
    "webauthn-roaming": FactorLabel(
        "Security key", "A USB, NFC or Bluetooth security key that you touch."
    ),
    "webauthn-platform": FactorLabel(
        "This device", "Your device's fingerprint, face recognition or screen lock."
    ),
    "sms": FactorLabel("Text message", "A 6-digit code sent by text message to your phone."),
    "voice": FactorLabel("Phone call", "A 6-digit code read out in an automated phone call."),
    "email": FactorLabel("Email", "A 6-digit code sent to your email address."),
    "recovery-code": FactorLabel(
        "Recovery code", "The 24-character code you saved when you set up your first method."
    ),
    "duo": FactorLabel(
        "Duo", "Approve the sign-in with Duo Mobile or another of your Duo methods, on Duo's page."
    ),
}

PUSH = "push-notification"
PAGE_FACTORS = tuple(LABELS)
"""The factors the hosted pages can walk (Duo by a round trip to its Universal Prompt)."""
CODE_FACTORS = ("otp", "sms", "voice", "email", "recovery-code")
WEBAUTHN_FACTORS = ("webauthn-roaming", "webauthn-platform")


def label(factor: str) -> FactorLabel:
    return LABELS.get(factor, FactorLabel(factor, ""))


@dataclass(frozen=True)
class Choice:
    """One button of a list of methods: the form field's ``value``, its factor and its words."""

    value: str
    factor: str
    name: str
    detail: str

    @classmethod
    def of(cls, factor: str, value: str | None = None) -> Choice:
        """The factor itself as the choice, in its own words."""
        info = label(factor)
        return cls(factor if value is None else value, factor, info.name, info.about)
