"""The hosted pages' session: one sealed, HttpOnly cookie, and the CSRF token of its forms.

A page session is what a browser carries between the pages of one task::

    kind        "mfa" (a login's MFA steps; data holds the mfa_token) or "settings"
    data        what the pages of that kind need between requests (small: it rides in a cookie)
    expires_at  POSIX seconds; the mfa kind ends with its mfa_token
    seed        random, per session; the CSRF token is HMAC(key, seed)

The cookie value is sealed with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from the
service master key (``MasterKey.derive("service/pages")``, kept by :class:`Tenants`), so the
browser can neither read the mfa_token nor change a byte. It is sent only to ``/u`` paths,
HttpOnly, ``SameSite=Lax`` and ``Secure`` over https. Expiry is checked against the service's
clock, not Fernet's timestamp, so every worker (and every test clock) agrees.

Every form of a page carries :meth:`PageSessions.csrf_token` in a hidden field; a POST is taken
only when it matches (``hmac.compare_digest``), see :mod:`pages.forms`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from cryptography.fernet import Fernet, InvalidToken
from starlette.requests import Request
from starlette.responses import Response

from contextmfa.service.pages.errors import SessionTooLarge

__all__ = [
    "COOKIE",
    "COOKIE_PATH",
    "MAX_COOKIE_CHARS",
    "PageSession",
    "PageSessions",
    "SessionKind",
]

COOKIE = "contextmfa_page"
COOKIE_PATH = "/u"
MAX_COOKIE_CHARS = 3800
"""Browsers keep cookies up to about 4 KiB with their name; larger sessions are refused."""

SessionKind = Literal["mfa", "settings"]
_KINDS = ("mfa", "settings")


@dataclass(frozen=True)
class PageSession:
    kind: SessionKind
    data: Mapping[str, Any] = field(repr=False)
    expires_at: int
    seed: str = field(repr=False)

    def expired(self, now: datetime) -> bool:
        return now.timestamp() >= self.expires_at

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def updated(self, **changes: Any) -> PageSession:
        """The same session (same CSRF seed) with ``changes`` in its data; None removes a key."""
        data = {**self.data, **changes}
        return replace(self, data={k: v for k, v in data.items() if v is not None})


class PageSessions:
    """Seals sessions into cookie values, opens them, and makes and checks CSRF tokens."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the page session key needs 32 bytes")
        seal_key = hmac.new(key, b"seal", hashlib.sha256).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(seal_key))
        self._csrf_key = hmac.new(key, b"csrf", hashlib.sha256).digest()

    def __repr__(self) -> str:
        return "PageSessions(<key hidden>)"

    @staticmethod
    def new(kind: SessionKind, data: Mapping[str, Any], *, expires_at: int) -> PageSession:
        return PageSession(kind, dict(data), int(expires_at), secrets.token_urlsafe(18))

    def seal(self, session: PageSession) -> str:
        plain = {"k": session.kind, "d": dict(session.data), "e": session.expires_at}
        plain["s"] = session.seed
        text = json.dumps(plain, separators=(",", ":"), ensure_ascii=True)
        return self._fernet.encrypt(text.encode("ascii")).decode("ascii")

    def open(self, value: str | None, *, now: datetime) -> PageSession | None:
        """The session sealed in ``value``; None when absent, forged, malformed or expired."""
        if not value or len(value) > MAX_COOKIE_CHARS:
            return None
        try:
            plain = json.loads(self._fernet.decrypt(value.encode("ascii")))
            session = PageSession(
                kind=plain["k"], data=dict(plain["d"]), expires_at=int(plain["e"]), seed=plain["s"]
            )
        except (InvalidToken, UnicodeError, ValueError, KeyError, TypeError):
            return None
        if session.kind not in _KINDS or not isinstance(session.seed, str):
            return None
        return None if session.expired(now) else session

    def read(self, request: Request, *, now: datetime) -> PageSession | None:
        return self.open(request.cookies.get(COOKIE), now=now)

    def csrf_token(self, session: PageSession) -> str:
        mac = hmac.new(self._csrf_key, session.seed.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")

    def csrf_matches(self, session: PageSession, presented: str | None) -> bool:
        if not isinstance(presented, str) or not presented:
            return False
        expected = self.csrf_token(session).encode("ascii")
        return hmac.compare_digest(expected, presented.encode("utf-8", "replace"))

    def attach(
        self, response: Response, session: PageSession, *, request: Request, now: datetime
    ) -> None:
        """Set the cookie; a session too large for a cookie is refused, never truncated."""
        value = self.seal(session)
        if len(value) > MAX_COOKIE_CHARS:
            raise SessionTooLarge()
        response.set_cookie(
            COOKIE,
            value,
            max_age=max(1, session.expires_at - int(now.timestamp())),
            path=COOKIE_PATH,
            secure=request.url.scheme == "https",
            httponly=True,
            samesite="lax",
        )

    @staticmethod
    def clear(response: Response, *, request: Request) -> None:
        response.delete_cookie(
            COOKIE,
            path=COOKIE_PATH,
            secure=request.url.scheme == "https",
            httponly=True,
            samesite="lax",
        )
