"""What the pages say when something is refused: page errors, and friendly words for the rest.

    PageError                 status  title
     ├── SessionMissing          401  no page session, or it ended (start the sign-in again)
     ├── CsrfRefused             403  form token missing or wrong, or a foreign Origin
     ├── ReturnToRefused         400  return_to is not one of ``[service] return_urls``
     ├── BadForm                 400  not a form, too large, duplicate or malformed fields
     ├── SessionTooLarge         400  the sign-in's data does not fit in the page cookie
     └── PageNotFound            404  no such page or file under /u

The service's own errors (:mod:`service.errors`), the factors' (Auth0 codes) and delivery
failures are turned into a sentence for the person at the browser by :func:`friendly`: wrong
code, too many attempts (with when to retry), expired, rejected on the device. Nothing from the
request is echoed, and nothing but these sentences ever reaches the page (no stack trace, no
code, no secret).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from contextmfa.delivery.errors import DeliveryError
from contextmfa.errors import ContextMFAError, InputError
from contextmfa.factors.errors import FactorError, SlowDown, TooManyAttempts
from contextmfa.service.errors import ExpiredMfaToken, InvalidMfaToken, ServiceError
from contextmfa.store.errors import StoreUnavailable

__all__ = [
    "BadForm",
    "CsrfRefused",
    "Friendly",
    "PageError",
    "PageNotFound",
    "ReturnToRefused",
    "SessionMissing",
    "SessionTooLarge",
    "friendly",
    "retry_words",
]

RESTART = "Go back to the application you were signing in to and start again."


class PageError(ContextMFAError):
    """A refusal shown as a whole page: ``title`` as its heading, ``message`` under it.

    A subclass names its condition with class attributes (``status``, ``title``, ``code`` and
    ``default_message``, the words when the raiser has nothing more precise to say)."""

    status = 400
    title = "Something went wrong"
    code = "invalid_request"
    default_message = "This request could not be accepted."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class SessionMissing(PageError):
    status = 401
    title = "Your session has ended"
    code = "expired_token"
    default_message = f"This page is no longer active. {RESTART}"


class CsrfRefused(PageError):
    status = 403
    title = "Request refused"
    code = "access_denied"
    default_message = (
        "This form could not be accepted: it did not come from this page, or the "
        "page was open too long. Reload the page and try again."
    )


class ReturnToRefused(PageError):
    status = 400
    title = "Unknown application"
    code = "invalid_request"
    default_message = (
        "The application that sent you here asked to be answered at an address "
        "this service does not know (return_to is not in the allowed return URLs), so "
        "the sign-in cannot continue."
    )


class BadForm(PageError):
    status = 400
    title = "Request refused"


class SessionTooLarge(PageError):
    status = 400
    title = "This sign-in cannot continue here"
    default_message = (
        "This sign-in carries more data than this page can keep. Contact your administrator."
    )


class PageNotFound(PageError):
    status = 404
    title = "Page not found"
    default_message = "There is no such page. Check the address."


@dataclass(frozen=True)
class Friendly:
    """A refusal in words: the page stays, the message is shown in its alert."""

    message: str
    status: int
    code: str
    retry_after: int | None = None
    ends_attempt: bool = False
    """The challenge cannot go on (expired, used up, rejected): offer to start again."""


_CHANNELS = {
    "sms": "text message",
    "voice": "phone call",
    "email": "email",
    "push": "notification",
}


def retry_words(seconds: int) -> str:
    if seconds <= 60:
        return "in a minute"
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return f"in {minutes} minutes"
    return f"in {math.ceil(minutes / 60)} hours"


def _factor(exc: FactorError) -> Friendly:
    code, status = exc.code, exc.status
    if isinstance(exc, TooManyAttempts):
        if exc.retry_after > 0:
            text = (
                f"Too many attempts. For your security, try again {retry_words(exc.retry_after)}."
            )
            return Friendly(text, status, code, retry_after=exc.retry_after)
        text = "Too many tries for this code. Ask for a new one, or choose another method."
        return Friendly(text, status, code, ends_attempt=True)
    if isinstance(exc, SlowDown):
        return Friendly("Still waiting for your answer.", status, code, retry_after=exc.interval)
    words = {
        "invalid_grant": ("That did not work. Try again, or choose another method.", False),
        "expired_token": ("This has expired. Ask for a new code, or choose another method.", True),
        "access_denied": ("The sign-in was rejected on your device.", True),
        "authorization_pending": ("Still waiting for your answer.", False),
        "association_required": ("You have not set up this method yet. Choose another.", True),
        "unsupported_challenge_type": ("This method cannot be used here. Choose another.", True),
        "mfa_factor_unavailable": (
            "This method is not available right now. Try again later or choose another.",
            True,
        ),
    }
    if code in words:
        text, ends = words[code]
        if code == "access_denied" and "already has an authenticator" in exc.description:
            text = (
                "You already have a way to sign in. Start the sign-in again and use it "
                "before adding another."
            )
        elif code == "invalid_grant" and "step was already completed" in exc.description:
            text = f"This step was already completed. {RESTART}"
        elif code == "invalid_grant" and "already used" in exc.description:
            text = "This code was already used. Wait for a new one and try again."
        elif code == "invalid_grant" and "code" in exc.description:
            text = "That code is not right. Check it and try again."
        return Friendly(text, status, code, ends_attempt=ends)
    return Friendly(_sentence(exc.description), status, code)


def _sentence(description: str) -> str:
    """An invalid_request description (written for users, naming fields) as a sentence."""
    if "phone_number" in description:
        return (
            "Enter the phone number in international form: a + and the country code, "
            "for example +44 20 7946 0958."
        )
    if description.startswith("email"):
        return "Enter a valid email address."
    text = description.strip().rstrip(".")
    return (text[:1].upper() + text[1:] + ".") if text else "The request is not valid."


def friendly(exc: Exception) -> Friendly:
    """Words for the person at the browser; unknown errors are the caller's to log as bugs."""
    if isinstance(exc, PageError):
        return Friendly(exc.message, exc.status, exc.code, ends_attempt=True)
    if isinstance(exc, ExpiredMfaToken):
        return Friendly(f"This sign-in has expired. {RESTART}", 401, exc.code, ends_attempt=True)
    if isinstance(exc, InvalidMfaToken):
        text = f"This sign-in link is not valid. {RESTART}"
        return Friendly(text, 401, exc.code, ends_attempt=True)
    if isinstance(exc, ServiceError):
        return Friendly(_sentence(exc.description), exc.status, exc.code)
    if isinstance(exc, FactorError):
        return _factor(exc)
    if isinstance(exc, DeliveryError):
        what = _CHANNELS.get(exc.channel, "message")
        text = f"We could not send the {what} right now. Try again, or choose another method."
        return Friendly(text, exc.status, exc.code, ends_attempt=True)
    if isinstance(exc, StoreUnavailable):
        text = "The service is busy right now. Wait a moment and try again."
        return Friendly(text, 503, "temporarily_unavailable", retry_after=1)
    if isinstance(exc, InputError):
        return Friendly("The request is not valid.", 400, "invalid_request")
    raise TypeError(f"no friendly words for {type(exc).__name__}")
