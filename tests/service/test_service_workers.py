"""Many workers, one truth: two ``serve`` processes on one PostgreSQL act as one service, and one
``serve --workers 2`` adds its workers' metrics up.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from service_helpers import (
    SECRET_KEY,
    bearer,
    fresh_code_window,
    login_event,
    oathtool,
    write_tenant,
)
from service_process import postgres_database, serving

from contextmfa.store import Store

PG_SKIP = "PostgreSQL is not reachable at 127.0.0.1:5432; two workers need a shared database"


@pytest.fixture(scope="module")
def workers(tmp_path_factory) -> Iterator[tuple]:
    directory: Path = tmp_path_factory.mktemp("workers")
    with postgres_database() as url:
        if url is None:
            pytest.skip(PG_SKIP)
        files = write_tenant(directory, f"w-{secrets.token_hex(3)}", store=url)
        env = {"CONTEXTMFA_SECRET_KEY": SECRET_KEY, **files.env}
        args = ["--config", str(files.path)]
        with serving(args, env, directory) as one, serving(args, env, directory) as two:
            store = Store.open(url, secret_key=SECRET_KEY)
            try:
                yield one, two, files, store
            finally:
                store.close()


def _login(server, files, user: str) -> dict:
    answer = server.client.post("/v1/logins", json=login_event(user), headers=bearer(files.api_key))
    assert answer.status_code == 200, answer.text
    return answer.json()


def _mfa(server, path: str, token: str, body: dict):
    return server.client.post(f"/v1/mfa/{path}", json=body, headers=bearer(token))


def _last_code(store: Store, tenant: str) -> str:
    message = store.outbox.list(tenant, channel="sms", limit=1)[0]
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def test_a_challenge_started_on_one_worker_is_verified_on_the_other(workers):
    one, two, files, store = workers
    tenant, user = files.tenant_id, f"auth0|{secrets.token_hex(4)}"
    token = _login(one, files, user)["mfa_token"]
    started = _mfa(one, "enroll", token, {"factor": "sms", "phone_number": "+31612345678"}).json()
    confirm = {
        "factor": "sms",
        "oob_code": started["oob_code"],
        "binding_code": _last_code(store, tenant),
    }
    assert _mfa(two, "enroll/confirm", token, confirm).json()["status"] == "passed"

    later = _login(two, files, user)
    sent = _mfa(two, "challenge", later["mfa_token"], {"factor": "sms"}).json()
    verify = {
        "factor": "sms",
        "oob_code": sent["oob_code"],
        "binding_code": _last_code(store, tenant),
    }
    passed = _mfa(one, "verify", later["mfa_token"], verify).json()
    assert passed["status"] == "passed"
    assert (
        one.client.get("/.well-known/jwks.json").json()
        == two.client.get("/.well-known/jwks.json").json()
    ), "every worker signs with the same key"


def test_rate_limits_are_shared_by_the_workers(workers):
    one, two, files, _ = workers
    user = f"auth0|{secrets.token_hex(4)}"
    token = _login(one, files, user)["mfa_token"]
    secret = _mfa(one, "enroll", token, {"factor": "otp"}).json()["secret"]
    fresh_code_window()
    code = oathtool(secret, datetime.now(UTC) - timedelta(seconds=30))
    assert _mfa(two, "enroll/confirm", token, {"factor": "otp", "otp": code}).is_success
    later = _login(two, files, user)["mfa_token"]
    for attempt in range(10):
        server = one if attempt % 2 else two
        assert _mfa(server, "verify", later, {"factor": "otp", "otp": "000000"}).status_code == 403
    refused = _mfa(one, "verify", later, {"factor": "otp", "otp": oathtool(secret)})
    assert refused.json()["error"] == "too_many_attempts"


def test_one_serve_with_two_workers_adds_up_its_metrics(tmp_path: Path):
    files = write_tenant(tmp_path, "multi", store="sqlite:///multi.db")
    env = {"CONTEXTMFA_SECRET_KEY": SECRET_KEY, **files.env}
    args = ["--config", str(files.path), "--workers", "2"]
    with serving(args, env, tmp_path) as server:
        for _ in range(6):
            _login(server, files, f"auth0|{secrets.token_hex(4)}")
        text = server.client.get("/metrics").text
    counted = re.search(
        r'contextmfa_decisions_total\{outcome="enroll",source="policy:always"\} (\S+)', text
    )
    assert counted is not None and float(counted.group(1)) == 6.0
