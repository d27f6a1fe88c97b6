"""Helpers for the sandbox tests: a full enriched event and one-call ways to run an Action."""

from __future__ import annotations

import copy
import textwrap
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from contextmfa.sandbox import (
    ActionCache,
    ActionRun,
    CompiledAction,
    InMemoryActionCache,
    SandboxLimits,
    compile_action,
    run_action,
)

NOW = datetime(2026, 3, 14, 9, 26, 53, tzinfo=UTC)
PATH = "/tenant/actions/step_up.py"

EVENT: dict[str, Any] = {
    "id": "l-0001",
    "timestamp": "2026-03-14T09:26:53+00:00",
    "tenant": {"id": "acme"},
    "user": {
        "user_id": "auth0|42",
        "email": "ada@acme.test",
        "email_verified": True,
        "phone_number": None,
        "phone_verified": None,
        "username": "ada",
        "name": "Ada",
        "created_at": "2025-01-01T00:00:00+00:00",
        "app_metadata": {"plan": "pro", "mfa_required": True, "tags": ["a", "b"]},
        "user_metadata": {},
        "enrolled_factors": [{"type": "otp", "options": None}, {"type": "sms", "options": {}}],
    },
    "authorization": {"roles": ["admin", "billing"]},
    "request": {
        "ip": "10.1.2.3",
        "user_agent": "Mozilla/5.0",
        "hostname": "login.acme.test",
        "language": "en",
        "geoip": None,
        "asn": None,
    },
    "device": {"id": "dev-1", "remembered": False},
    "authentication": {
        "methods": [{"name": "pwd", "timestamp": "2026-03-14T09:26:50+00:00", "type": None}],
        "risk_assessment": {
            "confidence": "high",
            "version": "1",
            "assessments": {
                "new_device": {"code": "match", "details": {}},
                "impossible_travel": {"code": "initial_login", "details": {}},
                "untrusted_ip": {"code": "not_found_on_deny_list", "details": {}},
            },
        },
    },
    "client": {"client_id": "c1", "name": "Portal", "metadata": {"tier": "gold"}},
    "connection": {"id": "con1", "name": "db", "strategy": "auth0", "metadata": {}},
    "organization": None,
    "transaction": {
        "id": "t1",
        "acr_values": [],
        "protocol": "oidc",
        "requested_scopes": ["openid"],
        "locale": "en",
    },
    "stats": {"logins_count": 7},
}

SECRETS = {"API_TOKEN": "tok-8f2a9c77"}


def source_of(body: str) -> str:
    """An Action whose ``on_execute_post_login`` body is ``body`` (dedented)."""
    indented = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    return f"def on_execute_post_login(event, api):\n{indented}\n"


def compile_body(body: str, path: str = PATH) -> CompiledAction:
    return compile_action(source_of(body), path)


def execute(
    action: CompiledAction,
    *,
    event: dict[str, Any] | None = None,
    secrets: Mapping[str, str] | None = None,
    now: datetime = NOW,
    cache: ActionCache | None = None,
    limits: SandboxLimits | None = None,
    steps_so_far: int = 0,
) -> ActionRun:
    return run_action(
        action,
        EVENT if event is None else event,
        secrets=SECRETS if secrets is None else secrets,
        now=now,
        cache=InMemoryActionCache() if cache is None else cache,
        tenant_id="acme",
        limits=SandboxLimits() if limits is None else limits,
        steps_so_far=steps_so_far,
    )


def logs(result: ActionRun) -> list[str]:
    return [line.line for line in result.logs]


def failed(result: ActionRun, kind: str) -> str:
    """Assert the run failed with ``kind``; return the message."""
    assert result.error is not None, f"expected a {kind} error, got {result}"
    assert result.error.kind == kind, result.error
    return result.error.message


def succeeded(result: ActionRun) -> ActionRun:
    assert result.error is None, result.error
    return result


class Sandbox:
    """The helpers above, handed to tests as the ``sb`` fixture."""

    EVENT = EVENT
    NOW = NOW
    PATH = PATH
    SECRETS = SECRETS
    source_of = staticmethod(source_of)
    compile = staticmethod(compile_body)
    execute = staticmethod(execute)
    logs = staticmethod(logs)
    failed = staticmethod(failed)
    succeeded = staticmethod(succeeded)

    @staticmethod
    def run(body: str, **options: Any) -> ActionRun:
        """Compile ``body`` as the body of ``on_execute_post_login`` and run it once."""
        return execute(compile_body(body), **options)

    @staticmethod
    def event_copy() -> dict[str, Any]:
        return copy.deepcopy(EVENT)


@pytest.fixture
def sb() -> type[Sandbox]:
    return Sandbox
