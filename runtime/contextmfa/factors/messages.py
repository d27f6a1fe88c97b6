"""The words of every message the factors send. The code appears only in the body, never a log.

SMS bodies end with the origin-bound line of the WebOTP format (``@rp.example #123456``) so a
browser on the RP's domain can offer the code from the SMS, and will not on a phishing domain.
"""

from __future__ import annotations

__all__ = ["email_code", "push_title", "sms_code", "voice_code"]


def sms_code(issuer: str, code: str, rp_id: str, minutes: int) -> str:
    return (
        f"{code} is your {issuer} verification code. It expires in {minutes} minutes. "
        f"Do not share it.\n\n@{rp_id} #{code}"
    )


def voice_code(issuer: str, code: str) -> str:
    spoken = ", ".join(code)
    return f"Your {issuer} verification code is {spoken}. Again: {spoken}."


def email_code(issuer: str, code: str, minutes: int) -> tuple[str, str]:
    """Subject and body."""
    subject = f"Your {issuer} verification code"
    body = (
        f"Your {issuer} verification code is:\n\n    {code}\n\n"
        f"It expires in {minutes} minutes. If you did not try to sign in, ignore this message "
        "and consider changing your password.\n"
    )
    return subject, body


def push_title(issuer: str) -> str:
    return f"Sign-in request for {issuer}"
