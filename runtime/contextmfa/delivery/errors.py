"""The one delivery failure: a message was not handed to its provider.

    ContextMFAError                (contextmfa.errors)
     └── DeliveryError             mfa_factor_unavailable  503

The message names the provider, the channel and what went wrong on the wire (connection refused,
HTTP 401, SMTP reply code). It never carries the message body, the code in it, a credential, or
the provider's response text (which may echo what was sent).
"""

from __future__ import annotations

from contextmfa.errors import ContextMFAError

__all__ = ["DeliveryError"]


class DeliveryError(ContextMFAError):
    """A provider did not accept a message; the challenge it belonged to has not been sent."""

    code = "mfa_factor_unavailable"
    status = 503

    def __init__(self, provider: str, channel: str, reason: str) -> None:
        self.provider = provider
        self.channel = channel
        self.reason = reason
        self.description = f"{channel} delivery through {provider} failed: {reason}"
        super().__init__(self.description)

    def __repr__(self) -> str:
        return f"DeliveryError({self.description!r})"
