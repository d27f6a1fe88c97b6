"""What the hosted-page tests share: reading a page's HTML, a tenant's page settings, checking a
handed-back assertion, and the service behind FastAPI's TestClient (:class:`PageSite`)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import jwt
import pyotp
from fastapi.testclient import TestClient
from service_helpers import SECRET_KEY, Clock, TenantFiles, bearer, login_event

from contextmfa.directives import FACTORS as ALL_FACTORS
from contextmfa.service import Tenant, create_app, load_tenants

ORIGIN = "https://mfa.acme.test"
RETURN_TO = "https://idp.acme.test/login/callback"
AUDIENCE = "portal-web"
FACTORS = tuple(f for f in ALL_FACTORS if f != "duo")
"""Every factor the hosted pages walk but Duo (it needs a Duo stand-in of its own)."""


# Reading a page -----------------------------------------------------------------------------


def csrf_of(text: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', text)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def alert_of(text: str) -> tuple[str, str]:
    """The page's alert: (its data-code, its text)."""
    found = re.search(r'role="alert" id="page-error" data-code="([^"]*)">\s*<p>([^<]*)</p>', text)
    assert found, "the page shows no alert"
    return found.group(1), html.unescape(found.group(2))


def hidden_fields(text: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', text))


def choice_of(text: str, factor: str) -> str:
    """The value of the picker's button for ``factor``."""
    found = re.search(rf'name="choice" value="([^"]+)"\s+data-factor="{re.escape(factor)}"', text)
    assert found, f"no {factor} choice on the page"
    return found.group(1)


# The tenant and the assertion ---------------------------------------------------------------


def add_page_settings(files: TenantFiles, **settings: str | list[str]) -> None:
    """Append ``settings`` (return_urls, webauthn_origins, ...) to the tenant's ``[service]``
    table, which :func:`service_helpers.write_tenant` writes last."""
    text = files.path.read_text()
    tables = re.findall(r"^\[([\w.]+)\]$", text, flags=re.MULTILINE)
    assert tables[-1] == "service", "the page settings extend the [service] table"
    lines = [f"{name} = {_toml(value)}\n" for name, value in settings.items()]
    files.path.write_text(text + "".join(lines))


def _toml(value: str | list[str]) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(f'"{item}"' for item in value) + "]"
    return f'"{value}"'


def assertion_claims(
    client: Any, assertion: str, *, issuer: str, audience: str = AUDIENCE
) -> dict[str, Any]:
    """The claims of a handed-back assertion, checked with the service's JWKS (``client``: an
    HTTP client of the service)."""
    keys = client.get("/.well-known/jwks.json", params={"tenant": "acme"}).json()
    kid = jwt.get_unverified_header(assertion)["kid"]
    (jwk,) = [k for k in keys["keys"] if k["kid"] == kid]
    return jwt.decode(
        assertion,
        jwt.PyJWK(jwk).key,
        algorithms=["ES256"],
        audience=audience,
        issuer=issuer,
        options={"verify_exp": False, "verify_iat": False},
    )


# The service over TestClient ----------------------------------------------------------------


@dataclass
class PageSite:
    """The service at ``ORIGIN`` with the tenant "acme", its clock moved by the tests."""

    client: TestClient
    clock: Clock
    files: TenantFiles
    tenant: Tenant

    def decision(self, user_id: str, **changes: Any) -> dict[str, Any]:
        """``POST /v1/logins`` for ``user_id``: the decision, with its ``mfa_token``."""
        event = login_event(user_id)
        event.update(changes)
        answer = self.client.post("/v1/logins", json=event, headers=bearer(self.files.api_key))
        assert answer.status_code == 200, answer.text
        return answer.json()

    def post(self, path: str, page: Any, *, follow_redirects: bool = True, **fields: str) -> Any:
        """Submit a form of ``page`` (its CSRF token) as a browser of this origin would."""
        data = {"csrf": csrf_of(page.text), **fields}
        return self.client.post(
            path, data=data, headers={"Origin": ORIGIN}, follow_redirects=follow_redirects
        )

    def enroll_otp(self, user_id: str) -> str:
        """An authenticator app for ``user_id`` through the API; returns its seed."""
        token = self.decision(user_id)["mfa_token"]
        seed = self.api("enroll", token, {"factor": "otp"})["secret"]
        self.api("enroll/confirm", token, {"factor": "otp", "otp": self.code(seed)})
        self.clock.advance(seconds=30)
        return seed

    def api(self, path: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.client.post(f"/v1/mfa/{path}", json=body, headers=bearer(token))
        assert answer.status_code == 200, answer.text
        return answer.json()

    def code(self, seed: str) -> str:
        return pyotp.TOTP(seed).at(self.clock.now)


@contextmanager
def serve_over_testclient(files: TenantFiles) -> Iterator[tuple[TestClient, Clock, Tenant]]:
    """The real app for the tenant ``files`` at ``ORIGIN``, with a test clock."""
    tenants = load_tenants([files.path], environ={"CONTEXTMFA_SECRET_KEY": SECRET_KEY, **files.env})
    tenant = tenants.get("acme")
    assert tenant is not None
    clock = Clock()
    app = create_app(tenants, clock=clock, owns_tenants=True)
    with TestClient(app, base_url=ORIGIN) as client:
        yield client, clock, tenant
