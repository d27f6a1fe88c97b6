"""Shared pieces of the service tests: tenant configs, login events, a software push device.

Nothing here imitates a component that runs in the tests: configs are real ``tenant.toml`` files,
the store is a real SQLite (or PostgreSQL) store, codes come from pyotp or ``oathtool``, and the
push device holds a real P-256 key and signs with the protocol module.
"""

from __future__ import annotations

import copy
import json
import secrets
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from contextmfa.factors import push_protocol as protocol
from contextmfa.service.routes.push import pending_message
from contextmfa.store import keygen

SECRET_KEY = keygen()
START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

DENY_BLOCKED = '''"""Deny users an admin has blocked."""


def on_execute_post_login(event, api):
    if event.user.app_metadata.get("blocked"):
        api.access.deny("account_blocked")
'''

STEP_UP = '''"""Two steps for the payroll app: a code from the app, then one by SMS."""


def on_execute_post_login(event, api):
    if event.client and event.client.client_id == "payroll":
        api.authentication.challenge_with("otp")
        api.authentication.challenge_with("sms")
'''

BASE_EVENT: dict[str, Any] = {
    "id": "l-1",
    "timestamp": "2026-03-02T09:30:00Z",
    "user": {
        "user_id": "auth0|alice",
        "email": "alice@acme.test",
        "email_verified": False,
        "name": "Alice",
        "app_metadata": {},
    },
    "request": {
        "ip": "81.2.69.142",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
    },
    "device": {"id": "d-alice"},
    "client": {"client_id": "portal-web", "name": "Acme Portal", "metadata": {}},
}


def new_key(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(16)}"


@dataclass
class TenantFiles:
    """A tenant.toml with its Actions, and the keys its [service] section reads."""

    path: Path
    tenant_id: str
    api_key: str
    admin_key: str
    env: dict[str, str] = field(default_factory=dict)


def write_tenant(
    directory: Path,
    tenant_id: str,
    *,
    store: str = "sqlite://",
    redis: str = "",
    policy: str = "always",
    issuer: str = "http://127.0.0.1:8000",
    remember_days: int = 30,
    factors: tuple[str, ...] = ("otp", "sms", "email", "push-notification", "recovery-code"),
) -> TenantFiles:
    """A tenant with two Actions (a deny and a two-step step-up) and keys from the environment."""
    directory.mkdir(parents=True, exist_ok=True)
    actions = directory / f"actions-{tenant_id}"
    actions.mkdir(exist_ok=True)
    (actions / "deny_blocked.py").write_text(DENY_BLOCKED)
    (actions / "step_up.py").write_text(STEP_UP)
    upper = tenant_id.upper().replace("-", "_")
    api_key, admin_key = new_key("api"), new_key("admin")
    path = directory / f"{tenant_id}.toml"
    path.write_text(
        f"""[tenant]
id = "{tenant_id}"

[policy]
mfa = "{policy}"
factors = {json.dumps(list(factors))}
remember_browser_days = {remember_days}

[flow]
actions = ["actions-{tenant_id}/deny_blocked.py", "actions-{tenant_id}/step_up.py"]

[sandbox]
isolation = "inline"

[service]
api_key = "env:{upper}_API_KEY"
admin_key = "env:{upper}_ADMIN_KEY"
store = "{store}"
redis = "{redis}"
issuer = "{issuer}"
"""
    )
    env = {f"{upper}_API_KEY": api_key, f"{upper}_ADMIN_KEY": admin_key}
    return TenantFiles(path, tenant_id, api_key, admin_key, env)


class Clock:
    """The service's clock, moved by the tests."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def login_event(user_id: str = "auth0|alice", login_id: str | None = None, **changes: Any) -> dict:
    """A valid login event for ``user_id``; ``changes`` replace top-level keys."""
    event = copy.deepcopy(BASE_EVENT)
    event["id"] = login_id or f"l-{secrets.token_hex(4)}"
    event["user"]["user_id"] = user_id
    event.update(changes)
    return event


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def oathtool(secret: str, moment: datetime | None = None) -> str:
    """The TOTP code for ``secret`` from an independent implementation (Debian's oathtool)."""
    args = ["oathtool", "--totp", "-b", secret]
    if moment is not None:
        args += ["--now", moment.strftime("%Y-%m-%d %H:%M:%S UTC")]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()


def fresh_code_window() -> None:
    """Sleep past a TOTP step boundary when fewer than 3 s remain (a real clock, real server)."""
    left = 30 - time.time() % 30
    if left < 3:
        time.sleep(left + 0.2)


def next_step_boundary(moment: datetime) -> datetime:
    return moment + timedelta(seconds=30)


class SoftwareDevice:
    """A push authenticator app in software: its own P-256 key, signing like a phone would."""

    def __init__(self, tenant: str, push_target: str = "") -> None:
        self.tenant = tenant
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.public_key = protocol.public_key_text(self.key.public_key())
        self.push_target = push_target or f"fcm:{secrets.token_hex(8)}"
        self.device_id: str | None = None

    def registration(self, ticket: str) -> dict[str, str]:
        message = protocol.enrollment_message(
            self.tenant, ticket, self.public_key, self.push_target
        )
        return {
            "tenant": self.tenant,
            "ticket": ticket,
            "public_key": self.public_key,
            "push_target": self.push_target,
            "signature": protocol.sign(self.key, message),
        }

    def pending_query(self, now: datetime) -> dict[str, Any]:
        assert self.device_id is not None
        stamp = int(now.timestamp())
        message = pending_message(self.tenant, self.device_id, stamp)
        return {
            "tenant": self.tenant,
            "device_id": self.device_id,
            "timestamp": stamp,
            "signature": protocol.sign(self.key, message),
        }

    def answer(self, transaction: str, nonce: str, number: str, decision: str) -> dict[str, str]:
        message = protocol.answer_message(self.tenant, transaction, number, decision, nonce)  # type: ignore[arg-type]
        return {
            "tenant": self.tenant,
            "decision": decision,
            "number": number,
            "nonce": nonce,
            "signature": protocol.sign(self.key, message),
        }


def hook_evaluations(monkeypatch: Any, tenant: Any, hook: Callable[[str], None]) -> None:
    """Run ``hook(user_id)`` at the start of each evaluation by this worker's engine (after the
    login's store read, before its commit), to hold a login there or slip another one in."""
    with tenant.engines.use() as engine:
        original = engine.evaluate

    def evaluate(event: Any, history: Any) -> Any:
        hook(event.user.user_id)
        return original(event, history)

    monkeypatch.setattr(engine, "evaluate", evaluate)
