"""Fixtures: the service in process (FastAPI's TestClient) over real tenant configs and a real
SQLite store, with a settable clock; two tenants ("acme", "globex") share the store, so every
test also exercises tenant isolation.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
import typer

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from fastapi.testclient import TestClient  # noqa: E402
from service_helpers import (  # noqa: E402
    SECRET_KEY,
    Clock,
    TenantFiles,
    bearer,
    login_event,
    write_tenant,
)

from contextmfa.cli import serve  # noqa: E402
from contextmfa.service import Tenant, Tenants, create_app, load_tenants  # noqa: E402


@dataclass
class Service:
    client: TestClient
    clock: Clock
    tenants: Tenants
    files: dict[str, TenantFiles]

    def tenant(self, tenant_id: str = "acme") -> Tenant:
        found = self.tenants.get(tenant_id)
        assert found is not None
        return found

    def api(self, tenant_id: str = "acme") -> dict[str, str]:
        return bearer(self.files[tenant_id].api_key)

    def admin(self, tenant_id: str = "acme") -> dict[str, str]:
        return bearer(self.files[tenant_id].admin_key)

    def login(
        self, event: dict[str, Any] | None = None, tenant_id: str = "acme", **headers: str
    ) -> Any:
        response = self.client.post(
            "/v1/logins", json=event or login_event(), headers={**self.api(tenant_id), **headers}
        )
        return response

    def mfa(self, path: str, token: str, body: dict[str, Any] | None = None) -> Any:
        if body is None:
            return self.client.get(f"/v1/mfa/{path}", headers=bearer(token))
        return self.client.post(f"/v1/mfa/{path}", json=body, headers=bearer(token))

    def code(self, secret: str, *, offset: float = 0) -> str:
        return pyotp.TOTP(secret).at(self.clock.now + timedelta(seconds=offset))

    def add_phone(self, user_id: str, phone_number: str = "+31612345678") -> None:
        """A confirmed SMS authenticator for ``user_id``, as an administrator would add one."""
        self.tenant().store.authenticators.add(
            "acme",
            user_id,
            "sms",
            name="phone",
            public={"phone_number": phone_number},
            secret=None,
            confirmed=True,
            now=self.clock.now,
        )

    def payroll_login(self, user_id: str) -> dict[str, Any]:
        """A login to the payroll app, whose Action asks for the app's code, then a text."""
        event = login_event(user_id)
        event["client"] = {"client_id": "payroll", "name": "Payroll", "metadata": {}}
        answer = self.login(event)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def enroll_otp(self, user_id: str = "auth0|alice") -> tuple[str, dict[str, Any]]:
        """A first login, OTP enrolled and confirmed; returns the seed and the confirm answer."""
        token = self.login(login_event(user_id)).json()["mfa_token"]
        started = self.mfa("enroll", token, {"factor": "otp"}).json()
        secret = started["secret"]
        answer = self.mfa("enroll/confirm", token, {"factor": "otp", "otp": self.code(secret)})
        assert answer.status_code == 200, answer.text
        self.clock.advance(seconds=30)  # the next code is another time step
        return secret, answer.json()


def open_service(tmp_path: Path, **options: Any) -> tuple[Tenants, dict[str, TenantFiles]]:
    files = {t: write_tenant(tmp_path, t, **options) for t in ("acme", "globex")}
    return tenants_of(files), files


def tenants_of(files: dict[str, TenantFiles]) -> Tenants:
    """The tenants of these configs, as one worker loads them; called again, a second worker's
    view of the same configs, and so of the same store."""
    env = {"CONTEXTMFA_SECRET_KEY": SECRET_KEY}
    for f in files.values():
        env.update(f.env)
    return load_tenants([f.path for f in files.values()], environ=env)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    tenants, files = open_service(tmp_path)
    clock = Clock()
    app = create_app(tenants, clock=clock, owns_tenants=True)
    with TestClient(app) as client:
        yield Service(client, clock, tenants, files)


@pytest.fixture
def logging_restored() -> Iterator[None]:
    """serve configures the contextmfa and uvicorn loggers; put them back for other tests."""
    saved = {}
    for name in ("contextmfa", "uvicorn", "psycopg"):
        logger = logging.getLogger(name)
        saved[name] = (list(logger.handlers), logger.level, logger.propagate)
    yield
    for name, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


def serve_cli() -> typer.Typer:
    """A CLI with ``serve`` registered, to invoke with typer's ``CliRunner``."""
    app = typer.Typer()
    serve.register(app)
    app.command(name="noop")(lambda: None)  # a second command keeps "serve" a subcommand
    return app
