"""One HTTPS POST with the standard library, for the Twilio and webhook providers.

Every way it can fail (DNS, refused connection, TLS, timeout, a non-2xx status) becomes a
:class:`DeliveryError` naming the provider and the condition; the response body is read for a
provider's own error code only when the caller asks, and is never put into the message.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contextmfa.delivery.errors import DeliveryError

__all__ = ["HttpResult", "post"]


@dataclass(frozen=True, slots=True)
class HttpResult:
    status: int
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def post(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    provider: str,
    channel: str,
    timeout: float,
    context: ssl.SSLContext | None = None,
) -> HttpResult:
    """POST ``body``; a 2xx answer is returned, anything else raises :class:`DeliveryError`."""
    if not url.startswith(("https://", "http://")):
        raise DeliveryError(provider, channel, "the provider URL is not http(s)")
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            return HttpResult(response.status, response.read())
    except urllib.error.HTTPError as exc:
        detail = _provider_code(exc)
        raise DeliveryError(provider, channel, f"HTTP {exc.code}{detail}") from None
    except (urllib.error.URLError, OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "reason", exc)
        message = f"cannot reach the provider ({_kind(reason)})"
        raise DeliveryError(provider, channel, message) from None


def _provider_code(exc: urllib.error.HTTPError) -> str:
    """Twilio-style ``{"code": 21211}``: a number says what went wrong and echoes nothing."""
    try:
        data = json.loads(exc.read() or b"null")
    except (ValueError, OSError):
        return ""
    code = data.get("code") if isinstance(data, dict) else None
    return f" (provider error {code})" if isinstance(code, int) else ""


def _kind(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, ssl.SSLError):
        return "TLS error"
    return type(reason).__name__
