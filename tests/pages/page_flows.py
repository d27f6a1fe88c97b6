"""What the page tests share: the identity provider's side of a login on the hosted pages."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from browser_helpers import LiveService
from page_helpers import assertion_claims


def entry_url(live: LiveService, mfa_token: str, state: str) -> str:
    """Where an identity provider sends the browser: the challenge page with the token."""
    query = urlencode({"mfa_token": mfa_token, "return_to": live.return_url, "state": state})
    return f"{live.base_url}/u/mfa?{query}"


def start_login(live: LiveService, page: Any, user_id: str | None = None) -> tuple[str, str]:
    """Post a login for ``user_id`` (a fresh user by default) and open its page in the browser;
    returns the user id and the state the identity provider will expect back."""
    user_id = user_id or f"auth0|user-{secrets.token_hex(6)}"
    decision = live.api_login(live.login_event(user_id))
    state = f"state-{secrets.token_hex(4)}"
    page.goto(entry_url(live, decision["mfa_token"], state))
    return user_id, state


def returned_claims(live: LiveService, state: str) -> dict[str, Any]:
    """The assertion the page handed back with ``state``, checked with the service's JWKS."""
    (form,) = [f for f in live.returned if f.get("state") == state]
    claims = assertion_claims(live.http, form["assertion"], issuer=live.base_url)
    claims["_form"] = form
    return claims
